//! lotrace over HTTP. Handlers are thin: they parse the request, call the store or the
//! trace index, and shape the answer. State is passed explicitly in `AppState`.

mod analytics_api;
mod api;
pub mod auth;
mod bom_api;
mod documents_api;
mod epcis;
mod exports_api;
mod import_api;
mod label_api;
mod limits;
mod problem;
mod recalls_api;
mod scan_api;
mod ui;

use std::future::Future;

use axum::extract::{DefaultBodyLimit, State};
use axum::routing::get;
use axum::{Json, Router};
use lotrace_app::App;
use serde_json::json;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

pub use epcis::subscriptions::hmac_sha256_hex;
pub use epcis::{EPCIS_CONTEXT, query_document, query_xml_document};
pub use epcis::{export as epcis_export, params as epcis_params, query as epcis_query};
pub use problem::Problem;

/// Limits on what one request, and all clients together, may ask of the server. Each is
/// answered with a problem naming it (`limits`, `epcis::capture`).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub max_capture_events: usize,
    pub request_timeout_ms: u64,
    /// Connections open at once; one more is answered 503 and closed.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 64 * 1024 * 1024,
            max_capture_events: 100_000,
            request_timeout_ms: 60_000,
            max_connections: 1_024,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub limits: Limits,
    /// The delivery tasks of EPCIS webhook subscriptions.
    pub subscriptions: std::sync::Arc<epcis::subscriptions::Subscriptions>,
    /// The public half of the site's export signing key (a JWK), served at
    /// `/.well-known/lotrace/signing-key`; None: no key, 404.
    pub signing_key: Option<std::sync::Arc<serde_json::Value>>,
    /// Access control: users, sessions, login throttling (`auth`).
    pub auth: auth::Auth,
}

impl AppState {
    pub fn new(app: App, limits: Limits) -> AppState {
        AppState {
            app,
            limits,
            subscriptions: Default::default(),
            signing_key: None,
            auth: auth::Auth::default(),
        }
    }
}

pub fn router(state: AppState) -> Router {
    let limits = state.limits;
    Router::new()
        .route("/health", get(health))
        .route("/.well-known/lotrace/signing-key", get(signing_key))
        .merge(epcis::routes())
        .merge(api::routes())
        .merge(scan_api::routes())
        .merge(documents_api::routes())
        .merge(label_api::routes())
        .merge(recalls_api::routes())
        .merge(exports_api::routes())
        .merge(analytics_api::routes())
        .merge(import_api::routes())
        .merge(bom_api::routes())
        .merge(ui::routes())
        .merge(auth::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::middleware,
        ))
        .with_state(state)
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(
            limits,
            limits::middleware,
        ))
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http())
}

async fn health(State(state): State<AppState>) -> Result<Json<serde_json::Value>, Problem> {
    let events = state.app.store().event_count().await?;
    Ok(Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "events": events,
    })))
}

/// The public key that checks this site's signed exports (`lotrace verify-export`).
async fn signing_key(State(state): State<AppState>) -> Result<Json<serde_json::Value>, Problem> {
    match &state.signing_key {
        Some(key) => Ok(Json(serde_json::Value::clone(key))),
        None => Err(Problem::not_found(
            "this server has no signing key; `lotrace keys init` makes one",
        )),
    }
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    auth::check_startup(&state, listener.local_addr()?).await?;
    if let Err(e) = epcis::subscriptions::resume_all(&state).await {
        tracing::warn!(detail = %e.detail, "EPCIS subscriptions not resumed");
    }
    let subscriptions = state.subscriptions.clone();
    let max_connections = state.limits.max_connections;
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    // `tap_io` only so that the client address (`ConnectInfo<SocketAddr>`) is available for
    // this listener type as it is for a bare `TcpListener`.
    let listener = axum::serve::ListenerExt::tap_io(
        limits::ConnectionLimit::new(listener, max_connections),
        |_| {},
    );
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    subscriptions.stop_all();
    served
}
