//! Access pages: sign in and out, and for admins the users, the API tokens and the audit
//! trail. What a role may do is decided by the middleware (`crate::auth`), not here.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use lotrace_store::{ApiToken, AuditEntry, User};
use serde::Deserialize;

use super::{Layout, render, see_other};
use crate::AppState;
use crate::auth::{self, AuthError, Role, SESSION_COOKIE, SESSION_MAX_AGE_S, Scope};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/admin/users", get(users).post(add_user))
        .route("/admin/users/{name}/{action}", post(enable_user))
        .route("/admin/tokens", get(tokens).post(add_token))
        .route("/admin/tokens/{id}/revoke", post(revoke_token))
        .route("/admin/audit", get(audit))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    next: String,
    name: String,
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
    error: Option<String>,
    ok: Option<String>,
}

/// Only a path on this site (`/…`, not `//host`) is a place to go after signing in.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

async fn login_page(Query(q): Query<LoginQuery>) -> Response {
    let page = LoginPage {
        layout: Layout::new("").with_query_message(q.ok.as_deref(), q.error.as_deref()),
        next: safe_next(q.next.as_deref()),
        name: String::new(),
    };
    render(&page, StatusCode::OK)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// A hash to check against when the user does not exist, so that an unknown name takes as
/// long as a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| auth::hash_password("not a password of anyone").unwrap_or_default())
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(form): Form<LoginForm>,
) -> Response {
    let address = auth::client_address(&headers, peer.map(|Extension(c)| c.0));
    let next = safe_next(form.next.as_deref());
    let refuse = |status: StatusCode, message: &str| {
        let page = LoginPage {
            layout: Layout::new("").error(message),
            next: next.clone(),
            name: form.name.clone(),
        };
        render(&page, status)
    };
    if let Some(wait) = state.auth.login_locked(&form.name, address) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        auth::audit::record_login(&state, &form.name, 429, "login throttled", address).await;
        let mut response = refuse(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("Too many failed sign-ins; try again in {minutes} minute(s)."),
        );
        if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return response;
    }
    let user = state.app.store().user(&form.name).await.ok().flatten();
    let hash = user
        .as_ref()
        .filter(|u| !u.disabled)
        .map_or_else(|| dummy_hash().to_owned(), |u| u.password_hash.clone());
    let password = form.password.clone();
    let matches = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    let Some(user) = user.filter(|u| matches && !u.disabled) else {
        state.auth.login_failed(&form.name, address);
        auth::audit::record_login(&state, &form.name, 401, "login refused", address).await;
        return refuse(StatusCode::UNAUTHORIZED, "Wrong user name or password.");
    };
    state.auth.login_succeeded(&user.name);
    let secret = match auth::new_session(&state, &user.name).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "session not stored");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The server failed to sign you in; it has been logged.",
            );
        }
    };
    auth::audit::record_login(&state, &user.name, 303, "login", address).await;
    let secure = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let cookie = format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_MAX_AGE_S}{}",
        if secure { "; Secure" } else { "" }
    );
    let mut response = see_other(&next, "ok", &format!("Signed in as {}.", user.name));
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(cookie) = auth::session_cookie(&headers) {
        let _ = state
            .app
            .store()
            .delete_session(&auth::secret_sha256(cookie))
            .await;
    }
    let mut response = see_other("/login", "ok", "Signed out.");
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("lotrace_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    response
}

#[derive(Deserialize)]
struct Flashes {
    ok: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<User>,
    roles: Vec<&'static str>,
    min_password: usize,
}

async fn users_page(state: &AppState, layout: Layout, status: StatusCode) -> Response {
    let users = state.app.store().users().await.unwrap_or_default();
    let page = UsersPage {
        layout,
        users,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        min_password: auth::MIN_PASSWORD_CHARS,
    };
    render(&page, status)
}

async fn users(State(state): State<AppState>, Query(q): Query<Flashes>) -> Response {
    let layout = Layout::new("").with_query_message(q.ok.as_deref(), q.error.as_deref());
    users_page(&state, layout, StatusCode::OK).await
}

#[derive(Deserialize)]
struct UserForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

fn message(e: &AuthError) -> String {
    match e {
        AuthError::Store(s @ lotrace_store::StoreError::Database(_)) => {
            tracing::error!(error = %s, "request failed");
            "the server failed to do that; it has been logged".to_owned()
        }
        other => other.to_string(),
    }
}

async fn add_user(State(state): State<AppState>, Form(f): Form<UserForm>) -> Response {
    match auth::add_user(state.app.store(), &f.name, &f.role, &f.password).await {
        Ok(u) => see_other(
            "/admin/users",
            "ok",
            &format!("user {} added as {}", u.name, u.role),
        ),
        Err(e) => {
            let layout = Layout::new("").error(message(&e));
            users_page(&state, layout, StatusCode::BAD_REQUEST).await
        }
    }
}

async fn enable_user(
    State(state): State<AppState>,
    Path((name, action)): Path<(String, String)>,
) -> Response {
    let disabled = action == "disable";
    if !disabled && action != "enable" {
        return see_other("/admin/users", "error", "use disable or enable");
    }
    match crate::auth::set_user_disabled(&state, &name, disabled).await {
        Ok(()) => see_other("/admin/users", "ok", &format!("user {name} {action}d")),
        Err(e) => see_other("/admin/users", "error", &message(&e)),
    }
}

#[derive(Template)]
#[template(path = "admin_tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<ApiToken>,
    scopes: Vec<&'static str>,
    /// (name, secret) of the token just made: shown once.
    secret: Option<(String, String)>,
}

async fn tokens_page(
    state: &AppState,
    layout: Layout,
    secret: Option<(String, String)>,
    status: StatusCode,
) -> Response {
    let page = TokensPage {
        layout,
        tokens: state.app.store().tokens().await.unwrap_or_default(),
        scopes: Scope::ALL.iter().map(|s| s.as_str()).collect(),
        secret,
    };
    let mut response = render(&page, status);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn tokens(State(state): State<AppState>, Query(q): Query<Flashes>) -> Response {
    let layout = Layout::new("").with_query_message(q.ok.as_deref(), q.error.as_deref());
    tokens_page(&state, layout, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    partner: String,
}

async fn add_token(State(state): State<AppState>, Form(f): Form<TokenForm>) -> Response {
    let creator = auth::current().map_or_else(|| "ui".to_owned(), |p| p.name);
    let partner = Some(f.partner.trim()).filter(|p| !p.is_empty());
    match auth::create_token(state.app.store(), &f.name, &f.scope, partner, &creator).await {
        Ok((token, secret)) => {
            let layout = Layout::new("").with_query_message(
                Some(&format!(
                    "token {} created, scope {}",
                    token.name, token.scope
                )),
                None,
            );
            let mut response = tokens_page(
                &state,
                layout,
                Some((token.name.clone(), secret)),
                StatusCode::CREATED,
            )
            .await;
            response
                .extensions_mut()
                .insert(auth::audit::AuditNote(format!(
                    "token {} ({}) created, scope {}",
                    token.name, token.id, token.scope
                )));
            response
        }
        Err(e) => {
            let layout = Layout::new("").error(message(&e));
            tokens_page(&state, layout, None, StatusCode::BAD_REQUEST).await
        }
    }
}

async fn revoke_token(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match state.app.store().revoke_token(&id).await {
        Ok(Some(t)) => see_other(
            "/admin/tokens",
            "ok",
            &format!("token {} ({}) revoked", t.name, t.id),
        ),
        Ok(None) => see_other("/admin/tokens", "error", &format!("no token {id:?}")),
        Err(e) => see_other("/admin/tokens", "error", &message(&AuthError::Store(e))),
    }
}

/// Entries the audit page shows at most (the newest); the CSV has them all.
const AUDIT_PAGE_ROWS: usize = 500;

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    layout: Layout,
    entries: Vec<AuditEntry>,
    truncated: bool,
    from: String,
    to: String,
    user: String,
    csv_link: String,
}

async fn audit(State(state): State<AppState>, Query(q): Query<auth::AuditQuery>) -> Response {
    let csv_link = format!(
        "/api/v1/audit?format=csv&from={}&to={}&user={}",
        super::encode(q.from.as_deref().unwrap_or("")),
        super::encode(q.to.as_deref().unwrap_or("")),
        super::encode(q.user.as_deref().unwrap_or(""))
    );
    let mut layout = Layout::new("");
    let mut entries = Vec::new();
    match q.filter() {
        Ok(filter) => match state.app.store().audit_entries(&filter).await {
            Ok(e) => entries = e,
            Err(e) => layout = layout.error(message(&AuthError::Store(e))),
        },
        Err(e) => layout = layout.error(e.to_string()),
    }
    entries.reverse();
    let truncated = entries.len() > AUDIT_PAGE_ROWS;
    entries.truncate(AUDIT_PAGE_ROWS);
    let page = AuditPage {
        layout,
        entries,
        truncated,
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        user: q.user.clone().unwrap_or_default(),
        csv_link,
    };
    render(&page, StatusCode::OK).into_response()
}
