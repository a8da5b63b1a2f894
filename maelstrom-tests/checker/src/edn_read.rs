//! Reading EDN text: what Maelstrom writes to `history.edn` and `results.edn`.
//!
//! A small recursive-descent reader over the subset those files use: maps,
//! vectors, lists, sets, keywords, symbols, strings, numbers (integers that
//! overflow `i64` become floats; ratios such as `1/3` become floats), `nil`,
//! booleans, characters, tagged literals (`#jepsen.history.Op{...}`) and the
//! `#_` discard. Commas are whitespace; `;` starts a comment.
//!
//! The files come from outside, so nothing in them may panic or abort the
//! process. The reader recurses once per nesting level, so the depth has a bound
//! ([`MAX_NESTING_DEPTH`]): 20,000 `[` would otherwise overflow the stack. Every
//! error says where it happened (line and column, counted in bytes from 1).

use crate::edn::Edn;

/// How many forms deep a value may nest, counting itself: `1` is one deep, `[1]`
/// two. Maelstrom's own files nest about a dozen deep (an op's
/// `:exception {:via [{:data {:body {...}}}]}`), and a node's JSON reply is at most
/// 128 deep (`serde_json`'s limit when the runner reads it) plus the few levels a
/// history wraps around it. The bound also keeps printing and dropping a value,
/// which recurse the same way, well within a thread's stack.
pub const MAX_NESTING_DEPTH: usize = 256;

/// Parses one EDN value (surrounding whitespace allowed).
pub fn parse(text: &str) -> anyhow::Result<Edn> {
    parse_from_line(text, 1)
}

/// [`parse`] for text that starts at line `first_line` of its file, so that
/// errors name the file's line.
pub fn parse_from_line(text: &str, first_line: usize) -> anyhow::Result<Edn> {
    let mut reader = Reader {
        text: text.as_bytes(),
        at: 0,
        depth: 0,
        first_line,
    };
    let value = reader.value()?;
    reader.skip_space();
    if reader.at != reader.text.len() {
        return Err(reader.error("trailing text"));
    }
    Ok(value)
}

struct Reader<'t> {
    text: &'t [u8],
    /// The next byte to read.
    at: usize,
    /// How many values are being read, the current one included.
    depth: usize,
    /// The file line the text starts on.
    first_line: usize,
}

fn is_delimiter(byte: u8) -> bool {
    byte.is_ascii_whitespace() || b",()[]{}\"';".contains(&byte)
}

impl Reader<'_> {
    fn skip_space(&mut self) {
        while let Some(&byte) = self.text.get(self.at) {
            if byte.is_ascii_whitespace() || byte == b',' {
                self.at += 1;
            } else if byte == b';' {
                while self.text.get(self.at).is_some_and(|&b| b != b'\n') {
                    self.at += 1;
                }
            } else {
                break;
            }
        }
    }

    /// `message` at the current position: `missing ']' at line 3, column 9`.
    fn error(&self, message: &str) -> anyhow::Error {
        let before = &self.text[..self.at.min(self.text.len())];
        let line = self.first_line + before.iter().filter(|&&byte| byte == b'\n').count();
        let line_start = before
            .iter()
            .rposition(|&byte| byte == b'\n')
            .map_or(0, |newline| newline + 1);
        let column = before.len() - line_start + 1;
        anyhow::anyhow!("{message} at line {line}, column {column}")
    }

    /// One value, at most [`MAX_NESTING_DEPTH`] deep.
    fn value(&mut self) -> anyhow::Result<Edn> {
        if self.depth == MAX_NESTING_DEPTH {
            return Err(self.error(&format!("nesting deeper than {MAX_NESTING_DEPTH} levels")));
        }
        self.depth += 1;
        let value = self.form();
        self.depth -= 1;
        value
    }

    fn form(&mut self) -> anyhow::Result<Edn> {
        self.skip_space();
        let Some(&byte) = self.text.get(self.at) else {
            return Err(self.error("unexpected end of input"));
        };
        match byte {
            b'{' => {
                self.at += 1;
                let items = self.until(b'}')?;
                if items.len() % 2 != 0 {
                    return Err(self.error("a map needs an even number of forms"));
                }
                let mut entries = Vec::with_capacity(items.len() / 2);
                let mut items = items.into_iter();
                while let (Some(key), Some(value)) = (items.next(), items.next()) {
                    entries.push((key, value));
                }
                Ok(Edn::Map(entries))
            }
            b'[' => {
                self.at += 1;
                Ok(Edn::Vector(self.until(b']')?))
            }
            b'(' => {
                self.at += 1;
                Ok(Edn::List(self.until(b')')?))
            }
            b'"' => self.string(),
            b'#' => self.dispatch(),
            b'\\' => {
                let token = self.token();
                let name = &token[1..];
                Ok(Edn::Str(match name {
                    "newline" => "\n".into(),
                    "space" => " ".into(),
                    "tab" => "\t".into(),
                    other => other.into(),
                }))
            }
            b':' => {
                let token = self.token();
                Ok(Edn::Keyword(token[1..].to_string()))
            }
            _ => {
                let token = self.token();
                if token.is_empty() {
                    return Err(self.error(&format!("unexpected {:?}", byte as char)));
                }
                Ok(atom(&token))
            }
        }
    }

    fn dispatch(&mut self) -> anyhow::Result<Edn> {
        self.at += 1;
        match self.text.get(self.at) {
            Some(b'{') => {
                self.at += 1;
                Ok(Edn::Set(self.until(b'}')?))
            }
            Some(b'_') => {
                self.at += 1;
                self.value()?;
                self.value()
            }
            Some(b'#') => {
                let token = self.token();
                Ok(Edn::Float(match token.as_str() {
                    "#Inf" => f64::INFINITY,
                    "#-Inf" => f64::NEG_INFINITY,
                    _ => f64::NAN,
                }))
            }
            _ => {
                let tag = self.token();
                let inner = self.value()?;
                Ok(Edn::Tagged(tag, Box::new(inner)))
            }
        }
    }

    fn until(&mut self, close: u8) -> anyhow::Result<Vec<Edn>> {
        let mut items = Vec::new();
        loop {
            self.skip_space();
            match self.text.get(self.at) {
                None => return Err(self.error(&format!("missing {:?}", close as char))),
                Some(&byte) if byte == close => {
                    self.at += 1;
                    return Ok(items);
                }
                Some(_) => items.push(self.value()?),
            }
        }
    }

    fn token(&mut self) -> String {
        let start = self.at;
        if self.at < self.text.len() {
            self.at += 1;
        }
        while self.text.get(self.at).is_some_and(|&b| !is_delimiter(b)) {
            self.at += 1;
        }
        String::from_utf8_lossy(&self.text[start..self.at]).into_owned()
    }

    fn string(&mut self) -> anyhow::Result<Edn> {
        self.at += 1;
        let mut bytes = Vec::new();
        loop {
            let Some(&byte) = self.text.get(self.at) else {
                return Err(self.error("unterminated string"));
            };
            self.at += 1;
            match byte {
                b'"' => return Ok(Edn::Str(String::from_utf8_lossy(&bytes).into_owned())),
                b'\\' => {
                    let Some(&escaped) = self.text.get(self.at) else {
                        return Err(self.error("unterminated escape"));
                    };
                    self.at += 1;
                    match escaped {
                        b'n' => bytes.push(b'\n'),
                        b't' => bytes.push(b'\t'),
                        b'r' => bytes.push(b'\r'),
                        b'u' => {
                            let code = self
                                .text
                                .get(self.at..self.at + 4)
                                .and_then(|hex| std::str::from_utf8(hex).ok())
                                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                                .ok_or_else(|| self.error("a \\u escape needs four hex digits"))?;
                            self.at += 4;
                            let c = char::from_u32(code).unwrap_or('\u{fffd}');
                            bytes.extend_from_slice(c.to_string().as_bytes());
                        }
                        other => bytes.push(other),
                    }
                }
                other => bytes.push(other),
            }
        }
    }
}

fn atom(token: &str) -> Edn {
    match token {
        "nil" => return Edn::Nil,
        "true" => return Edn::Bool(true),
        "false" => return Edn::Bool(false),
        _ => {}
    }
    let digits = token.trim_end_matches(['N', 'M']);
    if let Ok(integer) = digits.parse::<i64>() {
        return Edn::Int(integer);
    }
    if let Some((numerator, denominator)) = digits.split_once('/') {
        if let (Ok(n), Ok(d)) = (numerator.parse::<f64>(), denominator.parse::<f64>()) {
            return Edn::Float(n / d);
        }
    }
    match digits.parse::<f64>() {
        Ok(float)
            if digits
                .starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+' || c == '.') =>
        {
            Edn::Float(float)
        }
        _ => Edn::Symbol(token.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_line_reads_back_as_written() {
        let line = r#"{:index 3, :time 27286086, :type :info, :process :nemesis, :f :start-partition, :value [:isolated {"n2" #{"n1" "n0"}}]}"#;
        let value = parse(line).expect("parses");
        assert_eq!(value.to_string(), line);
    }

    #[test]
    fn tagged_literals_floats_and_comments_are_read() {
        let value = parse(
            "; comment\n{:a #jepsen.history.Op{:index 1}, :b 2.0966184, :c -5, :d \"x\\ny\"}",
        )
        .expect("parses");
        assert_eq!(value.get("b"), Some(&Edn::Float(2.0966184)));
        assert_eq!(value.get("c"), Some(&Edn::Int(-5)));
        assert_eq!(value.get("d"), Some(&Edn::Str("x\ny".into())));
        assert!(matches!(value.get("a"), Some(Edn::Tagged(tag, _)) if tag == "jepsen.history.Op"));
    }

    /// maelstrom.md §6 (`analyze` reads stored files): 20,000 open brackets are an
    /// error that says where the limit was crossed, not a stack overflow.
    #[test]
    fn twenty_thousand_open_brackets_are_an_error_not_an_abort() {
        let error = parse(&"[".repeat(20_000)).expect_err("too deep");
        assert_eq!(
            error.to_string(),
            format!("nesting deeper than {MAX_NESTING_DEPTH} levels at line 1, column 257")
        );
        let error =
            parse_from_line(&format!("\n  {}", "#_".repeat(20_000)), 7).expect_err("too deep");
        // Each `#_` is two bytes and one level, after a newline and two spaces.
        let column = 3 + 2 * MAX_NESTING_DEPTH;
        assert!(
            error
                .to_string()
                .ends_with(&format!("at line 8, column {column}")),
            "{error}"
        );
    }

    /// maelstrom.md §6: values up to the limit read, print and drop; one more level
    /// is refused.
    #[test]
    fn values_as_deep_as_the_limit_are_read() {
        let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let deepest = nested(MAX_NESTING_DEPTH);
        let value = parse(&deepest).expect("at the limit");
        assert_eq!(value.to_string(), deepest);
        assert!(parse(&nested(MAX_NESTING_DEPTH + 1)).is_err());
    }

    /// maelstrom.md §6: a parse error names the line and column it happened at.
    #[test]
    fn errors_name_the_line_and_column() {
        let error = parse("{:a 1,\n :b [1 2").expect_err("unbalanced");
        assert_eq!(error.to_string(), "missing ']' at line 2, column 9");
    }

    #[test]
    fn unbalanced_input_is_an_error_not_a_panic() {
        for bad in ["{:a", "[1 2", "\"open", "{:a 1 :b}", "#", ""] {
            assert!(parse(bad).is_err(), "{bad:?} should not parse");
        }
    }
}
