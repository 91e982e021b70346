//! Serving the simulator one TCP connection at a time, so each request
//! knows which connection it came on: the MT5 Web API binds its session to
//! the connection (MetaQuotes, "Connection and authentication"), and a
//! server may close a connection after some commands or when it has been
//! idle. A connection's end forgets its MT5 session.

use crate::Sim;
use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// The connection a request came on (a request extension).
#[derive(Clone)]
pub struct Conn(pub Arc<ConnState>);

pub struct ConnState {
    pub id: u64,
    last: Mutex<Instant>,
    busy: AtomicBool,
}

impl ConnState {
    fn touch(&self) {
        if let Ok(mut l) = self.last.lock() {
            *l = Instant::now();
        }
    }
    fn idle(&self) -> Duration {
        self.last.lock().map(|l| l.elapsed()).unwrap_or_default()
    }
}

static NEXT: AtomicU64 = AtomicU64::new(1);

/// Accepts connections until the task is aborted.
pub async fn accept(listener: tokio::net::TcpListener, app: axum::Router, sim: Arc<Sim>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        sim.stats.connections.fetch_add(1, Ordering::SeqCst);
        let state = Arc::new(ConnState {
            id: NEXT.fetch_add(1, Ordering::SeqCst),
            last: Mutex::new(Instant::now()),
            busy: AtomicBool::new(false),
        });
        let (app, sim) = (app.clone(), sim.clone());
        tokio::spawn(async move {
            let tag = state.clone();
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                let tag = tag.clone();
                let app = app.clone();
                tag.busy.store(true, Ordering::SeqCst);
                tag.touch();
                req.extensions_mut().insert(Conn(tag.clone()));
                async move {
                    let r = app.oneshot(req.map(Body::new)).await;
                    tag.touch();
                    tag.busy.store(false, Ordering::SeqCst);
                    r
                }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service);
            let watch = idle_watch(&state, &sim);
            tokio::select! {
                _ = conn => {}
                _ = watch => {}
            }
            sim.forget_connection(state.id);
        });
    }
}

/// Ends when the connection has been idle longer than the `idle_close_ms`
/// switch (dropping the connection closes it).
async fn idle_watch(state: &ConnState, sim: &Sim) {
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let limit = sim.faults.idle_close_ms.load(Ordering::SeqCst);
        if limit > 0
            && !state.busy.load(Ordering::SeqCst)
            && state.idle() > Duration::from_millis(limit)
        {
            return;
        }
    }
}
