//! Who a request comes from: the peer's address, or, when the peer is a
//! trusted proxy (`LEADLINE_TRUSTED_PROXIES`), the client it names in
//! `Forwarded` or `X-Forwarded-For`; and whether the client reached us over
//! HTTPS. Failed credentials are limited per client, logs name it, and
//! cookies are marked `Secure` for HTTPS clients.
//!
//! The headers are parsed by hand: no well-kept crate reads both, and only
//! the `for` and `proto` parameters matter here.

use super::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::{IpNet, Ipv6Net};
use leadline_stores::StoreError;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;
use tracing::Instrument;

/// Failed credentials (admin token, verify token) allowed per client per
/// [`FAILURE_WINDOW`], counted in the store across processes.
pub const FAILURES_ALLOWED: u32 = 10;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// The client behind a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    pub ip: IpAddr,
    /// Reached over HTTPS: `LEADLINE_PUBLIC_URL` is https, or a trusted
    /// proxy said so.
    pub https: bool,
}

/// How to tell the client from the peer.
#[derive(Debug, Clone, Default)]
pub struct Proxies {
    trusted: Vec<IpNet>,
    /// `LEADLINE_PUBLIC_URL` is https: every client is behind TLS.
    public_https: bool,
}

impl Proxies {
    pub fn new(trusted: Vec<IpNet>, public_https: bool) -> Self {
        Self {
            trusted,
            public_https,
        }
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.trusted.iter().any(|net| net.contains(&ip))
    }

    /// The client of a request from `peer` with `headers`. Forwarding
    /// headers are read only from a trusted peer; the client is then the
    /// nearest address in the chain that is not itself a trusted proxy.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> Client {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return Client {
                ip: peer,
                https: self.public_https,
            };
        }
        let (chain, proto) = forwarded(headers);
        let mut ip = peer;
        for hop in chain.iter().rev() {
            match hop {
                Some(hop) => {
                    ip = canonical(*hop);
                    if !self.trusts(ip) {
                        break;
                    }
                }
                // An address hidden ("unknown", "_proxy7"): the hop before
                // it is the last one known.
                None => break,
            }
        }
        Client {
            ip,
            https: self.public_https || proto.is_some_and(|p| p.eq_ignore_ascii_case("https")),
        }
    }
}

/// IPv4 addresses mapped into IPv6 (a dual-stack listener's peers) as the
/// IPv4 addresses they are.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The forwarding chain, farthest first (`None` for a hop that hides its
/// address), and the protocol the nearest proxy was reached with: from
/// `Forwarded` (RFC 7239) when present, else `X-Forwarded-For` and
/// `X-Forwarded-Proto`.
fn forwarded(headers: &HeaderMap) -> (Vec<Option<IpAddr>>, Option<String>) {
    let values = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect::<Vec<String>>()
    };
    let elements = values("forwarded");
    if !elements.is_empty() {
        let mut chain = Vec::new();
        let mut proto = None;
        for element in &elements {
            let mut node = None;
            for pair in element.split(';') {
                let Some((key, value)) = pair.split_once('=') else {
                    continue;
                };
                let value = value.trim().trim_matches('"');
                match key.trim().to_ascii_lowercase().as_str() {
                    "for" => node = Some(address(value)),
                    "proto" => proto = Some(value.to_owned()),
                    _ => {}
                }
            }
            chain.push(node.flatten());
        }
        return (chain, proto);
    }
    let chain = values("x-forwarded-for")
        .iter()
        .map(|v| address(v))
        .collect();
    (chain, values("x-forwarded-proto").pop())
}

/// An address as forwarding headers write it: `192.0.2.1`, `192.0.2.1:80`,
/// `2001:db8::1`, `[2001:db8::1]:80`.
fn address(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse() {
        return Some(ip);
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    node.parse::<SocketAddr>().ok().map(|a| a.ip())
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = Infallible;

    /// The client [`identify`] found; a request that did not pass through
    /// it (none does, in the server) counts as from nowhere.
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(parts.extensions.get::<Client>().copied().unwrap_or(Client {
            ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            https: false,
        }))
    }
}

/// Finds the client of every request, logs the request's handling under
/// its address, and marks the answer's cookies `Secure` for an HTTPS client
/// (a cookie set over HTTPS must never travel over plain HTTP).
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let client = state.proxies.client(peer, request.headers());
    request.extensions_mut().insert(client);
    let span = tracing::info_span!("request", client = %client.ip);
    let mut response = next.run(request).instrument(span).await;
    if client.https {
        secure_cookies(response.headers_mut());
    }
    response
}

fn secure_cookies(headers: &mut HeaderMap) {
    let cookies: Vec<HeaderValue> = headers.get_all(SET_COOKIE).iter().cloned().collect();
    if cookies.is_empty() {
        return;
    }
    headers.remove(SET_COOKIE);
    for cookie in cookies {
        let secured = match cookie.to_str() {
            Ok(text) if !text.to_ascii_lowercase().contains("; secure") => {
                HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or(cookie)
            }
            _ => cookie,
        };
        headers.append(SET_COOKIE, secured);
    }
}

/// Counts a failed credential (`what`, for the log) from `client`; `true`
/// once it has failed more than [`FAILURES_ALLOWED`] times this window, at
/// any process.
///
/// Only failures are counted and limited: the right credential is always
/// let in, so a guesser cannot lock out the team sharing its address (an
/// office, a proxy). The price: a limited client's guesses are still
/// tested. What makes guessing hopeless is the admin token's length (32
/// characters or more); the limit makes a guesser loud (429s, one log line
/// each) and easy to block in front.
pub async fn failed(
    state: &AppState,
    client: &Client,
    what: &'static str,
) -> Result<bool, StoreError> {
    let failures = state
        .store
        .count_login_attempt(&limit_key(client.ip), state.clock.now(), FAILURE_WINDOW)
        .await?;
    tracing::warn!(failures, "a wrong {what}");
    Ok(failures > FAILURES_ALLOWED)
}

/// What failures are counted under: an IPv4 address, or the /64 network
/// of an IPv6 one (one host usually holds a whole /64).
fn limit_key(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V6(v6) => Ipv6Net::new(v6, 64)
            .map(|net| net.trunc().to_string())
            .unwrap_or_else(|_| v6.to_string()),
        v4 => v4.to_string(),
    }
}

/// The `Retry-After` of a 429 for failed credentials, in seconds.
pub fn retry_after() -> HeaderValue {
    HeaderValue::from(FAILURE_WINDOW.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let proxies = Proxies::new(vec!["10.0.0.0/8".parse().expect("a net")], false);
        let spoofed = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-proto", "https"),
        ]);
        let direct = proxies.client(ip("198.51.100.7"), &spoofed);
        assert_eq!(direct.ip, ip("198.51.100.7"));
        assert!(!direct.https);
        let via_proxy = proxies.client(ip("10.1.2.3"), &spoofed);
        assert_eq!(via_proxy.ip, ip("203.0.113.9"));
        assert!(via_proxy.https);
        // A client cannot hide behind a forged first hop: the nearest
        // untrusted address wins.
        let chain = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.0.0.2")]);
        assert_eq!(proxies.client(ip("10.1.2.3"), &chain).ip, ip("203.0.113.9"));
        assert_eq!(
            Proxies::default().client(ip("10.1.2.3"), &spoofed).ip,
            ip("10.1.2.3")
        );
    }

    #[test]
    fn the_forwarded_header_is_read_with_ports_brackets_and_hidden_hops() {
        let proxies = Proxies::new(vec!["10.0.0.0/8".parse().expect("a net")], false);
        let cases = [
            ("for=192.0.2.60;proto=https;by=10.0.0.1", "192.0.2.60"),
            ("for=\"[2001:db8:cafe::17]:4711\"", "2001:db8:cafe::17"),
            ("for=192.0.2.43:80, for=10.0.0.5", "192.0.2.43"),
            ("for=198.51.100.1, for=unknown", "10.9.9.9"),
            ("garbage", "10.9.9.9"),
        ];
        for (value, expected) in cases {
            let client = proxies.client(ip("10.9.9.9"), &headers(&[("forwarded", value)]));
            assert_eq!(client.ip, ip(expected), "{value}");
        }
    }

    #[test]
    fn ipv6_clients_are_limited_by_their_slash_64() {
        assert_eq!(limit_key(ip("2001:db8:1:2:3:4:5:6")), "2001:db8:1:2::/64");
        assert_eq!(limit_key(ip("::ffff:192.0.2.1")), "192.0.2.1");
    }

    #[test]
    fn cookies_get_secure_once() {
        let mut h = headers(&[
            ("set-cookie", "a=1; HttpOnly"),
            ("set-cookie", "b=2; Secure; HttpOnly"),
        ]);
        secure_cookies(&mut h);
        let all: Vec<&str> = h
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        assert_eq!(all, ["a=1; HttpOnly; Secure", "b=2; Secure; HttpOnly"]);
    }
}
