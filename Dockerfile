# Leadline's container image: the one `leadline` binary on Debian 12, run
# as a non-root user, its embedded SQLite file on the /data volume.
#
#   docker build -t leadline .
#   docker run -p 8080:8080 -v leadline-data:/data leadline
#
# Two stages. "build" runs `cargo build --release --locked` with the Rust
# toolchain pinned in rust-toolchain.toml; "runtime" is Debian with the
# binary and nothing it does not need (no compiler, no curl).
#
# Base images, as build arguments:
#   RUST_IMAGE  the build stage: Debian 12 with the pinned toolchain's rustc
#               and cargo on PATH, gcc and libc6-dev (the linker, and the C
#               parts of ring and the bundled SQLite). Default: the official
#               rust image of that version.
#   BASE_IMAGE  the runtime stage: Debian 12. Default: debian:bookworm-slim.
# Where no registry of images is reachable (this project's build machines
# reach only package registries), scripts/image-base makes both from
# Debian's packages (debootstrap, then docker import) and this machine's
# pinned rustup toolchain, and scripts/image-test passes them:
#   docker build --build-arg BASE_IMAGE=leadline-base:bookworm \
#     --build-arg RUST_IMAGE=leadline-rust:1.95.0 -t leadline .
#
# Crates: a `vendor/` folder in the build context (made by
# `cargo vendor --locked vendor`, kept out of git) is used offline when
# present; without one, cargo fetches them from crates.io.
#
# The commit `leadline --version` names: .git is not sent to the builder
# (.dockerignore), so pass it: --build-arg LEADLINE_GIT_COMMIT=$(git rev-parse --short=12 HEAD).
# Without it the version says "commit unknown".

ARG RUST_IMAGE=rust:1.95.0-slim-bookworm
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${RUST_IMAGE} AS build
WORKDIR /src
COPY . .
ARG LEADLINE_GIT_COMMIT=
ENV LEADLINE_GIT_COMMIT=${LEADLINE_GIT_COMMIT}
# The toolchain must be the pinned one: rustup (the official image) is told
# to use it, and any image whose rustc is another version stops the build.
RUN set -eu; \
    channel=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml); \
    export RUSTUP_TOOLCHAIN="$channel"; \
    rustc --version | grep -q "^rustc $channel " \
      || { echo "rustc is $(rustc --version), rust-toolchain.toml pins $channel" >&2; exit 1; }; \
    if [ -d vendor ]; then \
      mkdir -p .cargo; \
      printf '[source.crates-io]\nreplace-with = "vendored"\n\n[source.vendored]\ndirectory = "vendor"\n' > .cargo/config.toml; \
      offline=--offline; \
    else offline=; fi; \
    cargo build --release --locked $offline -p leadline; \
    cp target/release/leadline /usr/local/bin/leadline; \
    rm -rf target; \
    /usr/local/bin/leadline --version

FROM ${BASE_IMAGE} AS runtime
# A fixed, unprivileged uid/gid, so a bind-mounted /data can be chown'ed
# to it from the host.
RUN groupadd --system --gid 10001 leadline \
 && useradd --system --uid 10001 --gid leadline --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin leadline \
 && mkdir -p /data \
 && chown leadline:leadline /data
COPY --from=build /usr/local/bin/leadline /usr/local/bin/leadline
# The default store (DATABASE_URL=sqlite://leadline.db) is relative to the
# working directory: /data. DATABASE_URL is not set here, so a config
# file's database_url still counts (the environment would win over it).
WORKDIR /data
VOLUME ["/data"]
ENV LEADLINE_LISTEN=0.0.0.0:8080
EXPOSE 8080
USER leadline:leadline
# `leadline health` GETs /healthz from the listener LEADLINE_LISTEN names
# (loopback for 0.0.0.0): the binary is its own probe, so the image needs
# no curl or wget, and the probe follows the listen setting wherever it
# comes from (the environment or the --config file, via LEADLINE_CONFIG).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["leadline", "health"]
# serve stops on SIGTERM: ingress stops taking webhooks, workers finish the
# turns and sends in hand, then it exits (give it the lease, 30 s by default).
STOPSIGNAL SIGTERM
ENTRYPOINT ["leadline"]
CMD ["serve"]
