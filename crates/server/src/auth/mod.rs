//! Authentication and authorisation for every request, in one middleware (`middleware`):
//! who is asking (a bearer token, a session cookie, or nobody), what the policy
//! (`policy::POLICY`) asks of the request, the CSRF check for cookie-authenticated writes,
//! and the audit entry of every write (`audit`), written before the response goes out.
//!
//! Modes. A store without users at all, served on a loopback address, is an open
//! single-user local server: every request acts as `local` with the admin role, flagged in
//! the log and on every page; it still refuses Host names other than loopback ones (DNS
//! rebinding) and writes whose `Origin` is another site. Bound elsewhere without users the
//! server refuses to start (`check_startup`). Once a user exists, every request needs
//! credentials except the few open rules (health, login, public key, stylesheet).
//!
//! Cookies are `HttpOnly; SameSite=Strict; Path=/`, and `Secure` when the login came over
//! HTTPS through a proxy that says so (`X-Forwarded-Proto: https`).

mod api;
pub mod audit;
pub mod partner;
pub mod policy;
mod throttle;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use lotrace_store::{ApiToken, Store, StoreError, User};
use sha2::{Digest, Sha256};

pub(crate) use api::{AuditQuery, set_disabled as set_user_disabled};
pub use api::{audit_csv, routes};
pub use partner::PartnerScope;
pub use policy::{Methods, Need, POLICY, Role, Rule, Scope};

use crate::AppState;
use crate::problem::Problem;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "lotrace_session";
/// A session ends this long after login, used or not.
pub const SESSION_MAX_AGE_S: i64 = 8 * 3600;
/// A session unused this long ends.
pub const SESSION_IDLE_S: i64 = 3600;
/// A session's last use is recorded at most this often.
const SESSION_TOUCH_S: i64 = 60;
/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, in bytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// While a store has no users, whether it has some is asked again at most this often.
const USERS_RECHECK: Duration = Duration::from_secs(1);
/// The prefix of every API token's secret.
pub const TOKEN_PREFIX: &str = "lt_";
/// The actor name of an open local server.
pub const LOCAL_ACTOR: &str = "local";

/// What the server knows about access: where it is bound, whether users exist, failed
/// logins. Cheap to clone (one `Arc`).
#[derive(Clone, Default)]
pub struct Auth {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// 0: not known (not started through `serve`), 1: loopback, 2: another address.
    bound: AtomicU8,
    /// Once true, stays true: users are disabled, never deleted.
    users_exist: AtomicBool,
    checked_at: std::sync::Mutex<Option<Instant>>,
    throttle: std::sync::Mutex<throttle::Throttle>,
    warned_open: AtomicBool,
}

impl Auth {
    fn set_bound(&self, addr: SocketAddr) {
        let value = if addr.ip().is_loopback() { 1 } else { 2 };
        self.inner.bound.store(value, Ordering::Relaxed);
    }

    fn open_allowed(&self) -> bool {
        self.inner.bound.load(Ordering::Relaxed) == 1
    }

    /// Whether the store has users (authentication on).
    async fn users_exist(&self, store: &Store) -> Result<bool, StoreError> {
        if self.inner.users_exist.load(Ordering::Relaxed) {
            return Ok(true);
        }
        {
            let mut checked = self.inner.checked_at.lock().expect("not poisoned");
            if checked.is_some_and(|at| at.elapsed() < USERS_RECHECK) {
                return Ok(false);
            }
            *checked = Some(Instant::now());
        }
        let exist = store.user_count().await? > 0;
        if exist {
            self.inner.users_exist.store(true, Ordering::Relaxed);
            tracing::info!("users exist: authentication is on");
        }
        Ok(exist)
    }

    fn throttle(&self) -> std::sync::MutexGuard<'_, throttle::Throttle> {
        self.inner.throttle.lock().expect("not poisoned")
    }

    /// Some: logins for `name` (or from `address`) are refused for this long.
    pub(crate) fn login_locked(&self, name: &str, address: Option<IpAddr>) -> Option<Duration> {
        self.throttle().check(name, address)
    }

    pub(crate) fn login_failed(&self, name: &str, address: Option<IpAddr>) {
        self.throttle().failed(name, address);
    }

    pub(crate) fn login_succeeded(&self, name: &str) {
        self.throttle().succeeded(name);
    }
}

/// Starts a web session for `user`; the cookie value (kept only as its SHA-256).
pub(crate) async fn new_session(state: &AppState, user: &str) -> Result<String, AuthError> {
    let secret = random_secret()?;
    let expires = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(SESSION_MAX_AGE_S);
    state
        .app
        .store()
        .create_session(&secret_sha256(&secret), user, expires)
        .await?;
    Ok(secret)
}

/// Who is asking.
#[derive(Clone, Debug)]
pub struct Principal {
    pub name: String,
    pub kind: ActorKind,
    /// The role it acts with (a token's scope mapped onto the roles).
    pub role: Role,
    /// The user's role or the token's scope, as the audit trail records it.
    pub label: &'static str,
    /// Set for a partner token: what it may see.
    pub partner: Option<Arc<PartnerScope>>,
    /// Authenticated by the session cookie (so writes are checked against CSRF); the hash of
    /// the session id.
    pub session: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorKind {
    User,
    Token,
    /// The open single-user local server.
    Local,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::User => "user",
            ActorKind::Token => "token",
            ActorKind::Local => "local",
        }
    }
}

impl Principal {
    fn local() -> Principal {
        Principal {
            name: LOCAL_ACTOR.to_owned(),
            kind: ActorKind::Local,
            role: Role::Admin,
            label: "admin",
            partner: None,
            session: None,
        }
    }
}

tokio::task_local! {
    /// The principal of the request being served (None: an open rule, nobody signed in).
    static PRINCIPAL: Option<Principal>;
}

/// The principal of the request being served, if any.
pub fn current() -> Option<Principal> {
    PRINCIPAL.try_with(Clone::clone).ok().flatten()
}

/// The partner scope of the request being served, if it came with a partner token.
pub fn current_partner() -> Option<Arc<PartnerScope>> {
    PRINCIPAL
        .try_with(|p| p.as_ref().and_then(|p| p.partner.clone()))
        .ok()
        .flatten()
}

/// An override of a BOM check (a production against an order that uses an input its BOM
/// refuses) needs the quality role (issue 12). The app checks the override's reason; the
/// role is known only here, so the API and the forms ask this before they run a production.
/// The error names the field and who lacks what.
pub fn check_override_role(operation: &lotrace_core::ops::Operation) -> Result<(), String> {
    let lotrace_core::ops::Operation::Produce(produce) = operation else {
        return Ok(());
    };
    if produce.overrides.is_empty() {
        return Ok(());
    }
    match current() {
        Some(principal) if principal.role >= Role::Quality => Ok(()),
        Some(principal) => Err(format!(
            "overrides: overriding a BOM check needs the quality role; {} has the role {}",
            principal.name, principal.label
        )),
        None => Err(
            "overrides: overriding a BOM check needs a signed-in user with the quality role"
                .to_owned(),
        ),
    }
}

/// What the frame of every page shows about access (`templates/base.html`).
pub struct PageAccess {
    /// An open local server: the banner.
    pub open: bool,
    /// The signed-in user (or token).
    pub user_name: Option<String>,
    pub role: &'static str,
    pub admin: bool,
}

/// The access facts of the page being rendered.
pub fn page_access() -> PageAccess {
    let principal = current();
    PageAccess {
        open: principal
            .as_ref()
            .is_some_and(|p| p.kind == ActorKind::Local),
        admin: principal
            .as_ref()
            .is_some_and(|p| p.role == Role::Admin && p.kind != ActorKind::Local),
        role: principal.as_ref().map_or("", |p| p.label),
        user_name: principal
            .filter(|p| p.kind != ActorKind::Local)
            .map(|p| p.name),
    }
}

/// Why a server bound to `addr` must not start: the store has no users and `addr` is not a
/// loopback address. None: it may start.
pub async fn refuse_to_start(
    store: &Store,
    addr: SocketAddr,
) -> Result<Option<String>, StoreError> {
    if addr.ip().is_loopback() || store.user_count().await? > 0 {
        return Ok(None);
    }
    Ok(Some(format!(
        "refusing to serve {addr} without authentication: the store has no users. Create an \
         admin first (`LOTRACE_PASSWORD=... lotrace user add admin --role admin`), or start \
         with LOTRACE_ADMIN_PASSWORD set, or bind a loopback address such as 127.0.0.1 for an \
         open single-user local server"
    )))
}

/// Run by `serve` before it accepts connections: without users, a server bound to anything
/// but a loopback address refuses to start.
pub(crate) async fn check_startup(state: &AppState, addr: SocketAddr) -> std::io::Result<()> {
    state.auth.set_bound(addr);
    let store = state.app.store();
    if let Some(why) = refuse_to_start(store, addr)
        .await
        .map_err(std::io::Error::other)?
    {
        return Err(std::io::Error::other(why));
    }
    if state
        .auth
        .users_exist(store)
        .await
        .map_err(std::io::Error::other)?
    {
        tracing::info!("authentication is on");
    } else {
        warn_open(state);
    }
    Ok(())
}

fn warn_open(state: &AppState) {
    if !state.auth.inner.warned_open.swap(true, Ordering::Relaxed) {
        tracing::warn!(
            "OPEN LOCAL SERVER: the store has no users, so there is no login and every request \
             acts as admin; it answers loopback addresses only. Create a user \
             (`lotrace user add NAME --role admin`) to turn authentication on"
        );
    }
}

/// Hashes a password with Argon2id (a PHC string with its own random salt). Checks its
/// length first.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    check_password(password)?;
    use argon2::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches the PHC string `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::PasswordVerifier;
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    match argon2::password_hash::phc::PasswordHash::new(hash) {
        Ok(parsed) => argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

pub fn check_password(password: &str) -> Result<(), AuthError> {
    if password.chars().count() < MIN_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(AuthError::Invalid {
            field: "password",
            message: format!(
                "must be {MIN_PASSWORD_CHARS} characters to {MAX_PASSWORD_BYTES} bytes long"
            ),
        });
    }
    Ok(())
}

/// 32 random bytes, base64url.
fn random_secret() -> Result<String, AuthError> {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| AuthError::Internal(format!("no randomness from the OS: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// SHA-256 (hex) of a token secret or session id: what the store keeps.
pub fn secret_sha256(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Errors of managing users and tokens, for the API, the UI and the CLI.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    Exists(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<AuthError> for Problem {
    fn from(e: AuthError) -> Problem {
        match e {
            AuthError::Invalid { field, message } => {
                let mut p = Problem::new(
                    StatusCode::BAD_REQUEST,
                    "urn:lotrace:problem:invalid-field",
                    format!("{field}: {message}"),
                );
                p.errors = vec![serde_json::json!({ "field": field, "message": message })];
                p
            }
            AuthError::Exists(m) => {
                Problem::new(StatusCode::CONFLICT, "urn:lotrace:problem:exists", m)
            }
            AuthError::NotFound(m) => Problem::not_found(m),
            AuthError::Store(StoreError::InvalidAuth(m)) => Problem::new(
                StatusCode::BAD_REQUEST,
                "urn:lotrace:problem:invalid-field",
                m,
            ),
            AuthError::Store(e @ StoreError::AuthExists { .. }) => Problem::new(
                StatusCode::CONFLICT,
                "urn:lotrace:problem:exists",
                e.to_string(),
            ),
            AuthError::Store(e) => Problem::internal(e),
            AuthError::Internal(m) => Problem::internal(m),
        }
    }
}

/// Adds a user (name, role, password checked; the password hashed with Argon2id).
pub async fn add_user(
    store: &Store,
    name: &str,
    role: &str,
    password: &str,
) -> Result<User, AuthError> {
    let Some(role) = Role::parse(role) else {
        return Err(AuthError::Invalid {
            field: "role",
            message: format!("{role:?} is not one of viewer, operator, quality, admin"),
        });
    };
    lotrace_store::check_auth_name("name", name).map_err(AuthError::Store)?;
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AuthError::Internal(e.to_string()))??;
    Ok(store.create_user(name, role.as_str(), &hash).await?)
}

/// Makes an API token; the secret (`lt_…`) is in the answer and nowhere else.
pub async fn create_token(
    store: &Store,
    name: &str,
    scope: &str,
    partner: Option<&str>,
    created_by: &str,
) -> Result<(ApiToken, String), AuthError> {
    let Some(scope) = Scope::parse(scope) else {
        return Err(AuthError::Invalid {
            field: "scope",
            message: format!("{scope:?} is not one of read, capture, admin"),
        });
    };
    if let Some(code) = partner {
        if scope == Scope::Admin {
            return Err(AuthError::Invalid {
                field: "scope",
                message: "a partner token's scope is read or capture".into(),
            });
        }
        if store.master_record("party", code).await?.is_none() {
            return Err(AuthError::Invalid {
                field: "partner",
                message: format!("no party with code {code:?} in the master data"),
            });
        }
    }
    lotrace_store::check_auth_name("name", name).map_err(AuthError::Store)?;
    let secret = format!("{TOKEN_PREFIX}{}", random_secret()?);
    let id = format!("tok_{}", &secret_sha256(&random_secret()?)[..12]);
    let token = store
        .create_token(&lotrace_store::NewToken {
            id: &id,
            name,
            scope: scope.as_str(),
            partner,
            secret_sha256: &secret_sha256(&secret),
            created_by,
        })
        .await?;
    Ok((token, secret))
}

/// Why a request is not let through.
enum Denied {
    /// No (usable) credentials.
    Unauthenticated(String),
    /// Credentials, but not enough.
    Forbidden(String),
    /// The server cannot serve at all (no users, not on loopback).
    Unavailable(String),
}

fn is_api(path: &str) -> bool {
    ["/api/", "/epcis", "/.well-known/", "/health"]
        .iter()
        .any(|p| path.starts_with(p))
}

fn deny(denied: Denied, path_and_query: &str, write: bool) -> Response {
    let path = path_and_query.split('?').next().unwrap_or("/");
    match denied {
        Denied::Unauthenticated(detail) => {
            if !is_api(path) && !write {
                let next = crate::ui::encode(path_and_query);
                return Redirect::to(&format!("/login?next={next}")).into_response();
            }
            let mut response = Problem::new(
                StatusCode::UNAUTHORIZED,
                "urn:lotrace:problem:unauthenticated",
                detail,
            )
            .into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"lotrace\""),
            );
            response
        }
        Denied::Forbidden(detail) => {
            if is_api(path) {
                Problem::new(
                    StatusCode::FORBIDDEN,
                    "urn:lotrace:problem:forbidden",
                    detail,
                )
                .into_response()
            } else {
                crate::ui::render(
                    &crate::ui::Message {
                        layout: crate::ui::Layout::new(""),
                        title: "Not allowed".into(),
                        text: detail,
                    },
                    StatusCode::FORBIDDEN,
                )
            }
        }
        Denied::Unavailable(detail) => Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "urn:lotrace:problem:no-users",
            detail,
        )
        .into_response(),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The value of the session cookie, if the request carries one.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

/// Who the credentials name: Ok(None) without credentials (or with a session that ended).
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Option<Principal>, Denied> {
    let store = state.app.store();
    if headers.contains_key(header::AUTHORIZATION) {
        let Some(secret) = bearer(headers) else {
            return Err(Denied::Unauthenticated(
                "the Authorization header must be `Bearer <token>`".into(),
            ));
        };
        let token = store
            .token_by_secret_sha256(&secret_sha256(secret))
            .await
            .map_err(|e| Denied::Unavailable(format!("cannot check the token: {e}")))?;
        let Some(token) = token else {
            return Err(Denied::Unauthenticated(
                "the bearer token is not valid".into(),
            ));
        };
        if let Some(at) = token.revoked_at {
            return Err(Denied::Unauthenticated(format!(
                "the token {:?} was revoked at {at}",
                token.name
            )));
        }
        let Some(scope) = Scope::parse(&token.scope) else {
            return Err(Denied::Unauthenticated(format!(
                "the token {:?} has an unknown scope",
                token.name
            )));
        };
        let partner = match &token.partner {
            Some(code) => {
                let catalog = state.app.catalog().await;
                Some(Arc::new(PartnerScope::of_party(&catalog, code)))
            }
            None => None,
        };
        return Ok(Some(Principal {
            name: token.name,
            kind: ActorKind::Token,
            role: scope.role(),
            label: scope.as_str(),
            partner,
            session: None,
        }));
    }
    let Some(cookie) = session_cookie(headers) else {
        return Ok(None);
    };
    let id = secret_sha256(cookie);
    let session = store
        .session(&id)
        .await
        .map_err(|e| Denied::Unavailable(format!("cannot check the session: {e}")))?;
    let Some(session) = session else {
        return Ok(None);
    };
    let now = jiff::Timestamp::now();
    let idle = now.as_second() - session.last_seen.as_second();
    if idle > SESSION_IDLE_S {
        let _ = store.delete_session(&id).await;
        return Ok(None);
    }
    if idle > SESSION_TOUCH_S {
        let _ = store.touch_session(&id).await;
    }
    let Some(role) = Role::parse(&session.user.role) else {
        return Ok(None);
    };
    Ok(Some(Principal {
        name: session.user.name,
        kind: ActorKind::User,
        role,
        label: role.as_str(),
        partner: None,
        session: Some(id),
    }))
}

/// `host[:port]` of an Origin or Referer URL, lowercased.
fn authority(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then(|| authority.to_ascii_lowercase())
}

/// Where the request says it came from: the Origin header, else the Referer.
fn claimed_origin(headers: &HeaderMap) -> Option<Option<String>> {
    let value = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(origin) = value(header::ORIGIN) {
        return Some(authority(origin));
    }
    value(header::REFERER).map(authority)
}

/// Whether `authority` is this server as the request addressed it (Host, or the
/// X-Forwarded-Host a proxy set).
fn is_own_host(headers: &HeaderMap, authority: &str) -> bool {
    [header::HOST.as_str(), "x-forwarded-host"]
        .iter()
        .filter_map(|name| headers.get(*name).and_then(|v| v.to_str().ok()))
        .flat_map(|v| v.split(','))
        .any(|host| host.trim().eq_ignore_ascii_case(authority))
}

/// CSRF check for a write: Ok when it names no other site. `strict`: it must name this
/// one (cookie-authenticated writes); otherwise a request naming no origin at all passes
/// (tools, the open local server).
fn same_origin(headers: &HeaderMap, strict: bool) -> Result<(), Denied> {
    match claimed_origin(headers) {
        Some(Some(authority)) if is_own_host(headers, &authority) => Ok(()),
        None if !strict => Ok(()),
        None => Err(Denied::Forbidden(
            "cross-site request refused: a write with the session cookie must carry an Origin \
             (or Referer) header naming this server"
                .into(),
        )),
        Some(_) => Err(Denied::Forbidden(
            "cross-site request refused: the Origin (or Referer) names another site".into(),
        )),
    }
}

/// Whether the Host names a loopback address (DNS rebinding defence of the open server).
fn host_is_loopback(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return true; // HTTP/1.0 without Host: only a local tool does that
    };
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The client's address: the peer, or (when the peer is a proxy on this machine) the last
/// address it added to X-Forwarded-For.
pub fn client_address(req_headers: &HeaderMap, peer: Option<SocketAddr>) -> Option<IpAddr> {
    let peer = peer?.ip();
    if peer.is_loopback()
        && let Some(forwarded) = req_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    {
        return Some(forwarded);
    }
    Some(peer)
}

fn decide(
    principal: &Principal,
    rule: &Rule,
    write: bool,
    headers: &HeaderMap,
) -> Result<(), Denied> {
    if principal.partner.is_some() && !rule.partner {
        return Err(Denied::Forbidden(
            "a partner token may only query events (/epcis/events and the resource \
             endpoints), run traces and capture"
                .into(),
        ));
    }
    if let Need::Role(need) = rule.need
        && principal.role < need
    {
        let what = match principal.kind {
            ActorKind::Token => format!(
                "the token {:?} has scope {}",
                principal.name, principal.label
            ),
            _ => format!("{} has the role {}", principal.name, principal.label),
        };
        let needed = match principal.kind {
            ActorKind::Token => match need {
                Role::Viewer => "scope read",
                Role::Operator => "scope capture",
                Role::Quality | Role::Admin => "scope admin",
            },
            _ => need.as_str(),
        };
        return Err(Denied::Forbidden(format!(
            "{what}; this needs {needed}{}",
            if principal.kind == ActorKind::Token {
                ""
            } else {
                " or above"
            }
        )));
    }
    if write && principal.session.is_some() {
        same_origin(headers, true)?;
    }
    Ok(())
}

/// The middleware in front of every route (`lib.rs`).
pub async fn middleware(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let write = policy::is_write(req.method());
    let path_and_query = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
    let path = req.uri().path().to_owned();
    let rule = policy::rule_for(write, &path);
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let address = client_address(req.headers(), peer);
    let users = match state.auth.users_exist(state.app.store()).await {
        Ok(users) => users,
        Err(e) => return Problem::internal(e).into_response(),
    };
    let principal = if !users {
        if !state.auth.open_allowed() {
            return deny(
                Denied::Unavailable(
                    "the store has no users and this server is not on a loopback address; \
                     create one with `lotrace user add NAME --role admin`"
                        .into(),
                ),
                &path_and_query,
                write,
            );
        }
        warn_open(&state);
        if !host_is_loopback(req.headers()) {
            return deny(
                Denied::Forbidden(
                    "this open local server answers only requests addressed to localhost or a \
                     loopback address"
                        .into(),
                ),
                &path_and_query,
                write,
            );
        }
        if write && let Err(denied) = same_origin(req.headers(), false) {
            return deny(denied, &path_and_query, write);
        }
        Some(Principal::local())
    } else {
        let principal = match authenticate(&state, req.headers()).await {
            Ok(p) => p,
            // An open route answers anyone, bad credentials or not.
            Err(_) if rule.need == Need::Open => None,
            Err(denied) => return deny(denied, &path_and_query, write),
        };
        match (&rule.need, principal) {
            (Need::Open, principal) => {
                if write && let Err(denied) = same_origin(req.headers(), false) {
                    return deny(denied, &path_and_query, write);
                }
                principal
            }
            (Need::Role(_), None) => {
                return deny(
                    Denied::Unauthenticated(
                        "sign in (a session cookie from /login) or send `Authorization: \
                         Bearer <token>`"
                            .into(),
                    ),
                    &path_and_query,
                    write,
                );
            }
            (Need::Role(_), Some(principal)) => {
                if let Err(denied) = decide(&principal, rule, write, req.headers()) {
                    let response = deny(denied, &path_and_query, write);
                    if write && rule.audit {
                        let method = req.method().clone();
                        return audit::record(
                            &state,
                            &principal,
                            &method,
                            &path_and_query,
                            address,
                            response,
                        )
                        .await;
                    }
                    return response;
                }
                // Who acts, for the handlers that record it: the authenticated name,
                // whatever the client sent.
                if let Ok(name) = HeaderValue::from_str(&principal.name) {
                    req.headers_mut().insert("x-lotrace-operator", name);
                }
                Some(principal)
            }
        }
    };
    let method = req.method().clone();
    let response = PRINCIPAL.scope(principal.clone(), next.run(req)).await;
    match principal {
        Some(principal) if write && rule.audit => {
            audit::record(
                &state,
                &principal,
                &method,
                &path_and_query,
                address,
                response,
            )
            .await
        }
        _ => response,
    }
}
