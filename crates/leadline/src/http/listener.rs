//! The listener: HTTP/1 connections with deadlines and a cap, so that slow
//! or idle clients cannot hold file descriptors, memory or a connection
//! slot for long. `axum::serve` has neither, so connections are served by
//! hyper's own HTTP/1 server from an accept loop with a semaphore.
//!
//! Deadlines: a request's line and headers within `header_timeout` of its
//! first byte (of the connection's opening, for the first request); a
//! kept-alive connection waiting for its next request within
//! `idle_timeout`; the body (and the answer) within the body timeout,
//! which is tower-http's `TimeoutLayer` in [`super::router`]. hyper's own
//! `header_read_timeout` cannot do the first two: it starts its timer the
//! moment a kept-alive connection goes idle, so idle connections would be
//! cut at the header deadline. Hence [`Watched`], a thin wrapper on the
//! socket that knows, from the service, whether a request is in hand.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};
use tokio_util::sync::CancellationToken;
use tower_service::Service;

/// What the listener allows a connection.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

/// File descriptors kept for everything but client connections: the
/// store's pools, Redis, the Graph API and CRM clients, files.
const RESERVED_FDS: u64 = 512;
/// The most a client may send as request line and headers (hyper's read
/// buffer); hyper's default of ~400 KiB would let slow clients hold far
/// more memory.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// How long, and for how many bytes, a connection closed by the server
/// keeps reading (and dropping) what the client still sends, so that a
/// client refused before its body was read (413) reads the answer instead
/// of a reset. Enough for a webhook body just over the limit, no more.
const LINGER_TIME: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 4 * 1024 * 1024;
/// How long the accept loop waits after a failed accept (out of file
/// descriptors, say) before trying again, instead of spinning.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Raises the soft limit on open files to the hard one, and answers how
/// many connections to serve at once: `asked` (else the default), but
/// never so many that the process runs out of file descriptors.
pub fn connection_cap(asked: Option<usize>) -> usize {
    let files = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(soft) => soft,
        Err(e) => {
            tracing::warn!(error = %e, "cannot raise the open-files limit");
            rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft)
        }
    };
    let room = files.saturating_sub(RESERVED_FDS).max(files / 2).max(1);
    let room = usize::try_from(room).unwrap_or(usize::MAX);
    let wanted = asked.unwrap_or(crate::config::DEFAULT_MAX_CONNECTIONS);
    if wanted > room {
        tracing::warn!(
            wanted,
            room,
            open_files_limit = files,
            "LEADLINE_MAX_CONNECTIONS lowered to what the open-files limit allows"
        );
    }
    wanted.min(room)
}

/// Serves `app` on `listener` until `shutdown`, then lets the requests in
/// hand finish. Each request carries the peer's address as `ConnectInfo`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: CancellationToken,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder.max_buf_size(MAX_HEAD_BYTES);
    loop {
        // At the cap, new connections wait in the kernel's backlog, which
        // costs this process nothing, until a slot frees up.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = shutdown.cancelled() => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        let clock = Arc::new(Clock::default());
        let service = {
            let (app, clock) = (app.clone(), clock.clone());
            service_fn(move |mut request: Request<Incoming>| {
                clock.busy.store(true, Ordering::Release);
                clock.started.fetch_add(1, Ordering::AcqRel);
                request.extensions_mut().insert(ConnectInfo(peer));
                let (mut app, clock) = (app.clone(), clock.clone());
                async move {
                    let response = app.call(request).await?;
                    Ok::<_, std::convert::Infallible>(response.map(|body| {
                        Body::new(Answer {
                            body,
                            clock: Some(clock),
                        })
                    }))
                }
            })
        };
        let io = TokioIo::new(Watched::new(stream, clock, limits));
        let connection = graceful.watch(builder.serve_connection(io, service));
        tokio::spawn(async move {
            let _slot = slot;
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// What the service tells a connection's socket.
#[derive(Debug, Default)]
struct Clock {
    /// Requests handed to the service so far.
    started: AtomicU64,
    /// A request is in hand: its answer is not sent yet.
    busy: AtomicBool,
    /// The connection's task, waiting on a read while busy: hyper reads
    /// again only when the socket wakes it, so the answer's end must, for
    /// the idle deadline to start.
    reader: Mutex<Option<Waker>>,
}

/// A response body that tells the connection, once sent, that it is idle.
struct Answer {
    body: Body,
    clock: Option<Arc<Clock>>,
}

impl HttpBody for Answer {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        if let Poll::Ready(None) = polled {
            self.done();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl Answer {
    fn done(&mut self) {
        if let Some(clock) = self.clock.take() {
            clock.busy.store(false, Ordering::Release);
            if let Some(reader) = clock.reader.lock().ok().and_then(|mut r| r.take()) {
                reader.wake();
            }
        }
    }
}

impl Drop for Answer {
    fn drop(&mut self) {
        self.done();
    }
}

/// Where a connection is: reading a request's head (deadline: the header
/// timeout), waiting for the next request (the idle timeout), or with a
/// request in hand (the body timeout applies, in the router).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Head,
    Idle,
    Busy,
}

/// The socket, closed with `TimedOut` when a deadline passes while it
/// waits for the client.
struct Watched {
    io: TcpStream,
    /// Bytes dropped since the server closed its side; `None` before.
    lingered: Option<usize>,
    clock: Arc<Clock>,
    /// `clock.started` when last looked at: a request may have come and
    /// gone (read in one go, answered) between two reads.
    seen: u64,
    phase: Phase,
    deadline: Pin<Box<Sleep>>,
    limits: Limits,
}

impl Watched {
    fn new(io: TcpStream, clock: Arc<Clock>, limits: Limits) -> Self {
        Self {
            io,
            lingered: None,
            clock,
            seen: 0,
            phase: Phase::Head,
            deadline: Box::pin(tokio::time::sleep(limits.header_timeout)),
            limits,
        }
    }

    fn enter(&mut self, phase: Phase) {
        let timeout = match phase {
            Phase::Head => self.limits.header_timeout,
            Phase::Idle => self.limits.idle_timeout,
            Phase::Busy => Duration::ZERO,
        };
        self.phase = phase;
        self.deadline.as_mut().reset(Instant::now() + timeout);
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let started = this.clock.started.load(Ordering::Acquire);
        if this.clock.busy.load(Ordering::Acquire) {
            if this.phase != Phase::Busy {
                this.enter(Phase::Busy);
            }
        } else if this.phase == Phase::Busy || started != this.seen {
            this.enter(Phase::Idle);
        }
        this.seen = started;
        let before = buf.filled().len();
        let read = Pin::new(&mut this.io).poll_read(cx, buf);
        match read {
            Poll::Ready(Ok(())) => {
                if this.phase == Phase::Idle && buf.filled().len() > before {
                    this.enter(Phase::Head);
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending if this.phase == Phase::Busy => {
                if let Ok(mut reader) = this.clock.reader.lock() {
                    *reader = Some(cx.waker().clone());
                }
                Poll::Pending
            }
            Poll::Pending if this.deadline.as_mut().poll(cx).is_ready() => {
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    match this.phase {
                        Phase::Idle => "idle connection closed",
                        _ => "request headers too slow",
                    },
                )))
            }
            other => other,
        }
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    /// Closes the server's side, then lingers (see [`LINGER_TIME`]): closing
    /// a socket with unread bytes would reset the connection, and the
    /// client would lose the answer.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let mut lingered = match this.lingered {
            Some(lingered) => lingered,
            None => {
                std::task::ready!(Pin::new(&mut this.io).poll_shutdown(cx))?;
                this.deadline.as_mut().reset(Instant::now() + LINGER_TIME);
                0
            }
        };
        let mut scratch = [0u8; 8192];
        let done = loop {
            if lingered >= LINGER_BYTES {
                break true;
            }
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut this.io).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if !buf.filled().is_empty() => lingered += buf.filled().len(),
                Poll::Ready(_) => break true,
                Poll::Pending => break this.deadline.as_mut().poll(cx).is_ready(),
            }
        };
        this.lingered = Some(lingered);
        if done {
            Poll::Ready(Ok(()))
        } else {
            Poll::Pending
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_file_descriptors_for_everything_else() {
        let asked_for_too_many = connection_cap(Some(usize::MAX));
        let (soft, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).expect("the limit");
        assert_eq!(soft, hard, "the soft limit is raised to the hard one");
        assert!(
            (asked_for_too_many as u64) < soft,
            "{asked_for_too_many} of {soft}"
        );
        assert_eq!(connection_cap(Some(10)), 10);
    }
}
