//! HTTP/1.1 as `serve` speaks it: read one request head within named bounds, write
//! one response, close.
//!
//! One request per connection (`Connection: close`) keeps the server small: there is
//! no keep-alive state, no pipelining, and a request body is never read (GET and
//! HEAD have none). Every byte of the head is counted: the request line may be
//! [`REQUEST_LINE_BYTES_MAX`] long, the header lines [`HEADER_BYTES_MAX`] together
//! and [`HEADERS_MAX`] in number; past that the client gets 414 or 431, as RFC 9110
//! and RFC 6585 name them. Header values are not used at all, so they are only
//! counted. Left out: chunked encoding, ranges, conditional requests, compression.

use std::io;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The longest request line, `GET /path HTTP/1.1`, in bytes.
pub const REQUEST_LINE_BYTES_MAX: usize = 8 * 1024;
/// All header lines together, in bytes.
pub const HEADER_BYTES_MAX: usize = 16 * 1024;
/// Header lines at most.
pub const HEADERS_MAX: usize = 100;

/// A status line's code and reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status(pub u16, pub &'static str);

impl Status {
    pub const OK: Status = Status(200, "OK");
    pub const BAD_REQUEST: Status = Status(400, "Bad Request");
    pub const FORBIDDEN: Status = Status(403, "Forbidden");
    pub const NOT_FOUND: Status = Status(404, "Not Found");
    pub const METHOD_NOT_ALLOWED: Status = Status(405, "Method Not Allowed");
    pub const URI_TOO_LONG: Status = Status(414, "URI Too Long");
    pub const HEADERS_TOO_LARGE: Status = Status(431, "Request Header Fields Too Large");
    pub const INTERNAL_ERROR: Status = Status(500, "Internal Server Error");
    pub const VERSION_NOT_SUPPORTED: Status = Status(505, "HTTP Version Not Supported");
}

/// The methods served: both read, HEAD without the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
}

/// A request head that passed every bound.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    /// The request target as sent: `/broadcast/2025…/rate.svg?x=1`.
    pub target: String,
}

/// Reads one request head. `Ok(None)`: the client closed before a whole head arrived.
/// `Ok(Some(Err(status)))`: a head that must be refused with that status.
pub async fn read_request<R: AsyncBufRead + Unpin>(
    reader: &mut R,
) -> io::Result<Option<Result<Request, Status>>> {
    let request_line = match read_line(reader, REQUEST_LINE_BYTES_MAX).await? {
        Line::Complete(line) => line,
        Line::TooLong => return Ok(Some(Err(Status::URI_TOO_LONG))),
        Line::End => return Ok(None),
    };
    // Headers are read (and counted) even when the request line is refused, so that
    // the client has finished sending before it reads the answer.
    let mut budget = HEADER_BYTES_MAX;
    let mut count = 0;
    let mut refusal = None;
    loop {
        match read_line(reader, budget).await? {
            Line::Complete(line) if line.is_empty() => break,
            Line::Complete(line) => {
                count += 1;
                budget = budget.saturating_sub(line.len() + 2);
                if count > HEADERS_MAX {
                    refusal = Some(Status::HEADERS_TOO_LARGE);
                    break;
                }
                if !line.contains(&b':') {
                    refusal.get_or_insert(Status::BAD_REQUEST);
                }
            }
            Line::TooLong => {
                refusal = Some(Status::HEADERS_TOO_LARGE);
                break;
            }
            Line::End => return Ok(None),
        }
    }
    Ok(Some(match refusal {
        Some(status) => Err(status),
        None => parse_request_line(&request_line),
    }))
}

/// `METHOD SP target SP HTTP/1.x`.
fn parse_request_line(line: &[u8]) -> Result<Request, Status> {
    let line = std::str::from_utf8(line).map_err(|_| Status::BAD_REQUEST)?;
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Status::BAD_REQUEST);
    };
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(if version.starts_with("HTTP/") {
            Status::VERSION_NOT_SUPPORTED
        } else {
            Status::BAD_REQUEST
        });
    }
    if target.is_empty() {
        return Err(Status::BAD_REQUEST);
    }
    let method = match method {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        token if !token.is_empty() && token.bytes().all(|b| b.is_ascii_uppercase()) => {
            return Err(Status::METHOD_NOT_ALLOWED)
        }
        _ => return Err(Status::BAD_REQUEST),
    };
    Ok(Request {
        method,
        target: target.to_string(),
    })
}

enum Line {
    /// A whole line, without its `\r\n` or `\n`.
    Complete(Vec<u8>),
    /// More than the bound before a newline.
    TooLong,
    /// The stream ended first.
    End,
}

/// One line of at most `bytes_max` bytes (not counting its line ending).
async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R, bytes_max: usize) -> io::Result<Line> {
    let mut line = Vec::new();
    // `+ 2`: room for the `\r\n` of a line exactly at the bound.
    let mut bounded = (&mut *reader).take(bytes_max as u64 + 2);
    bounded.read_until(b'\n', &mut line).await?;
    if !line.ends_with(b"\n") {
        return Ok(if line.len() > bytes_max {
            Line::TooLong
        } else {
            Line::End
        });
    }
    line.pop();
    if line.ends_with(b"\r") {
        line.pop();
    }
    if line.len() > bytes_max {
        return Ok(Line::TooLong);
    }
    Ok(Line::Complete(line))
}

/// What a response carries.
#[derive(Debug)]
pub enum Body {
    Bytes(Vec<u8>),
    /// A file streamed from disk, of this many bytes.
    File(tokio::fs::File, u64),
}

/// A whole response.
#[derive(Debug)]
pub struct Response {
    pub status: Status,
    pub content_type: &'static str,
    pub body: Body,
    /// `Allow` for a 405.
    pub allow: Option<&'static str>,
}

impl Response {
    pub fn html(status: Status, page: String) -> Response {
        Response {
            status,
            content_type: "text/html; charset=utf-8",
            body: Body::Bytes(page.into_bytes()),
            allow: None,
        }
    }
}

/// Writes the response (only its head for HEAD requests).
pub async fn write_response<W: AsyncWrite + Unpin>(
    writer: &mut W,
    response: Response,
    head_only: bool,
) -> io::Result<()> {
    let length = match &response.body {
        Body::Bytes(bytes) => bytes.len() as u64,
        Body::File(_, length) => *length,
    };
    let Status(code, reason) = response.status;
    let mut head = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: {}\r\nContent-Length: {length}\r\n\
         Connection: close\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n",
        response.content_type
    );
    if let Some(allow) = response.allow {
        head.push_str(&format!("Allow: {allow}\r\n"));
    }
    head.push_str("\r\n");
    writer.write_all(head.as_bytes()).await?;
    if !head_only {
        match response.body {
            Body::Bytes(bytes) => writer.write_all(&bytes).await?,
            Body::File(file, length) => {
                // Never more than the length announced, even if the file grew.
                let copied = tokio::io::copy(&mut file.take(length), writer).await?;
                if copied < length {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the file shrank while it was sent",
                    ));
                }
            }
        }
    }
    writer.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(bytes: &[u8]) -> Option<Result<Request, Status>> {
        let mut reader = tokio::io::BufReader::new(bytes);
        read_request(&mut reader)
            .await
            .expect("reading from memory")
    }

    /// RFC 9112 §3: a request line is method, target and version.
    #[tokio::test]
    async fn a_get_request_is_read_with_its_target() {
        let request = read(b"GET /a/b.svg?x=1 HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert_eq!(
            request,
            Some(Ok(Request {
                method: Method::Get,
                target: "/a/b.svg?x=1".into()
            }))
        );
        let head = read(b"HEAD / HTTP/1.0\n\n").await;
        assert!(matches!(
            head,
            Some(Ok(Request {
                method: Method::Head,
                ..
            }))
        ));
    }

    /// Each bound and each malformation has its status; none panics.
    #[tokio::test]
    async fn bad_heads_are_refused_with_their_status() {
        let long_target = format!(
            "GET /{} HTTP/1.1\r\n\r\n",
            "a".repeat(REQUEST_LINE_BYTES_MAX)
        );
        assert_eq!(
            read(long_target.as_bytes()).await,
            Some(Err(Status::URI_TOO_LONG))
        );
        let many = format!(
            "GET / HTTP/1.1\r\n{}\r\n",
            "X: y\r\n".repeat(HEADERS_MAX + 1)
        );
        assert_eq!(
            read(many.as_bytes()).await,
            Some(Err(Status::HEADERS_TOO_LARGE))
        );
        let big = format!(
            "GET / HTTP/1.1\r\nX: {}\r\n\r\n",
            "y".repeat(HEADER_BYTES_MAX)
        );
        assert_eq!(
            read(big.as_bytes()).await,
            Some(Err(Status::HEADERS_TOO_LARGE))
        );
        assert_eq!(
            read(b"POST / HTTP/1.1\r\n\r\n").await,
            Some(Err(Status::METHOD_NOT_ALLOWED))
        );
        assert_eq!(
            read(b"GET / HTTP/2.0\r\n\r\n").await,
            Some(Err(Status::VERSION_NOT_SUPPORTED))
        );
        assert_eq!(read(b"GET /\r\n\r\n").await, Some(Err(Status::BAD_REQUEST)));
        assert_eq!(
            read(b"\xff\xfe / HTTP/1.1\r\n\r\n").await,
            Some(Err(Status::BAD_REQUEST))
        );
        assert_eq!(
            read(b"GET / HTTP/1.1\r\nno colon\r\n\r\n").await,
            Some(Err(Status::BAD_REQUEST))
        );
        assert_eq!(
            read(b"GET / HTTP/1.1\r\nHost: x\r\n").await,
            None,
            "cut short"
        );
        assert_eq!(read(b"").await, None);
    }
}
