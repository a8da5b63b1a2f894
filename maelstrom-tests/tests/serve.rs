//! `maelstrom-tests serve` as a user meets it (maelstrom.md §6): a store with real
//! runs and real pictures, the server on a free port, and requests from a plain TCP
//! client (for what a browser would never send) and from a real headless browser
//! (Debian's chromium), which must show the index, follow every link and display
//! every picture.
//!
//! The browser is `$CHROMIUM` if set, else `/usr/bin/chromium`. Without one, the
//! browser test says it was skipped and passes, unless `REQUIRE_BROWSER=1` is set, as
//! CI sets it: there it fails.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use maelstrom_pictures::synthetic::{self, Shape};
use maelstrom_tests::serve::http::{HEADERS_MAX, REQUEST_LINE_BYTES_MAX};

/// Debian's chromium, where `.ci/run` installs it.
const CHROMIUM_DEFAULT: &str = "/usr/bin/chromium";

/// `$CHROMIUM`, or Debian's chromium.
fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from(CHROMIUM_DEFAULT), PathBuf::from)
}
/// How long one chromium run may take before it is killed.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);
const BROADCAST_RUN: &str = "20250102T030405.678Z";

/// A test's store directory, removed when the test ends.
struct Store(PathBuf);

impl Drop for Store {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl std::ops::Deref for Store {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

/// A store of three runs: a valid broadcast run with every picture, an invalid
/// g-counter run, and a g-set run that never finished; `latest` links to the first.
/// Beside the store, a file that must never be served.
fn build_store(name: &str) -> Store {
    let dir = std::env::temp_dir().join(format!(
        "maelstrom-serve-test-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let store = dir.join("store");
    let broadcast = store.join("broadcast").join(BROADCAST_RUN);
    std::fs::create_dir_all(broadcast.join("node-logs")).expect("a run directory");
    let (history, journal) = synthetic::run(Shape {
        node_count: 3,
        time_limit_s: 4,
        rate: 10.0,
        ..Shape::benchmark()
    });
    maelstrom_pictures::write_all(&broadcast, &history, &journal).expect("pictures");
    maelstrom_checker::history::write_history(&broadcast.join("history.edn"), &history)
        .expect("history.edn");
    let results = serde_json::json!({
        "valid?": true,
        "net": {"all": {"msgs-per-op": 3.8068}, "servers": {"msgs-per-op": 1.5795}},
        "workload": {"valid?": true, "stable-latencies": {"0": 0, "0.5": 662, "1": 3254}},
        "availability": {"valid?": true, "ok-fraction": 1.0},
    });
    std::fs::write(broadcast.join("results.json"), results.to_string()).expect("results.json");
    std::fs::write(broadcast.join("results.edn"), "{:valid? true}\n").expect("results.edn");
    std::fs::write(broadcast.join("node-logs/n0.log"), "n0 started\n").expect("a node log");
    let counter = store.join("g-counter/20250101T000000.000Z");
    std::fs::create_dir_all(&counter).expect("a run directory");
    std::fs::write(counter.join("results.json"), r#"{"valid?": false}"#).expect("results.json");
    std::fs::create_dir_all(store.join("g-set/20250103T000000.000Z")).expect("a run directory");
    let broadcast = std::fs::canonicalize(&broadcast).expect("canonical");
    std::os::unix::fs::symlink(&broadcast, store.join("latest")).expect("latest");
    std::os::unix::fs::symlink(&broadcast, store.join("broadcast/latest")).expect("latest");
    std::fs::write(dir.join("outside.txt"), "outside secret").expect("a file outside");
    Store(store)
}

/// The server on a free loopback port, on its own runtime; it stops with the test.
struct Server {
    address: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

impl Server {
    fn start(store: &Path) -> Server {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("a free port");
        let address = listener.local_addr().expect("an address");
        let store = store.to_path_buf();
        runtime.spawn(async move { maelstrom_tests::serve::serve_on(&store, listener).await });
        Server {
            address,
            _runtime: runtime,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }
}

/// One raw request: (status, head, body).
fn request(server: &Server, raw: &[u8]) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(server.address).expect("the server accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a timeout");
    stream.write_all(raw).expect("the request is sent");
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .expect("the server answers and closes");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status code");
    (status, head, answer[split + 4..].to_vec())
}

fn get(server: &Server, path: &str) -> (u16, String, Vec<u8>) {
    request(
        server,
        format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").as_bytes(),
    )
}

/// maelstrom.md §6: the index lists the runs, coloured by `:valid?`, with the figures
/// read from each `results.json`.
#[test]
fn the_index_lists_every_run_coloured_by_its_verdict_with_its_figures() {
    let store = build_store("index");
    let server = Server::start(&store);
    let (status, head, body) = get(&server, "/");
    let body = String::from_utf8(body).expect("UTF-8");
    assert_eq!(status, 200);
    assert!(
        head.contains("Content-Type: text/html; charset=utf-8"),
        "{head}"
    );
    for row in [
        "<tr class=\"run valid\"><td><a href=\"/broadcast/\">broadcast</a>",
        "<tr class=\"run invalid\"><td><a href=\"/g-counter/\">g-counter</a>",
        "<tr class=\"run incomplete\"><td><a href=\"/g-set/\">g-set</a>",
    ] {
        assert!(body.contains(row), "no {row} in {body}");
    }
    for figure in ["3.81", "1.58", "662 / 3254", "100.0%"] {
        assert!(body.contains(figure), "no {figure} in {body}");
    }
    let rows = ["g-set", "broadcast", "g-counter"]
        .map(|workload| body.find(&format!("href=\"/{workload}/\"")));
    assert!(
        rows.windows(2).all(|pair| pair[0] < pair[1]),
        "newest first: {rows:?}"
    );
}

/// Files are served with the content type a browser needs: pictures as images,
/// pages as HTML, EDN/JSON/logs as UTF-8 text; HEAD sends the head alone.
#[test]
fn files_are_served_with_their_content_types() {
    let store = build_store("files");
    let server = Server::start(&store);
    for (path, content_type) in [
        ("/latest/rate.svg", "image/svg+xml"),
        ("/latest/messages.svg", "image/svg+xml"),
        ("/latest/timeline.html", "text/html; charset=utf-8"),
        ("/latest/results.json", "text/plain; charset=utf-8"),
        ("/latest/history.edn", "text/plain; charset=utf-8"),
        ("/latest/node-logs/n0.log", "text/plain; charset=utf-8"),
        (
            &format!("/broadcast/{BROADCAST_RUN}/latency-raw.svg"),
            "image/svg+xml",
        ),
    ] {
        let (status, head, body) = get(&server, path);
        assert_eq!(status, 200, "{path}");
        assert!(
            head.contains(&format!("Content-Type: {content_type}\r\n")),
            "{path}: {head}"
        );
        let on_disk = std::fs::read(store.join(path.trim_start_matches('/'))).expect("the file");
        assert_eq!(body, on_disk, "{path}");
    }
    let (status, head, body) = request(&server, b"HEAD /latest/rate.svg HTTP/1.1\r\n\r\n");
    let length = std::fs::metadata(store.join("latest/rate.svg"))
        .expect("rate.svg")
        .len();
    assert_eq!(status, 200);
    assert!(
        head.contains(&format!("Content-Length: {length}\r\n")),
        "{head}"
    );
    assert!(body.is_empty());
    let (status, _, body) = get(&server, "/latest/");
    assert_eq!(status, 200);
    let page = String::from_utf8(body).expect("UTF-8");
    assert!(
        page.contains("<img src=\"/latest/latency-raw.svg\""),
        "{page}"
    );
}

/// Hostile requests: no path leaves the store, each bound and bad head has its
/// status, and the server keeps serving afterwards.
#[test]
fn hostile_requests_are_refused_and_the_server_keeps_serving() {
    let store = build_store("hostile");
    std::os::unix::fs::symlink(store.join("../outside.txt"), store.join("escape"))
        .expect("a link out");
    let server = Server::start(&store);
    for path in [
        "/../outside.txt",
        "/%2e%2e/outside.txt",
        "/latest/%2E%2E%2F%2E%2E%2F%2E%2E%2Foutside.txt",
        "/escape",
    ] {
        let (status, _, body) = get(&server, path);
        assert_eq!(status, 403, "{path}");
        assert!(
            !String::from_utf8_lossy(&body).contains("outside secret"),
            "{path}"
        );
    }
    let (_, _, index) = get(&server, "/");
    assert!(
        !String::from_utf8_lossy(&index).contains("escape"),
        "a link out is not offered"
    );
    assert_eq!(get(&server, "/nothing-here").0, 404);
    let (status, head, _) = request(&server, b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
    assert_eq!(status, 405);
    assert!(head.contains("Allow: GET, HEAD"), "{head}");
    let long = format!(
        "GET /{} HTTP/1.1\r\n\r\n",
        "a".repeat(REQUEST_LINE_BYTES_MAX + 1)
    );
    assert_eq!(request(&server, long.as_bytes()).0, 414);
    let many = format!(
        "GET / HTTP/1.1\r\n{}\r\n",
        "X-A: b\r\n".repeat(HEADERS_MAX + 1)
    );
    assert_eq!(request(&server, many.as_bytes()).0, 431);
    assert_eq!(request(&server, b"\x00\x01garbage\r\n\r\n").0, 400);
    // A client that sends half a request and leaves.
    let mut half = TcpStream::connect(server.address).expect("connect");
    half.write_all(b"GET / HT").expect("half a request");
    drop(half);
    assert_eq!(get(&server, "/").0, 200, "still serving");
}

/// The page the browser runs: it fetches the index and every run page, follows
/// every link, then opens each run page in a frame and measures its images.
const PROBE: &str = r#"<!DOCTYPE html><html><body><pre id="report">pending</pre><script>
async function links(path) {
  const text = await (await fetch(path)).text();
  const page = new DOMParser().parseFromString(text, 'text/html');
  return [...page.querySelectorAll('a[href]')].map(a => new URL(a.getAttribute('href'), location.origin + path).pathname);
}
async function main() {
  const report = {statuses: {}, images: {}};
  const index = await links('/');
  const runs = index.filter(path => /^\/[^\/]+\/[^\/]+\/$/.test(path));
  const all = new Set(index);
  for (const run of runs) for (const path of await links(run)) all.add(path);
  for (const path of all) report.statuses[path] = (await fetch(path)).status;
  for (const run of runs) {
    const frame = document.createElement('iframe');
    await new Promise(resolve => { frame.onload = resolve; frame.src = run; document.body.appendChild(frame); });
    for (const image of frame.contentDocument.images) {
      if (!image.complete) await new Promise(resolve => { image.onload = resolve; image.onerror = resolve; });
      report.images[image.getAttribute('src')] = image.naturalWidth;
    }
  }
  document.getElementById('report').textContent = JSON.stringify(report);
}
main().catch(error => { document.getElementById('report').textContent = 'error: ' + error; });
</script></body></html>
"#;

/// A real browser shows the index with each run, every link on the index and on
/// the run pages answers 200, and every picture on a run page displays
/// (`naturalWidth > 0`).
#[test]
fn a_browser_shows_the_runs_follows_every_link_and_displays_every_picture() {
    let browser = chromium();
    if !browser.exists() {
        assert!(
            std::env::var("REQUIRE_BROWSER").as_deref() != Ok("1"),
            "REQUIRE_BROWSER=1 but there is no chromium at {}",
            browser.display()
        );
        println!("skipped: no chromium at {}", browser.display());
        return;
    }
    let store = build_store("browser");
    std::fs::write(store.join("probe.html"), PROBE).expect("the probe page");
    let server = Server::start(&store);

    let index = dump_dom(&server.url("/"));
    for row in [
        "class=\"run valid\"",
        "class=\"run invalid\"",
        "class=\"run incomplete\"",
    ] {
        assert!(
            index.contains(row),
            "the browser's index has no {row}: {index}"
        );
    }
    assert!(index.contains(BROADCAST_RUN), "{index}");

    let probe = dump_dom(&server.url("/probe.html"));
    let report = probe
        .split("<pre id=\"report\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .expect("the probe's report")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let report: serde_json::Value =
        serde_json::from_str(&report).unwrap_or_else(|e| panic!("{e}: {report}"));
    let statuses = report["statuses"].as_object().expect("statuses");
    let run_dir = store.join("broadcast").join(BROADCAST_RUN);
    for entry in std::fs::read_dir(&run_dir).expect("the run's files") {
        let entry = entry.expect("an entry");
        let slash = if entry.path().is_dir() { "/" } else { "" };
        let name = entry.file_name().into_string().expect("a UTF-8 name");
        let path = format!("/broadcast/{BROADCAST_RUN}/{name}{slash}");
        assert!(
            statuses.contains_key(&path),
            "no link to {path}: {statuses:?}"
        );
    }
    for (path, status) in statuses {
        assert_eq!(status, 200, "{path}");
    }
    for picture in [
        "latency-raw.svg",
        "rate.svg",
        "messages.svg",
        "timeline.html",
    ] {
        assert!(
            statuses.keys().any(|path| path.ends_with(picture)),
            "no link to {picture}"
        );
    }
    let images = report["images"].as_object().expect("images");
    assert_eq!(
        images.len(),
        4,
        "the broadcast run's three plots and its Lamport diagram: {images:?}"
    );
    for (source, width) in images {
        assert!(
            width.as_u64().is_some_and(|width| width > 0),
            "{source} did not display: {width}"
        );
    }
}

/// The DOM chromium builds for `url`, after its scripts ran.
fn dump_dom(url: &str) -> String {
    let profile = std::env::temp_dir().join(format!(
        "maelstrom-serve-chromium-{}-{}",
        std::process::id(),
        url.len()
    ));
    let _ = std::fs::remove_dir_all(&profile);
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=30000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    // Read stdout on a thread, so a large DOM cannot fill the pipe while we wait.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut dom = String::new();
        let _ = stdout.read_to_string(&mut dom);
        dom
    });
    let started = Instant::now();
    loop {
        if child.try_wait().expect("chromium's status").is_some() {
            break;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish {url} within {BROWSER_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = std::fs::remove_dir_all(&profile);
    reader.join().expect("the reader thread")
}
