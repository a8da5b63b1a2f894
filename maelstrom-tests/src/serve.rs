//! `maelstrom-tests serve`: the store over HTTP, as Maelstrom's `serve` offers it
//! (maelstrom.md §6: `-b/--host` 0.0.0.0, `-p/--port` 8080): an index of runs
//! coloured by verdict, a page per run with its pictures, and every file.
//!
//! A small hand-written HTTP/1.1 server on tokio rather than a web framework: it
//! serves files and three kinds of page, and a framework would be most of the code
//! a reader has to trust. It is async because the command line already runs on the
//! harness's tokio runtime, and a slow client must not hold up the others; there are
//! at most [`CONNECTIONS_MAX`] connections at once, and a client gets
//! [`REQUEST_HEAD_TIMEOUT`] to send its request. File-system work runs on tokio's
//! blocking pool.
//!
//! Nothing outside the store is ever served: the path is percent-decoded once, a `..`
//! segment is refused, and what is left must, once every symlink is resolved, still
//! be inside the store. `store/latest` points *into* the store, so it works; a link
//! pointing out is refused. Modules: [`http`] (the request head within its bounds,
//! the response), [`runs`] (each run's figures), [`pages`] (the HTML).
//! Left out: keep-alive, TLS, directory uploads and Maelstrom's zip downloads.

pub mod http;
pub mod pages;
pub mod runs;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use http::{Body, Method, Request, Response, Status};

use crate::console::outln;

/// Connections served at once; the next waits for one to finish.
pub const CONNECTIONS_MAX: usize = 64;
/// How long a client has to send its request head.
pub const REQUEST_HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a response may take to send (a large history on a slow link).
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(300);
/// After answering, at most this much of what the client still sends is read and
/// dropped, so that closing does not reset the connection before it reads the answer.
const DRAIN_BYTES_MAX: u64 = 64 * 1024;
const DRAIN_TIMEOUT: Duration = Duration::from_millis(500);

/// Binds `host:port` and serves `store` until the process is stopped.
pub async fn serve(store: &Path, host: &str, port: u16) -> anyhow::Result<()> {
    let listener = TcpListener::bind((host, port))
        .await
        .with_context(|| format!("could not listen on {host}:{port}"))?;
    let address = listener.local_addr()?;
    outln!("Serving {} on http://{address}/", store.display());
    serve_on(store, listener).await
}

/// Serves `store` on a listener that is already bound (tests bind port 0).
pub async fn serve_on(store: &Path, listener: TcpListener) -> anyhow::Result<()> {
    let root =
        std::fs::canonicalize(store).with_context(|| format!("no store at {}", store.display()))?;
    anyhow::ensure!(root.is_dir(), "{} is not a directory", root.display());
    let root = Arc::new(root);
    let connections = Arc::new(Semaphore::new(CONNECTIONS_MAX));
    loop {
        let permit = connections.clone().acquire_owned().await?;
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors and the like: wait a little, keep serving.
            Err(error) => {
                eprintln!("serve: accept failed: {error}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let root = root.clone();
        tokio::spawn(async move {
            connection(stream, root).await;
            drop(permit);
        });
    }
}

/// One connection: one request, one response. Errors end the connection; the
/// client sees it closed.
async fn connection(stream: TcpStream, root: Arc<PathBuf>) {
    let (read_half, mut write_half) = stream.into_split();
    let mut reader = BufReader::new(read_half);
    let head = tokio::time::timeout(REQUEST_HEAD_TIMEOUT, http::read_request(&mut reader)).await;
    let (response, head_only) = match head {
        Ok(Ok(Some(Ok(request)))) => {
            let head_only = request.method == Method::Head;
            let answer = tokio::task::spawn_blocking(move || respond(&root, &request)).await;
            let response = match answer {
                Ok(response) => response,
                Err(_) => {
                    Response::html(Status::INTERNAL_ERROR, pages::error(Status::INTERNAL_ERROR))
                }
            };
            (response, head_only)
        }
        Ok(Ok(Some(Err(status)))) => (refusal(status), false),
        // Closed early, an I/O error, or too slow: nothing to answer.
        Ok(Ok(None)) | Ok(Err(_)) | Err(_) => return,
    };
    let sent = tokio::time::timeout(
        RESPONSE_TIMEOUT,
        http::write_response(&mut write_half, response, head_only),
    )
    .await;
    if matches!(sent, Ok(Ok(()))) {
        let _ = write_half.shutdown().await;
        let mut rest = reader.take(DRAIN_BYTES_MAX);
        let _ = tokio::time::timeout(
            DRAIN_TIMEOUT,
            tokio::io::copy(&mut rest, &mut tokio::io::sink()),
        )
        .await;
    }
}

fn refusal(status: Status) -> Response {
    let mut response = Response::html(status, pages::error(status));
    if status == Status::METHOD_NOT_ALLOWED {
        response.allow = Some("GET, HEAD");
    }
    response
}

/// The answer to a request that passed the HTTP bounds. Blocking: it reads the
/// file system.
pub fn respond(root: &Path, request: &Request) -> Response {
    let target = match resolve(root, &request.target) {
        Ok(target) => target,
        Err(status) => return Response::html(status, pages::error(status)),
    };
    let Ok(metadata) = std::fs::metadata(&target.path) else {
        return Response::html(Status::NOT_FOUND, pages::error(Status::NOT_FOUND));
    };
    if metadata.is_dir() {
        return Response::html(Status::OK, directory_page(root, &target));
    }
    if !metadata.is_file() {
        return Response::html(Status::NOT_FOUND, pages::error(Status::NOT_FOUND));
    }
    match std::fs::File::open(&target.path) {
        Ok(file) => Response {
            status: Status::OK,
            content_type: content_type(&target.path),
            body: Body::File(tokio::fs::File::from_std(file), metadata.len()),
            allow: None,
        },
        Err(_) => Response::html(Status::FORBIDDEN, pages::error(Status::FORBIDDEN)),
    }
}

/// A path inside the store, and the URL path it was asked by.
#[derive(Debug, PartialEq, Eq)]
pub struct Target {
    /// With every symlink resolved; always inside the store.
    pub path: PathBuf,
    /// The decoded URL path, `/`-separated, starting and ending with `/` for
    /// directories: the base of the page's links.
    pub url_path: String,
}

/// The store path a request target names, or the status refusing it.
pub fn resolve(root: &Path, target: &str) -> Result<Target, Status> {
    let path_part = target.split(['?', '#']).next().unwrap_or("");
    if !path_part.starts_with('/') {
        return Err(Status::BAD_REQUEST);
    }
    let decoded = percent_decode(path_part).ok_or(Status::BAD_REQUEST)?;
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Err(Status::FORBIDDEN),
            segment if segment.contains('\0') => return Err(Status::BAD_REQUEST),
            segment => segments.push(segment),
        }
    }
    let joined: PathBuf = segments
        .iter()
        .fold(root.to_path_buf(), |path, segment| path.join(segment));
    // Resolves every symlink; a path that does not exist is simply not found.
    let path = std::fs::canonicalize(&joined).map_err(|_| Status::NOT_FOUND)?;
    if !path.starts_with(root) {
        return Err(Status::FORBIDDEN);
    }
    let mut url_path = String::from("/");
    for segment in &segments {
        url_path.push_str(&pages::encode(segment));
        url_path.push('/');
    }
    Ok(Target { path, url_path })
}

/// `%XX` decoded once; `None` for a broken escape or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

/// The index for the store itself, a run's page for `<workload>/<run>`, a listing
/// for anything else.
fn directory_page(root: &Path, target: &Target) -> String {
    // Entries that lead out of the store (a symlink pointing outside) would only be
    // refused: they are not offered.
    let entries: Vec<(String, bool)> = runs::entry_names(&target.path)
        .into_iter()
        .filter_map(|name| {
            let path = std::fs::canonicalize(target.path.join(&name)).ok()?;
            path.starts_with(root).then(|| (name, path.is_dir()))
        })
        .collect();
    let relative: Vec<String> = target
        .path
        .strip_prefix(root)
        .map(|relative| {
            relative
                .iter()
                .map(|part| part.to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    match relative.as_slice() {
        [] => {
            let (found, total) = runs::find_runs(root);
            pages::index(&found, total, &entries)
        }
        [workload, name] => pages::run(
            &target.url_path,
            &runs::summarize(root, workload, name),
            &entries,
        ),
        _ => pages::listing(&target.url_path, &entries),
    }
}

/// By extension: pictures as images, pages as HTML, and every text file the store
/// holds (EDN, JSON, logs) as UTF-8 text so a browser shows it instead of saving it.
pub fn content_type(path: &Path) -> &'static str {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match extension.to_ascii_lowercase().as_str() {
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "html" | "htm" => "text/html; charset=utf-8",
        "edn" | "json" | "log" | "txt" | "md" | "clj" | "stderr" | "stdout" => {
            "text/plain; charset=utf-8"
        }
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("maelstrom-serve-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("store/echo/20250101T000000.000Z")).expect("a store");
        std::fs::write(dir.join("secret.txt"), "outside").expect("a file outside");
        std::fs::canonicalize(dir).expect("canonical")
    }

    /// No path escapes the store: `..`, its encoded forms and symlinks out are
    /// refused; `latest`, a symlink into the store, resolves.
    #[test]
    fn no_path_escapes_the_store_but_latest_resolves() {
        let dir = store("escape");
        let root = dir.join("store");
        let run = root.join("echo/20250101T000000.000Z");
        std::os::unix::fs::symlink(&run, root.join("latest")).expect("latest");
        std::os::unix::fs::symlink(dir.join("secret.txt"), root.join("out")).expect("a link out");
        for target in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2Fsecret.txt",
            "/echo/..%2f..%2fsecret.txt",
        ] {
            assert_eq!(resolve(&root, target), Err(Status::FORBIDDEN), "{target}");
        }
        assert_eq!(resolve(&root, "/out"), Err(Status::FORBIDDEN));
        assert_eq!(resolve(&root, "/missing"), Err(Status::NOT_FOUND));
        assert_eq!(resolve(&root, "/%zz"), Err(Status::BAD_REQUEST));
        assert_eq!(resolve(&root, "/%00"), Err(Status::BAD_REQUEST));
        assert_eq!(resolve(&root, "/%ff"), Err(Status::BAD_REQUEST));
        assert_eq!(resolve(&root, "http://x/"), Err(Status::BAD_REQUEST));
        let latest = resolve(&root, "/latest/?x=1").expect("latest resolves");
        assert_eq!(latest.path, run);
        assert_eq!(latest.url_path, "/latest/");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The store's text files open in the browser; pictures are images.
    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type(Path::new("rate.svg")), "image/svg+xml");
        assert_eq!(
            content_type(Path::new("timeline.html")),
            "text/html; charset=utf-8"
        );
        for text in ["results.edn", "results.json", "node-logs/n1.log"] {
            assert_eq!(content_type(Path::new(text)), "text/plain; charset=utf-8");
        }
        assert_eq!(
            content_type(Path::new("test.jepsen")),
            "application/octet-stream"
        );
    }
}
