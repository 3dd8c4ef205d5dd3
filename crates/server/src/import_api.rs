//! Spreadsheet import over HTTP: `POST /api/v1/import/{kind}` takes a CSV or XLSX file, as
//! the raw body (`Content-Type: text/csv` or the XLSX type; anything else is sniffed) or as
//! the `file` part of a `multipart/form-data` upload; `{kind}` is a kind (products, ...,
//! shipments) or `auto` (from each sheet's name or header row). It answers the summary, or
//! a 422 problem whose `errors` list every refused row (sheet, row, column, cell, message);
//! nothing is written then. `GET /api/v1/import/templates/{kind}.{csv|xlsx}` serves the
//! templates.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lotrace_app::import::{ImportError, ImportSummary};
use lotrace_sheet::{Format, Kind, Limits, Rejected};

use crate::AppState;
use crate::api::operator;
use crate::problem::Problem;

/// Most parts one multipart upload may have (a file and a few fields).
const MAX_PARTS: usize = 16;
/// Longest header block of one part.
const MAX_PART_HEADER_BYTES: usize = 8 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/import/{kind}", post(import))
        .route("/api/v1/import/templates/{file}", get(template))
}

/// The sheet limits of this server: the request body limit caps the file size too.
pub(crate) fn limits(state: &AppState) -> Limits {
    let base = Limits::default();
    Limits {
        max_file_bytes: base.max_file_bytes.min(state.limits.max_body_bytes),
        ..base
    }
}

/// `auto` (or empty) for none, else a kind.
pub(crate) fn kind_param(text: &str) -> Result<Option<Kind>, Problem> {
    if text.is_empty() || text == "auto" {
        return Ok(None);
    }
    Kind::parse(text).map(Some).ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "urn:lotrace:problem:unknown-kind",
            format!(
                "{text:?} is not a kind of import; use auto or one of {}",
                Kind::ALL.map(Kind::as_str).join(", ")
            ),
        )
    })
}

/// The problem for a refused file: 422 with every row error.
pub(crate) fn rejected_problem(rejected: &Rejected) -> Problem {
    let mut problem = Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "urn:lotrace:problem:import-refused",
        format!(
            "the file was refused and nothing was imported: {}",
            rejected
                .errors
                .first()
                .map(ToString::to_string)
                .unwrap_or_default()
        ),
    );
    problem.errors = rejected
        .errors
        .iter()
        .map(|e| serde_json::to_value(e).unwrap_or_default())
        .collect();
    problem
}

/// One uploaded file: its bytes and what format it is in.
pub(crate) struct Upload {
    pub bytes: Vec<u8>,
    pub format: Format,
    pub file_name: Option<String>,
    /// The other form fields (name, value), e.g. `kind`.
    pub fields: Vec<(String, String)>,
}

/// The file of a request: multipart (`file` part) or the raw body.
pub(crate) fn upload(headers: &HeaderMap, body: &[u8]) -> Result<Upload, Problem> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Some(boundary) = boundary(content_type) {
        let parts = multipart(body, &boundary).map_err(|e| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "urn:lotrace:problem:bad-upload",
                format!("the multipart/form-data body is malformed: {e}"),
            )
        })?;
        let mut file = None;
        let mut fields = Vec::new();
        for part in parts {
            if part.name == "file" {
                file = Some(part);
            } else {
                fields.push((part.name, String::from_utf8_lossy(part.data).into_owned()));
            }
        }
        let Some(file) = file.filter(|f| !f.data.is_empty()) else {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "urn:lotrace:problem:bad-upload",
                "choose a file: the upload has no `file` part, or it is empty",
            ));
        };
        let format = file
            .filename
            .as_deref()
            .and_then(Format::from_name)
            .or_else(|| {
                file.content_type
                    .as_deref()
                    .and_then(Format::from_content_type)
            })
            .unwrap_or_else(|| Format::sniff(file.data));
        return Ok(Upload {
            bytes: file.data.to_vec(),
            format,
            file_name: file.filename,
            fields,
        });
    }
    let format = Format::from_content_type(content_type).unwrap_or_else(|| Format::sniff(body));
    Ok(Upload {
        bytes: body.to_vec(),
        format,
        file_name: None,
        fields: Vec::new(),
    })
}

async fn import(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ImportSummary>, Problem> {
    let kind = kind_param(&kind)?;
    let upload = upload(&headers, &body)?;
    run(&state, &upload, kind, &operator(&headers))
        .await
        .map(Json)
}

/// Imports an upload; a refusal is the 422 problem.
pub(crate) async fn run(
    state: &AppState,
    upload: &Upload,
    kind: Option<Kind>,
    operator: &str,
) -> Result<ImportSummary, Problem> {
    let limits = limits(state);
    if upload.bytes.len() > limits.max_file_bytes {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "urn:lotrace:problem:file-too-large",
            format!(
                "the file has {} bytes; the limit is {} bytes",
                upload.bytes.len(),
                limits.max_file_bytes
            ),
        ));
    }
    state
        .app
        .import_file(&upload.bytes, upload.format, kind, &limits, operator)
        .await
        .map_err(|e| match e {
            ImportError::Rejected(r) => rejected_problem(&r),
            ImportError::App(a) => Problem::from(a),
        })
}

async fn template(Path(file): Path<String>) -> Result<Response, Problem> {
    let not_found = || {
        Problem::not_found(format!(
            "no template {file:?}; use KIND.csv or KIND.xlsx with KIND one of {}",
            Kind::ALL.map(Kind::as_str).join(", ")
        ))
    };
    let (name, ext) = file.rsplit_once('.').ok_or_else(not_found)?;
    let kind = Kind::parse(name).ok_or_else(not_found)?;
    let format = Format::from_extension(ext).ok_or_else(not_found)?;
    let bytes = match format {
        Format::Csv => lotrace_sheet::template_csv(kind),
        Format::Xlsx => lotrace_sheet::template_xlsx(kind).map_err(Problem::internal)?,
    };
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{kind}.{}\"", format.extension()),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The boundary of a `multipart/form-data` Content-Type.
fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let essence = params.next()?.trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// One part of a multipart body.
#[derive(Debug)]
pub(crate) struct Part<'a> {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: &'a [u8],
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// Splits a `multipart/form-data` body (RFC 7578) into its parts, at most `MAX_PARTS`.
pub(crate) fn multipart<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, String> {
    if boundary.is_empty() || boundary.len() > 70 {
        return Err("the boundary must be 1 to 70 characters".into());
    }
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n--{boundary}");
    let mut at =
        find(body, delimiter.as_bytes(), 0).ok_or("no boundary in the body")? + delimiter.len();
    let mut parts = Vec::new();
    loop {
        if body[at..].starts_with(b"--") {
            return Ok(parts);
        }
        if !body[at..].starts_with(b"\r\n") {
            return Err("a boundary is not followed by a line break".into());
        }
        at += 2;
        if parts.len() == MAX_PARTS {
            return Err(format!("more than {MAX_PARTS} parts"));
        }
        let header_end = find(body, b"\r\n\r\n", at).ok_or("a part has no end of headers")?;
        if header_end - at > MAX_PART_HEADER_BYTES {
            return Err("a part's headers are too long".into());
        }
        let headers = std::str::from_utf8(&body[at..header_end])
            .map_err(|_| "a part's headers are not UTF-8")?;
        let data_start = header_end + 4;
        let data_end = find(body, next_delimiter.as_bytes(), data_start)
            .ok_or("a part is not closed by the boundary")?;
        let mut part = Part {
            name: String::new(),
            filename: None,
            content_type: None,
            data: &body[data_start..data_end],
        };
        for line in headers.split("\r\n") {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            if name.trim().eq_ignore_ascii_case("content-disposition") {
                for (k, v) in disposition_params(value) {
                    match k.as_str() {
                        "name" => part.name = v,
                        "filename" => part.filename = Some(v),
                        _ => {}
                    }
                }
            } else if name.trim().eq_ignore_ascii_case("content-type") {
                part.content_type = Some(value.trim().to_owned());
            }
        }
        parts.push(part);
        at = data_end + next_delimiter.len();
    }
}

/// `form-data; name="file"; filename="a;b.csv"` to its parameters, quotes respected.
fn disposition_params(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq]
            .rsplit(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let after = &rest[eq + 1..];
        let (val, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let mut val = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            val.push(n);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => val.push(c),
                }
            }
            (val, &quoted[end.min(quoted.len())..])
        } else {
            let end = after.find(';').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        out.push((key, val));
        rest = remaining;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_bodies_split_into_parts() {
        let body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nreceipts\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r;1.csv\"\r\nContent-Type: text/csv\r\n\r\nproduct,lot\r\nA,\"--XyZ no\"\r\n\r\n--XyZ--\r\n";
        let parts = multipart(body, "XyZ").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "kind");
        assert_eq!(parts[0].data, b"receipts");
        assert_eq!(parts[1].filename.as_deref(), Some("r;1.csv"));
        assert_eq!(parts[1].content_type.as_deref(), Some("text/csv"));
        assert_eq!(parts[1].data, b"product,lot\r\nA,\"--XyZ no\"\r\n");
        assert_eq!(
            boundary("multipart/form-data; boundary=\"XyZ\"").as_deref(),
            Some("XyZ")
        );
        assert_eq!(boundary("text/csv"), None);
    }

    #[test]
    fn malformed_multipart_is_an_error() {
        assert!(multipart(b"no boundary here", "XyZ").is_err());
        assert!(
            multipart(
                b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunclosed",
                "XyZ"
            )
            .is_err()
        );
        assert!(multipart(b"--XyZjunk", "XyZ").is_err());
        let many =
            "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n".repeat(20) + "--b--";
        assert!(
            multipart(many.as_bytes(), "b")
                .unwrap_err()
                .contains("more than 16")
        );
    }
}
