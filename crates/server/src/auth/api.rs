//! Users, tokens and the audit trail over HTTP (admin only, see the policy):
//! `/api/v1/users`, `/api/v1/tokens`, `/api/v1/audit`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lotrace_store::{AuditEntry, AuditFilter};
use serde::Deserialize;
use serde_json::json;

use super::audit::AuditNote;
use super::{AuthError, add_user, create_token, current};
use crate::AppState;
use crate::problem::Problem;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users", get(list_users).post(new_user))
        .route("/api/v1/users/{name}", axum::routing::put(update_user))
        .route("/api/v1/users/{name}/{action}", post(enable_user))
        .route("/api/v1/tokens", get(list_tokens).post(new_token))
        .route("/api/v1/tokens/{id}/revoke", post(revoke_token))
        .route("/api/v1/audit", get(audit))
}

fn body<T: serde::de::DeserializeOwned>(
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<T, Problem> {
    let value = crate::api::json_body(body)?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        Problem::new(
            StatusCode::BAD_REQUEST,
            "urn:lotrace:problem:invalid-field",
            format!("{field}: {}", e.inner()),
        )
    })
}

fn noted(response: impl IntoResponse, note: String) -> Response {
    let mut response = response.into_response();
    response.extensions_mut().insert(AuditNote(note));
    response
}

async fn list_users(State(state): State<AppState>) -> Result<Response, Problem> {
    let users = state.app.store().users().await.map_err(AuthError::from)?;
    Ok(Json(users).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    name: String,
    role: String,
    password: String,
}

async fn new_user(
    State(state): State<AppState>,
    request: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Response, Problem> {
    let u: NewUser = body(request)?;
    let user = add_user(state.app.store(), &u.name, &u.role, &u.password).await?;
    let note = format!("user {} added as {}", user.name, user.role);
    Ok(noted((StatusCode::CREATED, Json(user)), note))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserChange {
    role: Option<String>,
    password: Option<String>,
}

async fn update_user(
    State(state): State<AppState>,
    Path(name): Path<String>,
    request: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Response, Problem> {
    let change: UserChange = body(request)?;
    let note = change_user(
        &state,
        &name,
        change.role.as_deref(),
        change.password.as_deref(),
    )
    .await?;
    let user = state
        .app
        .store()
        .user(&name)
        .await
        .map_err(AuthError::from)?;
    Ok(noted(Json(user), note))
}

/// Sets a user's role and/or password; the audit note.
pub(crate) async fn change_user(
    state: &AppState,
    name: &str,
    role: Option<&str>,
    password: Option<&str>,
) -> Result<String, AuthError> {
    if let Some(r) = role
        && super::Role::parse(r).is_none()
    {
        return Err(AuthError::Invalid {
            field: "role",
            message: format!("{r:?} is not one of viewer, operator, quality, admin"),
        });
    }
    let hash = match password {
        Some(p) => {
            let p = p.to_owned();
            Some(
                tokio::task::spawn_blocking(move || super::hash_password(&p))
                    .await
                    .map_err(|e| AuthError::Internal(e.to_string()))??,
            )
        }
        None => None,
    };
    if !state
        .app
        .store()
        .update_user(name, role, hash.as_deref())
        .await?
    {
        return Err(AuthError::NotFound(format!("no user {name:?}")));
    }
    let mut note = format!("user {name}");
    if let Some(r) = role {
        note.push_str(&format!(" role {r}"));
    }
    if password.is_some() {
        note.push_str(" password changed");
    }
    Ok(note)
}

async fn enable_user(
    State(state): State<AppState>,
    Path((name, action)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let disabled = match action.as_str() {
        "disable" => true,
        "enable" => false,
        other => {
            return Err(Problem::not_found(format!(
                "no action {other:?}; use disable or enable"
            )));
        }
    };
    set_disabled(&state, &name, disabled).await?;
    let user = state
        .app
        .store()
        .user(&name)
        .await
        .map_err(AuthError::from)?;
    Ok(noted(Json(user), format!("user {name} {action}d")))
}

pub(crate) async fn set_disabled(
    state: &AppState,
    name: &str,
    disabled: bool,
) -> Result<(), AuthError> {
    if disabled && current().is_some_and(|p| p.name == name && p.kind == super::ActorKind::User) {
        return Err(AuthError::Invalid {
            field: "name",
            message: "you cannot disable yourself".into(),
        });
    }
    if !state.app.store().set_user_disabled(name, disabled).await? {
        return Err(AuthError::NotFound(format!("no user {name:?}")));
    }
    Ok(())
}

async fn list_tokens(State(state): State<AppState>) -> Result<Response, Problem> {
    let tokens = state.app.store().tokens().await.map_err(AuthError::from)?;
    Ok(Json(tokens).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTokenBody {
    name: String,
    scope: String,
    partner: Option<String>,
}

async fn new_token(
    State(state): State<AppState>,
    request: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Response, Problem> {
    let t: NewTokenBody = body(request)?;
    let creator = current().map_or_else(|| "api".to_owned(), |p| p.name);
    let (token, secret) = create_token(
        state.app.store(),
        &t.name,
        &t.scope,
        t.partner.as_deref(),
        &creator,
    )
    .await?;
    let note = format!(
        "token {} ({}) created, scope {}",
        token.name, token.id, token.scope
    );
    let mut response = noted(
        (
            StatusCode::CREATED,
            Json(json!({ "token": token, "secret": secret })),
        ),
        note,
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, "no-store".parse().expect("valid"));
    Ok(response)
}

async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let Some(token) = state
        .app
        .store()
        .revoke_token(&id)
        .await
        .map_err(AuthError::from)?
    else {
        return Err(Problem::not_found(format!("no token {id:?}")));
    };
    let note = format!("token {} ({}) revoked", token.name, token.id);
    Ok(noted(Json(token), note))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuditQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub user: Option<String>,
    pub after: Option<i64>,
    pub limit: Option<u32>,
    /// `json` (the default) or `csv`.
    pub format: Option<String>,
}

/// An RFC 3339 instant or a date (midnight UTC), naming the parameter when it is neither.
fn instant(field: &'static str, text: &str) -> Result<jiff::Timestamp, AuthError> {
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    text.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| AuthError::Invalid {
            field,
            message: format!("{text:?} is not an RFC 3339 time or a date (YYYY-MM-DD)"),
        })
}

impl AuditQuery {
    pub(crate) fn filter(&self) -> Result<AuditFilter, AuthError> {
        Ok(AuditFilter {
            from: self
                .from
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(|t| instant("from", t))
                .transpose()?,
            to: self
                .to
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(|t| instant("to", t))
                .transpose()?,
            actor: self.user.clone().filter(|s| !s.is_empty()),
            after_seq: self.after.unwrap_or(0),
            limit: self.limit.unwrap_or(lotrace_store::MAX_AUDIT_PAGE),
        })
    }
}

/// The audit entries as a CSV table (RFC 4180, through `lotrace_report::to_csv`).
pub fn audit_csv(entries: &[AuditEntry]) -> Result<Vec<u8>, lotrace_report::ReportError> {
    use lotrace_report::{Cell, Column, Table};
    let mut table = Table::new(
        "audit",
        vec![
            Column::number("seq"),
            Column::datetime("time"),
            Column::text("actor"),
            Column::text("actor_kind"),
            Column::text("role"),
            Column::text("method"),
            Column::text("path"),
            Column::number("status"),
            Column::text("summary"),
            Column::text("address"),
        ],
    );
    for e in entries {
        table.rows.push(vec![
            Cell::Integer(e.seq),
            Cell::DateTime(e.at),
            Cell::Text(e.actor.clone()),
            Cell::Text(e.actor_kind.clone()),
            Cell::Text(e.role.clone()),
            Cell::Text(e.method.clone()),
            Cell::Text(e.path.clone()),
            Cell::Integer(i64::from(e.status)),
            Cell::Text(e.summary.clone()),
            e.address.clone().map_or(Cell::Empty, Cell::Text),
        ]);
    }
    lotrace_report::to_csv(&table)
}

async fn audit(
    State(state): State<AppState>,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Problem> {
    let Query(q) = query.map_err(Problem::from)?;
    let filter = q.filter()?;
    let entries = state
        .app
        .store()
        .audit_entries(&filter)
        .await
        .map_err(AuthError::from)?;
    match q.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(json!({ "entries": entries })).into_response()),
        "csv" => {
            let bytes = audit_csv(&entries).map_err(Problem::internal)?;
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"audit.csv\"",
                    ),
                ],
                bytes,
            )
                .into_response())
        }
        other => Err(AuthError::Invalid {
            field: "format",
            message: format!("{other:?} is not json or csv"),
        }
        .into()),
    }
}
