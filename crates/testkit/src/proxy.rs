//! A loopback TCP proxy a test can cut, to play a network outage between
//! Leadline and a real server (PostgreSQL) without touching the server.

use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Forwards every connection made to [`TcpProxy::addr`] to the upstream.
/// Stops (closing every connection) when dropped.
pub struct TcpProxy {
    addr: SocketAddr,
    /// `true` while the link is up.
    up: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl TcpProxy {
    pub async fn start(upstream: SocketAddr) -> TcpProxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port for the proxy");
        let addr = listener.local_addr().expect("the proxy's address");
        let (up, link) = watch::channel(true);
        let task = tokio::spawn(serve(listener, upstream, link));
        TcpProxy { addr, up, task }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Closes every connection and refuses new ones (the port stops
    /// listening) until [`TcpProxy::restore`].
    pub fn cut(&self) {
        self.up.send_replace(false);
    }

    /// Listens again on the same port.
    pub fn restore(&self) {
        self.up.send_replace(true);
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(listener: TcpListener, upstream: SocketAddr, mut link: watch::Receiver<bool>) {
    let addr = listener.local_addr().expect("the proxy's address");
    let mut listener = Some(listener);
    loop {
        match &listener {
            Some(open) => {
                tokio::select! {
                    accepted = open.accept() => {
                        if let Ok((client, _)) = accepted {
                            tokio::spawn(pipe(client, upstream, link.clone()));
                        }
                    }
                    changed = link.changed() => {
                        if changed.is_err() {
                            return;
                        }
                        if !*link.borrow_and_update() {
                            listener = None;
                        }
                    }
                }
            }
            None => {
                if link.changed().await.is_err() {
                    return;
                }
                if *link.borrow_and_update() {
                    listener = Some(rebind(addr).await);
                }
            }
        }
    }
}

/// The port was ours a moment ago; the OS may take a moment to free it.
async fn rebind(addr: SocketAddr) -> TcpListener {
    loop {
        match TcpListener::bind(addr).await {
            Ok(listener) => return listener,
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// Copies both ways until either side closes or the link is cut; dropping
/// the streams closes both connections.
async fn pipe(mut client: TcpStream, upstream: SocketAddr, mut link: watch::Receiver<bool>) {
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    tokio::select! {
        // A cut wins over data already in flight.
        biased;
        _ = link.wait_for(|up| !*up) => {}
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (mut r, mut w) = conn.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        addr
    }

    async fn round_trip(stream: &mut TcpStream) -> std::io::Result<[u8; 4]> {
        stream.write_all(b"ping").await?;
        let mut buf = [0; 4];
        stream.read_exact(&mut buf).await?;
        Ok(buf)
    }

    #[tokio::test]
    async fn forwards_cuts_and_restores() {
        let proxy = TcpProxy::start(echo_server().await).await;
        let mut before = TcpStream::connect(proxy.addr()).await.unwrap();
        assert_eq!(&round_trip(&mut before).await.unwrap(), b"ping");

        proxy.cut();
        assert!(
            round_trip(&mut before).await.is_err(),
            "open connections close"
        );
        // The listener goes away once the proxy task sees the cut.
        let mut refused = false;
        for _ in 0..100 {
            if TcpStream::connect(proxy.addr()).await.is_err() {
                refused = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(refused, "new connections are refused");

        proxy.restore();
        let mut after = None;
        for _ in 0..100 {
            if let Ok(stream) = TcpStream::connect(proxy.addr()).await {
                after = Some(stream);
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let mut after = after.expect("the proxy listens again");
        assert_eq!(&round_trip(&mut after).await.unwrap(), b"ping");
    }
}
