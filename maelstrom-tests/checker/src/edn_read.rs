//! Reading EDN text: what Maelstrom writes to `history.edn` and `results.edn`.
//!
//! A small recursive-descent reader over the subset those files use: maps,
//! vectors, lists, sets, keywords, symbols, strings, numbers (integers that
//! overflow `i64` become floats; ratios such as `1/3` become floats), `nil`,
//! booleans, characters, tagged literals (`#jepsen.history.Op{...}`) and the
//! `#_` discard. Commas are whitespace; `;` starts a comment.

use crate::edn::Edn;

/// Parses one EDN value (surrounding whitespace allowed).
pub fn parse(text: &str) -> anyhow::Result<Edn> {
    let mut reader = Reader {
        text: text.as_bytes(),
        at: 0,
    };
    let value = reader.value()?;
    reader.skip_space();
    anyhow::ensure!(
        reader.at == reader.text.len(),
        "trailing text at byte {}",
        reader.at
    );
    Ok(value)
}

struct Reader<'t> {
    text: &'t [u8],
    at: usize,
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

    fn value(&mut self) -> anyhow::Result<Edn> {
        self.skip_space();
        let Some(&byte) = self.text.get(self.at) else {
            anyhow::bail!("unexpected end of input");
        };
        match byte {
            b'{' => {
                self.at += 1;
                let items = self.until(b'}')?;
                anyhow::ensure!(items.len() % 2 == 0, "a map needs an even number of forms");
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
                anyhow::ensure!(
                    !token.is_empty(),
                    "unexpected {:?} at byte {}",
                    byte as char,
                    self.at
                );
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
                None => anyhow::bail!("missing {:?}", close as char),
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
                anyhow::bail!("unterminated string");
            };
            self.at += 1;
            match byte {
                b'"' => return Ok(Edn::Str(String::from_utf8_lossy(&bytes).into_owned())),
                b'\\' => {
                    let Some(&escaped) = self.text.get(self.at) else {
                        anyhow::bail!("unterminated escape");
                    };
                    self.at += 1;
                    match escaped {
                        b'n' => bytes.push(b'\n'),
                        b't' => bytes.push(b'\t'),
                        b'r' => bytes.push(b'\r'),
                        b'u' => {
                            let hex = std::str::from_utf8(
                                self.text.get(self.at..self.at + 4).unwrap_or_default(),
                            )?;
                            let code = u32::from_str_radix(hex, 16)?;
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

    #[test]
    fn unbalanced_input_is_an_error_not_a_panic() {
        for bad in ["{:a", "[1 2", "\"open", "{:a 1 :b}", "#", ""] {
            assert!(parse(bad).is_err(), "{bad:?} should not parse");
        }
    }
}
