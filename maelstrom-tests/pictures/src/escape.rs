//! Escaping for the hand-written files (`messages.svg`, `timeline.html`).
//!
//! Everything drawn comes from outside: node ids, message bodies, `:f` names and op
//! values are whatever a node or a history file said. One function escapes all five
//! XML specials, so the same text is safe in element content and in quoted attributes
//! of both SVG and HTML. Control characters other than tab and newline are not
//! allowed in XML 1.0 at all, so they become U+FFFD. (plotters escapes its own text.)

use std::fmt::Write;

/// `text` with `<`, `>`, `&`, `"` and `'` escaped and XML-illegal characters replaced.
pub fn xml(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    push_xml(&mut escaped, text);
    escaped
}

/// Appends `text`, escaped as [`xml`] does, to `out`.
pub fn push_xml(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// A number of milliseconds as text: `12.3 ms`, or whole above 100 ms.
pub fn millis(ns: i64) -> String {
    let ms = ns as f64 / 1e6;
    let mut text = String::new();
    if ms.abs() >= 100.0 {
        let _ = write!(text, "{ms:.0} ms");
    } else {
        let _ = write!(text, "{ms:.1} ms");
    }
    text
}

/// `12,345`: counts in notices read better grouped.
pub fn grouped(count: usize) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (position, digit) in digits.chars().enumerate() {
        if position > 0 && (digits.len() - position) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hostile text cannot open a tag, end an attribute or break the XML.
    #[test]
    fn specials_and_control_characters_are_neutralised() {
        assert_eq!(
            xml("<a href=\"x\">'&'</a>\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\u{FFFD}"
        );
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(10_000), "10,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(millis(12_345_678), "12.3 ms");
        assert_eq!(millis(1_234_000_000), "1234 ms");
    }
}
