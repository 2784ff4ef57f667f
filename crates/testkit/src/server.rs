//! The loopback HTTP server under each fake peer (CRM, Graph API, Google,
//! OpenAI): a free port, the fake's router served on it, stopped when the
//! fake is dropped.

use axum::Router;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A free loopback port for the fake `what` (named in the panic if none
/// is), bound, and its address: some fakes put it in their own routes'
/// answers before they serve.
pub(crate) async fn loopback(what: &str) -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("the fake {what} binds a loopback port: {e}"));
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    (listener, addr)
}

/// A fake's server task: serving `app` on the listener until it is
/// dropped with the fake.
pub(crate) struct Server(JoinHandle<()>);

impl Server {
    pub(crate) fn serve(listener: TcpListener, app: Router) -> Server {
        Server(tokio::spawn(async move {
            // Serving on loopback only ends when the task is aborted.
            let _ = axum::serve(listener, app).await;
        }))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.0.abort();
    }
}
