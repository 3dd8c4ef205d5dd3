//! The limits of `Limits` that apply to every request, each answered with a problem naming
//! it: connections open at once (`ConnectionLimit`, a listener that answers one more with a
//! 503 and closes it), and the request time and body size (`middleware`: a request still
//! running after `request_timeout_ms` is abandoned with a 503; an over-large body, refused
//! by whichever extractor reads it, becomes a 413 problem instead of plain text).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::Limits;
use crate::problem::Problem;

/// Refusals being written at once; past this a connection over the limit is closed without
/// an answer, so that a flood of connections cannot make the refusals themselves a load.
const MAX_REFUSALS_IN_FLIGHT: usize = 64;
/// How long a refusal waits for the client to read it and close, before closing anyway.
const REFUSAL_LINGER_MS: u64 = 2_000;
/// What a refused client is told to wait before trying again, in seconds.
const RETRY_AFTER_S: u32 = 1;

/// Abandons a request still running after `request_timeout_ms` (503), and makes the 413
/// of a body extractor (plain text, or the API's generic invalid-body problem) a problem
/// naming `max_body_bytes`.
pub async fn middleware(State(limits): State<Limits>, request: Request, next: Next) -> Response {
    let timeout = Duration::from_millis(limits.request_timeout_ms);
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) if response.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            name_the_body_limit(response, limits.max_body_bytes).await
        }
        Ok(response) => response,
        Err(_) => {
            let mut response = Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "urn:lotrace:problem:request-timeout",
                format!(
                    "the request was still running after the server's limit of {} ms \
                     (request_timeout_ms) and was abandoned; a write it made is whole or \
                     not made at all, so look before sending it again",
                    limits.request_timeout_ms
                ),
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_S));
            response
        }
    }
}

/// The type of the API's problem for a body its extractor refused, which for a 413 says
/// only "length limit exceeded"; every other problem type already names its limit.
const GENERIC_BODY_PROBLEM: &str = "urn:lotrace:problem:invalid-body";

/// The largest 413 answer read to see whether it names its limit (a problem is small).
const MAX_413_BODY_BYTES: usize = 64 * 1024;

async fn name_the_body_limit(response: Response, max_body_bytes: usize) -> Response {
    let (parts, body) = response.into_parts();
    let problem_type = |bytes: &[u8]| {
        serde_json::from_slice::<serde_json::Value>(bytes)
            .ok()
            .and_then(|v| v.get("type")?.as_str().map(str::to_owned))
    };
    if let Ok(bytes) = axum::body::to_bytes(body, MAX_413_BODY_BYTES).await {
        let is_problem = parts
            .headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
        let named = is_problem && problem_type(&bytes).is_some_and(|t| t != GENERIC_BODY_PROBLEM);
        if named {
            return Response::from_parts(parts, axum::body::Body::from(bytes));
        }
    }
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "urn:lotrace:problem:body-too-large",
        format!(
            "the request body is larger than the server's limit of {max_body_bytes} bytes \
             (max_body_bytes)"
        ),
    )
    .into_response()
}

/// A TCP listener that keeps at most `max` connections open: the one over is answered
/// `503` with a problem naming `max_connections` and closed, so a client learns why rather
/// than waiting in the kernel's backlog.
pub struct ConnectionLimit {
    listener: TcpListener,
    max: usize,
    open: Arc<Semaphore>,
    refusing: Arc<Semaphore>,
}

impl ConnectionLimit {
    pub fn new(listener: TcpListener, max: usize) -> ConnectionLimit {
        ConnectionLimit {
            listener,
            max,
            open: Arc::new(Semaphore::new(max)),
            refusing: Arc::new(Semaphore::new(MAX_REFUSALS_IN_FLIGHT)),
        }
    }
}

impl axum::serve::Listener for ConnectionLimit {
    type Io = Counted;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Counted, SocketAddr) {
        loop {
            let (stream, addr) = axum::serve::Listener::accept(&mut self.listener).await;
            match self.open.clone().try_acquire_owned() {
                Ok(permit) => {
                    return (
                        Counted {
                            stream,
                            _permit: permit,
                        },
                        addr,
                    );
                }
                Err(_) => {
                    tracing::warn!(%addr, max = self.max, "connection refused: max_connections");
                    if let Ok(slot) = self.refusing.clone().try_acquire_owned() {
                        tokio::spawn(refuse(stream, self.max, slot));
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

/// Answers a connection over the limit and closes it.
async fn refuse(mut stream: TcpStream, max: usize, _slot: OwnedSemaphorePermit) {
    let problem = Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "urn:lotrace:problem:too-many-connections",
        format!(
            "the server has {max} connections open, its limit (max_connections); \
             try again shortly"
        ),
    );
    let body = serde_json::to_string(&problem).unwrap_or_default();
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\n\
         content-length: {}\r\nretry-after: {RETRY_AFTER_S}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let linger = Duration::from_millis(REFUSAL_LINGER_MS);
    let _ = tokio::time::timeout(linger, async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body.as_bytes()).await?;
        stream.shutdown().await?;
        // Read the request until the client closes: closing with unread data would reset
        // the connection, and the client could lose the answer.
        let mut sink = [0u8; 1024];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<(), io::Error>(())
    })
    .await;
}

/// An accepted connection, holding its place under the limit until it is dropped.
pub struct Counted {
    stream: TcpStream,
    _permit: OwnedSemaphorePermit,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
