//! `choucha serve`: the round as a web application, a front end beside
//! `cmd` over the same `round` API. Every write opens the round with its
//! lock, as the command line does, so that both can be used at once; the
//! state is the log's, read again for each request (no database).
//!
//! Owns the HTTP side only: sessions and the login limit (`session`), the
//! JSON API (`api`), the pages (`pages`, maud, assets embedded), the
//! language of a request (`lang`). The rules of a
//! round stay in `round`; who may do what is decided here, on the server.
//! Imports `round` and below, and `cli` for its arguments; never `cmd`.

mod api;
mod lang;
mod pages;
mod session;

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::cli::ServeArgs;
use crate::error::{Error, Result};
use crate::round::Round;
use crate::t;

/// What every request shares.
pub(crate) struct App {
    pub dir: PathBuf,
    pub sessions: Mutex<session::Sessions>,
    pub limiter: Mutex<session::Limiter>,
    /// Password hashing costs 19 MiB and tens of milliseconds: at most
    /// two at a time, so that a flood of logins cannot starve the rest.
    pub hashing: tokio::sync::Semaphore,
}

/// Request bodies are small JSON objects.
const BODY_LIMIT: usize = 64 * 1024;

/// The headers every answer carries: nothing of it may be framed, sniffed
/// into another type, cached, or load anything from elsewhere.
fn security_headers(router: Router) -> Router {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    router
        .layer(set(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(header::REFERRER_POLICY, "no-referrer"))
        .layer(set(header::CACHE_CONTROL, "no-store"))
}

pub(crate) fn router(app: Arc<App>) -> Router {
    let routes = Router::new()
        .route("/", get(pages::home))
        .route("/assets/app.js", get(pages::script))
        .route("/assets/app.css", get(pages::style))
        .route("/api/login", post(api::login))
        .route("/api/logout", post(api::logout))
        .route("/api/round", get(api::round))
        .route("/api/sample", get(api::sample))
        .route("/api/results", post(api::results))
        .route("/api/amend", post(api::amend))
        .route("/api/verify", get(api::verify))
        .route("/api/report", get(api::report))
        .fallback(api::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            api::panicked,
        ))
        .with_state(app);
    security_headers(routes)
}

/// Without TLS a password crosses the network in clear: only a loopback
/// address is served unless the office says `--insecure-http`.
fn check_listen(addr: SocketAddr, insecure_http: bool) -> Result<()> {
    if addr.ip().is_loopback() || insecure_http {
        Ok(())
    } else {
        Err(Error::refused(t!("serve.non-loopback", addr)))
    }
}

/// Ctrl-C or SIGTERM: stop taking connections and finish those under way.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// A line on standard output; a closed stdout does not stop the server.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

pub fn run(dir: &Path, args: &ServeArgs) -> Result<()> {
    check_listen(args.listen, args.insecure_http)?;
    // The round must be one, its log whole, and its users file readable.
    {
        let round = Round::open(dir)?;
        round.users()?;
    }
    let app = Arc::new(App {
        dir: dir.to_path_buf(),
        sessions: Mutex::default(),
        limiter: Mutex::default(),
        hashing: tokio::sync::Semaphore::new(2),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io(t!("serve.runtime"), e))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| Error::io(args.listen.to_string(), e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io(args.listen.to_string(), e))?;
        say(&t!("serve.listening", addr, dir = dir.display()));
        axum::serve(listener, router(app))
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(|e| Error::io(addr.to_string(), e))
    })?;
    say(&t!("serve.stopped"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_without_insecure_http() {
        let v4: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let v6: SocketAddr = "[::1]:8080".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let lan: SocketAddr = "192.0.2.7:8080".parse().unwrap();
        assert!(check_listen(v4, false).is_ok());
        assert!(check_listen(v6, false).is_ok());
        assert!(check_listen(any, false).is_err());
        assert!(check_listen(lan, false).is_err());
        assert!(check_listen(lan, true).is_ok());
    }
}
