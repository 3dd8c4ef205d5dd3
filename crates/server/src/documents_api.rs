//! Documents that events cite: `POST /api/v1/documents` keeps the request body (a certificate
//! of analysis, a lab report) under its SHA-256 and answers the URI to cite, for example as an
//! inspection's `certificate`; `GET /api/v1/documents/{sha256}` gives the bytes back.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lotrace_store::{Document, StoreError};
use serde::Deserialize;

use crate::AppState;
use crate::problem::Problem;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/documents", post(upload))
        .route("/api/v1/documents/{sha256}", get(download))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadQuery {
    /// The file's name, as the uploader knows it.
    name: String,
}

async fn upload(
    State(state): State<AppState>,
    query: Result<Query<UploadQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let Query(q) = query.map_err(|r| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "urn:lotrace:problem:invalid-query",
            format!("{}; expected ?name=FILE_NAME", r.body_text()),
        )
    })?;
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream");
    let document = Document::new(body.to_vec(), media_type, &q.name).map_err(invalid)?;
    let stored = state.app.store().put_document(&document).await?;
    Ok((StatusCode::CREATED, Json(stored)).into_response())
}

fn invalid(e: StoreError) -> Problem {
    match e {
        StoreError::InvalidDocument(detail) => Problem::new(
            StatusCode::BAD_REQUEST,
            "urn:lotrace:problem:invalid-document",
            detail,
        ),
        other => Problem::internal(other),
    }
}

async fn download(
    State(state): State<AppState>,
    Path(sha256): Path<String>,
) -> Result<Response, Problem> {
    let document = state
        .app
        .store()
        .document(&sha256)
        .await?
        .ok_or_else(|| Problem::not_found(format!("no document with SHA-256 {sha256:?}")))?;
    let media = HeaderValue::from_str(&document.meta.media_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let file_name: String = document
        .meta
        .file_name
        .chars()
        .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\')
        .collect();
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    Ok((
        [
            (header::CONTENT_TYPE, media),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        document.body,
    )
        .into_response())
}
