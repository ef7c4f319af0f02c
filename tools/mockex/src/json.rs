//! The members of a flat JSON object in document order, values as their raw text (string
//! contents without the quotes, other values as written). What the REST side needs to rebuild the
//! query string an Upbit client hashed from its JSON body: `serde_json::Value` keeps no member
//! order, so this small scanner does it. Escapes are kept as written (the engine sends only
//! unreserved characters); anything that is not an object is `None`.

/// `(key, raw value)` pairs of the object in `body`, in order; `None` when it is not one object.
pub(crate) fn members(body: &[u8]) -> Option<Vec<(&[u8], &[u8])>> {
    let mut s = Scanner { b: body, i: 0 };
    s.ws();
    s.eat(b'{')?;
    let mut out = Vec::new();
    s.ws();
    if s.peek() == Some(b'}') {
        s.i += 1;
    } else {
        loop {
            s.ws();
            let key = s.string()?;
            s.ws();
            s.eat(b':')?;
            s.ws();
            let value = s.value()?;
            out.push((key, value));
            s.ws();
            match s.next()? {
                b',' => continue,
                b'}' => break,
                _ => return None,
            }
        }
    }
    s.ws();
    (s.i == body.len()).then_some(out)
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    /// A string's contents (between the quotes, escapes as written).
    fn string(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let start = self.i;
        loop {
            match self.next()? {
                b'"' => return Some(&self.b[start..self.i - 1]),
                b'\\' => {
                    self.next()?;
                }
                _ => {}
            }
        }
    }

    /// One value: a string's contents, or the raw text of anything else (nested values whole).
    fn value(&mut self) -> Option<&'a [u8]> {
        if self.peek()? == b'"' {
            return self.string();
        }
        let start = self.i;
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            match c {
                b'"' => {
                    self.string()?;
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth == 0 => break,
                b'}' | b']' => depth -= 1,
                b',' if depth == 0 => break,
                _ => {}
            }
            self.i += 1;
        }
        let v = self.b[start..self.i].trim_ascii_end();
        (!v.is_empty() && depth == 0).then_some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_in_order_with_raw_values() {
        let m =
            members(br#" {"market":"KRW-BTC", "volume" : 0.50, "x":{"a":[1,"}"]},"e":"a\"b"} "#)
                .unwrap();
        let got: Vec<(&str, &str)> = m
            .iter()
            .map(|(k, v)| {
                (
                    std::str::from_utf8(k).unwrap(),
                    std::str::from_utf8(v).unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("market", "KRW-BTC"),
                ("volume", "0.50"),
                ("x", r#"{"a":[1,"}"]}"#),
                ("e", r#"a\"b"#)
            ]
        );
        assert_eq!(members(b"{}"), Some(vec![]));
        assert_eq!(members(b"[1]"), None);
        assert_eq!(members(br#"{"a":1"#), None);
        assert_eq!(members(br#"{"a":1} x"#), None);
    }
}
