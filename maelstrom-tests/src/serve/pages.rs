//! The HTML pages of `serve`: the index of runs, a run's page, a directory listing
//! and error pages.
//!
//! The index is Maelstrom's (jepsen `web.clj`): a table of runs, newest first, each
//! row coloured by its verdict with jepsen's `valid-color` (valid blue, invalid
//! pink, unknown orange, grey when there is no verdict), with the figures a learner
//! compares across runs. A run's page shows its plots inline, the Lamport diagram in
//! a scrolling box at full size, and every file as a link. Every name shown comes
//! from the file system, so every one is escaped for HTML and percent-encoded in
//! links. Links are absolute, so a page reads the same with or without a trailing `/`.

use std::fmt::Write;

use super::http::Status;
use super::runs::RunSummary;

const STYLE: &str = "\
body{font-family:sans-serif;margin:20px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse}th,td{padding:4px 10px;text-align:left;border-bottom:1px solid #ddd}
th{background:#f4f4f4}td.number{text-align:right;font-variant-numeric:tabular-nums}
tr.valid td.verdict,span.valid{background:#6DB6FE}
tr.invalid td.verdict,span.invalid{background:#FEB5DA}
tr.unknown td.verdict,span.unknown{background:#FFAA26}
tr.incomplete td.verdict,tr.unreadable td.verdict,span.incomplete,span.unreadable{background:#EAEAEA}
span.verdict{padding:2px 8px;border-radius:3px}
.links a{margin-right:8px}
figure{margin:16px 0}figcaption{color:#555;font-size:13px}
.scroll{max-height:640px;max-width:100%;overflow:auto;border:1px solid #ccc}
.note{color:#555;font-size:13px}
";

/// The picture files, in the order a run's page shows them; others follow by name.
const PICTURE_ORDER: [&str; 4] = ["latency-raw", "latency-quantiles", "rate", "messages"];

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\
         <title>{}</title><style>{STYLE}</style></head>\n<body>\n{body}</body></html>\n",
        escape(title)
    )
}

/// The index: every run, then the store's own entries.
pub fn index(runs: &[RunSummary], total: usize, store_entries: &[(String, bool)]) -> String {
    let mut body = String::from("<h1>Maelstrom runs</h1>\n");
    if runs.is_empty() {
        body.push_str("<p class=\"note\">No runs in this store yet.</p>\n");
    } else {
        if total > runs.len() {
            let _ = writeln!(
                body,
                "<p class=\"note\">The newest {} of {total} runs.</p>",
                runs.len()
            );
        }
        body.push_str(
            "<table id=\"runs\">\n<tr><th>Workload</th><th>Time</th><th>Verdict</th>\
             <th>msgs-per-op</th><th>server msgs-per-op</th><th>stable latency median / max (ms)</th>\
             <th>availability</th><th>Files</th></tr>\n",
        );
        for run in runs {
            run_row(&mut body, run);
        }
        body.push_str("</table>\n");
    }
    body.push_str("<h2>Store</h2>\n");
    entry_list(&mut body, "/", store_entries);
    page("Maelstrom runs", &body)
}

fn run_row(body: &mut String, run: &RunSummary) {
    let base = format!("/{}/{}/", encode(&run.workload), encode(&run.name));
    let verdict = run.verdict.name();
    let _ = write!(
        body,
        "<tr class=\"run {verdict}\"><td><a href=\"/{}/\">{}</a></td><td><a href=\"{base}\">{}</a></td>\
         <td class=\"verdict\">{verdict}</td><td class=\"number\">{}</td><td class=\"number\">{}</td>\
         <td class=\"number\">{} / {}</td><td class=\"number\">{}</td><td class=\"links\">",
        encode(&run.workload),
        escape(&run.workload),
        escape(&run.name),
        figure(run.msgs_per_op, 2),
        figure(run.server_msgs_per_op, 2),
        figure(run.stable_latency_median_ms, 0),
        figure(run.stable_latency_max_ms, 0),
        run.availability
            .map_or_else(|| "–".to_string(), |fraction| format!("{:.1}%", fraction * 100.0)),
    );
    let shown = run.files.iter().filter(|name| {
        is_picture(name)
            || name.ends_with(".html")
            || *name == "results.edn"
            || *name == "history.edn"
    });
    for name in shown {
        let _ = write!(
            body,
            "<a href=\"{base}{}\">{}</a>",
            encode(name),
            escape(name)
        );
    }
    body.push_str("</td></tr>\n");
}

/// A number with `decimals` places, or a dash when the run has none.
fn figure(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "–".to_string(), |value| format!("{value:.decimals$}"))
}

fn is_picture(name: &str) -> bool {
    name.ends_with(".svg") || name.ends_with(".png")
}

/// A run's page: its figures, its pictures, its files. `base` is the URL path it was
/// asked for (`/latest/` and `/broadcast/2025…/` show the same run).
pub fn run(base: &str, run: &RunSummary, entries: &[(String, bool)]) -> String {
    let mut body = String::new();
    let verdict = run.verdict.name();
    let _ = writeln!(
        body,
        "<p><a href=\"/\">All runs</a></p>\n<h1>{} / {} <span class=\"verdict {verdict}\">{verdict}</span></h1>",
        escape(&run.workload),
        escape(&run.name)
    );
    let _ = writeln!(
        body,
        "<table id=\"figures\"><tr><th>msgs-per-op</th><td class=\"number\">{}</td></tr>\
         <tr><th>server msgs-per-op</th><td class=\"number\">{}</td></tr>\
         <tr><th>stable latency median / max (ms)</th><td class=\"number\">{} / {}</td></tr>\
         <tr><th>availability</th><td class=\"number\">{}</td></tr></table>",
        figure(run.msgs_per_op, 2),
        figure(run.server_msgs_per_op, 2),
        figure(run.stable_latency_median_ms, 0),
        figure(run.stable_latency_max_ms, 0),
        run.availability.map_or_else(
            || "–".to_string(),
            |fraction| format!("{:.1}%", fraction * 100.0)
        ),
    );
    let mut pictures: Vec<&String> = run.files.iter().filter(|name| is_picture(name)).collect();
    pictures.sort_by_key(|name| {
        let stem = name
            .rsplit_once('.')
            .map_or(name.as_str(), |(stem, _)| stem);
        let rank = PICTURE_ORDER.iter().position(|&known| known == stem);
        (rank.unwrap_or(PICTURE_ORDER.len()), name.to_string())
    });
    if !pictures.is_empty() {
        body.push_str("<h2>Pictures</h2>\n");
    }
    for name in pictures {
        let link = format!("{base}{}", encode(name));
        let name = escape(name);
        if name.starts_with("messages.") {
            let _ = writeln!(
                body,
                "<figure><div class=\"scroll\"><img src=\"{link}\" alt=\"{name}\"/></div>\
                 <figcaption><a href=\"{link}\">{name}</a>: scroll, or open it alone to hover the arrows</figcaption></figure>"
            );
        } else {
            let _ = writeln!(
                body,
                "<figure><img src=\"{link}\" alt=\"{name}\" width=\"900\"/><figcaption><a href=\"{link}\">{name}</a></figcaption></figure>"
            );
        }
    }
    body.push_str("<h2>Files</h2>\n");
    entry_list(&mut body, base, entries);
    page(&format!("{} {}", run.workload, run.name), &body)
}

/// Any other directory: its entries.
pub fn listing(base: &str, entries: &[(String, bool)]) -> String {
    let mut body = format!(
        "<p><a href=\"/\">All runs</a></p>\n<h1>{}</h1>\n",
        escape(base)
    );
    entry_list(&mut body, base, entries);
    page(base, &body)
}

/// `(name, is_directory)` entries as links under `base`, sorted by name.
fn entry_list(body: &mut String, base: &str, entries: &[(String, bool)]) {
    let mut sorted: Vec<&(String, bool)> = entries.iter().collect();
    sorted.sort();
    body.push_str("<ul class=\"entries\">\n");
    for (name, is_directory) in sorted {
        let slash = if *is_directory { "/" } else { "" };
        let _ = writeln!(
            body,
            "<li><a href=\"{base}{}{slash}\">{}{slash}</a></li>",
            encode(name),
            escape(name)
        );
    }
    body.push_str("</ul>\n");
}

/// A page for an error status.
pub fn error(status: Status) -> String {
    let Status(code, reason) = status;
    page(
        &format!("{code} {reason}"),
        &format!("<h1>{code} {reason}</h1>\n<p><a href=\"/\">All runs</a></p>\n"),
    )
}

/// Text for HTML element content and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// One path segment, percent-encoded: only RFC 3986's unreserved characters stay.
pub fn encode(segment: &str) -> String {
    let mut encoded = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(byte as char);
        } else {
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names from the file system cannot break out of an attribute or a link.
    #[test]
    fn names_are_escaped_in_text_and_encoded_in_links() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(encode("a b/../\"é"), "a%20b%2F..%2F%22%C3%A9");
        let page = listing("/x/", &[("<script>".into(), false)]);
        assert!(page.contains("<a href=\"/x/%3Cscript%3E\">&lt;script&gt;</a>"));
        assert!(!page.contains("<script>"));
    }
}
