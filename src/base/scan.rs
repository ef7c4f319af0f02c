//! A tiny zero-allocation JSON scanner over `&[u8]`: walk an object's members or an array's
//! elements at one nesting level and hand back the raw value slices.
//!
//! Why not a full parser: a venue frame is a few hundred bytes of which the adapter needs five or six
//! fields. Building a DOM allocates; a borrowed serde struct cannot skip fields it does not know
//! without walking them anyway. This scanner walks each byte once, borrows everything, and leaves the
//! interpretation of values (decimal text, integers) to the caller.
//!
//! Contract:
//! - never panics and never indexes out of bounds, whatever the input (fuzzed in
//!   `tests/ingest/venues_fuzz.rs`); malformed structure is a [`ScanError`] with the byte offset;
//! - values are returned raw: a string value keeps its quotes (use [`str_content`]), escapes are not
//!   decoded (keys are compared raw, so `"\u0073"` does not match `s`; venues do not escape ASCII);
//! - nesting is checked with a 64-bit bracket stack: `{"a":[}` is an error, depth beyond 64 is
//!   [`ScanErrorKind::TooDeep`]; scalars (numbers, `true`, `null`) are taken as the bytes up to the
//!   next delimiter and validated by whoever interprets them;
//! - bytes after the closing bracket of the outermost value are ignored.
//!
//! ```
//! use microarb::base::scan::{ObjIter, str_content};
//! let frame = br#"{"s":"BTCUSDT","b":"25.35","n":{"x":[1,2]}}"#;
//! let mut bid = None;
//! for member in ObjIter::new(frame) {
//!     let (key, value) = member.unwrap();
//!     if key == b"b" { bid = str_content(value); }
//! }
//! assert_eq!(bid, Some(&b"25.35"[..]));
//! ```

use thiserror::Error;

/// Deepest nesting the scanner follows; deeper input is refused rather than recursed into.
pub const MAX_DEPTH: u32 = 64;

/// What went wrong while scanning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanErrorKind {
    /// The input ended inside a value.
    UnexpectedEnd,
    /// A byte that cannot start or continue the expected token.
    UnexpectedByte(u8),
    /// An object or array was expected here.
    NotAContainer,
    /// A closing bracket that does not match the open one.
    MismatchedBracket,
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep,
}

/// A structural error in a JSON payload, with the byte offset where it was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("malformed JSON at byte {at}: {kind:?}")]
pub struct ScanError {
    /// Byte offset into the scanned slice.
    pub at: usize,
    /// What was wrong there.
    pub kind: ScanErrorKind,
}

#[inline]
fn err<T>(at: usize, kind: ScanErrorKind) -> Result<T, ScanError> {
    Err(ScanError { at, kind })
}

#[inline]
fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

/// Index of the first non-whitespace byte at or after `i` (or `b.len()`).
#[inline]
pub fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(&c) = b.get(i) {
        if !is_ws(c) {
            break;
        }
        i += 1;
    }
    i
}

/// `b[i]` must be `"`; returns the index just past the closing quote. A backslash escapes the next
/// byte, which is all that matters for finding the end.
#[inline]
fn skip_string(b: &[u8], i: usize) -> Result<usize, ScanError> {
    let mut j = i + 1;
    loop {
        match b.get(j) {
            None => return err(j, ScanErrorKind::UnexpectedEnd),
            Some(b'"') => return Ok(j + 1),
            Some(b'\\') => j += 2,
            Some(_) => j += 1,
        }
    }
}

/// Skip one value starting at `i` (no leading whitespace); returns the index just past it.
pub fn skip_value(b: &[u8], i: usize) -> Result<usize, ScanError> {
    match b.get(i) {
        None => err(i, ScanErrorKind::UnexpectedEnd),
        Some(b'"') => skip_string(b, i),
        Some(b'{') | Some(b'[') => skip_container(b, i),
        Some(&c) if matches!(c, b',' | b':' | b'}' | b']') => {
            err(i, ScanErrorKind::UnexpectedByte(c))
        }
        Some(_) => {
            let mut j = i;
            while let Some(&c) = b.get(j) {
                if matches!(c, b',' | b'}' | b']' | b':' | b'"' | b'{' | b'[') || is_ws(c) {
                    break;
                }
                j += 1;
            }
            Ok(j)
        }
    }
}

/// Skip a whole object or array with a bit stack of open brackets (1 = object, 0 = array).
fn skip_container(b: &[u8], i: usize) -> Result<usize, ScanError> {
    let mut stack: u64 = 0;
    let mut depth: u32 = 0;
    let mut j = i;
    while let Some(&c) = b.get(j) {
        match c {
            b'"' => {
                j = skip_string(b, j)?;
                continue;
            }
            b'{' | b'[' => {
                if depth >= MAX_DEPTH {
                    return err(j, ScanErrorKind::TooDeep);
                }
                stack = (stack << 1) | u64::from(c == b'{');
                depth += 1;
            }
            b'}' | b']' => {
                let is_obj = stack & 1 == 1;
                if depth == 0 || is_obj != (c == b'}') {
                    return err(j, ScanErrorKind::MismatchedBracket);
                }
                stack >>= 1;
                depth -= 1;
                if depth == 0 {
                    return Ok(j + 1);
                }
            }
            _ => {}
        }
        j += 1;
    }
    err(j, ScanErrorKind::UnexpectedEnd)
}

/// The bytes between the quotes of a raw string value, or `None` if `v` is not a string.
#[inline]
pub fn str_content(v: &[u8]) -> Option<&[u8]> {
    match v {
        [b'"', inner @ .., b'"'] => Some(inner),
        _ => None,
    }
}

/// A decimal unsigned integer value (raw JSON number, no sign, no fraction) that fits a `u64`.
#[inline]
pub fn parse_u64(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 20 {
        return None;
    }
    let mut n: u64 = 0;
    for &c in v {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(n)
}

/// One object member: raw key (without quotes) and raw value.
pub type Member<'a> = (&'a [u8], &'a [u8]);

/// Iterator over the members of a JSON object: yields `(raw key without quotes, raw value)`.
///
/// After the first error it yields that error once and then ends, so a `for` loop terminates.
#[derive(Debug, Clone)]
pub struct ObjIter<'a> {
    b: &'a [u8],
    pos: usize,
    first: bool,
    done: bool,
}

impl<'a> ObjIter<'a> {
    /// Start at the object in `b` (leading whitespace allowed). A non-object yields one
    /// [`ScanErrorKind::NotAContainer`] error.
    pub fn new(b: &'a [u8]) -> Self {
        ObjIter {
            b,
            pos: skip_ws(b, 0),
            first: true,
            done: false,
        }
    }

    /// Read up to the next member's value: returns its key and leaves `pos` at the value's first
    /// byte; at the closing `}` returns `None` with `pos` just past it.
    fn step_key(&mut self) -> Result<Option<&'a [u8]>, ScanError> {
        let b = self.b;
        if self.first {
            self.first = false;
            match b.get(self.pos) {
                Some(b'{') => self.pos += 1,
                None => return err(self.pos, ScanErrorKind::UnexpectedEnd),
                Some(_) => return err(self.pos, ScanErrorKind::NotAContainer),
            }
            let i = skip_ws(b, self.pos);
            if b.get(i) == Some(&b'}') {
                self.pos = i + 1;
                return Ok(None);
            }
        } else {
            let i = skip_ws(b, self.pos);
            match b.get(i) {
                Some(b',') => self.pos = i + 1,
                Some(b'}') => {
                    self.pos = i + 1;
                    return Ok(None);
                }
                Some(&c) => return err(i, ScanErrorKind::UnexpectedByte(c)),
                None => return err(i, ScanErrorKind::UnexpectedEnd),
            }
        }
        let k = skip_ws(b, self.pos);
        match b.get(k) {
            Some(b'"') => {}
            Some(&c) => return err(k, ScanErrorKind::UnexpectedByte(c)),
            None => return err(k, ScanErrorKind::UnexpectedEnd),
        }
        let k_end = skip_string(b, k)?;
        let key = b.get(k + 1..k_end - 1).unwrap_or_default();
        let c = skip_ws(b, k_end);
        match b.get(c) {
            Some(b':') => {}
            Some(&x) => return err(c, ScanErrorKind::UnexpectedByte(x)),
            None => return err(c, ScanErrorKind::UnexpectedEnd),
        }
        self.pos = skip_ws(b, c + 1);
        Ok(Some(key))
    }

    fn skip_value_here(&mut self) -> Result<&'a [u8], ScanError> {
        let v = self.pos;
        let v_end = skip_value(self.b, v)?;
        self.pos = v_end;
        Ok(self.b.get(v..v_end).unwrap_or_default())
    }

    fn step(&mut self) -> Result<Option<Member<'a>>, ScanError> {
        match self.step_key()? {
            None => Ok(None),
            Some(key) => Ok(Some((key, self.skip_value_here()?))),
        }
    }

    fn fuse<T>(&mut self, r: Result<Option<T>, ScanError>) -> Option<Result<T, ScanError>> {
        match r {
            Ok(Some(x)) => Some(Ok(x)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }

    /// Lazy walk, for descending into a member without scanning it twice: the next member's key,
    /// stopping before its value. The caller must then consume the value with
    /// [`value`](ObjIter::value), or parse it from [`rest`](ObjIter::rest) and report the bytes it
    /// used with [`advance`](ObjIter::advance), before asking for the next key.
    pub fn next_key(&mut self) -> Option<Result<&'a [u8], ScanError>> {
        if self.done {
            return None;
        }
        let r = self.step_key();
        self.fuse(r)
    }

    /// After [`next_key`](ObjIter::next_key): skip the member's value and return it raw.
    pub fn value(&mut self) -> Result<&'a [u8], ScanError> {
        let r = self.skip_value_here();
        if r.is_err() {
            self.done = true;
        }
        r
    }

    /// The unread input, from the current position (a value's first byte after `next_key`).
    pub fn rest(&self) -> &'a [u8] {
        self.b.get(self.pos..).unwrap_or_default()
    }

    /// Byte offset of the current position in the scanned slice.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// Move past `n` bytes of [`rest`](ObjIter::rest) that the caller consumed.
    pub fn advance(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n).min(self.b.len());
    }

    /// Bytes of the input this iterator consumed; once it has returned `None`, that is the whole
    /// object including its closing `}` (and leading whitespace).
    pub fn consumed(&self) -> usize {
        self.pos
    }
}

impl<'a> Iterator for ObjIter<'a> {
    type Item = Result<Member<'a>, ScanError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.step();
        self.fuse(r)
    }
}

/// Iterator over the elements of a JSON array: yields each raw element value.
///
/// After the first error it yields that error once and then ends.
#[derive(Debug, Clone)]
pub struct ArrIter<'a> {
    b: &'a [u8],
    pos: usize,
    first: bool,
    done: bool,
}

impl<'a> ArrIter<'a> {
    /// Start at the array in `b` (leading whitespace allowed). A non-array yields one
    /// [`ScanErrorKind::NotAContainer`] error.
    pub fn new(b: &'a [u8]) -> Self {
        ArrIter {
            b,
            pos: skip_ws(b, 0),
            first: true,
            done: false,
        }
    }

    fn step(&mut self) -> Result<Option<&'a [u8]>, ScanError> {
        let b = self.b;
        if self.first {
            self.first = false;
            match b.get(self.pos) {
                Some(b'[') => self.pos += 1,
                None => return err(self.pos, ScanErrorKind::UnexpectedEnd),
                Some(_) => return err(self.pos, ScanErrorKind::NotAContainer),
            }
            let i = skip_ws(b, self.pos);
            if b.get(i) == Some(&b']') {
                return Ok(None);
            }
        } else {
            let i = skip_ws(b, self.pos);
            match b.get(i) {
                Some(b',') => self.pos = i + 1,
                Some(b']') => return Ok(None),
                Some(&c) => return err(i, ScanErrorKind::UnexpectedByte(c)),
                None => return err(i, ScanErrorKind::UnexpectedEnd),
            }
        }
        let v = skip_ws(b, self.pos);
        let v_end = skip_value(b, v)?;
        self.pos = v_end;
        Ok(Some(b.get(v..v_end).unwrap_or_default()))
    }
}

impl<'a> Iterator for ArrIter<'a> {
    type Item = Result<&'a [u8], ScanError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Some(v)) => Some(Ok(v)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// The raw value of `key` among the members of the object `obj` (top level only), or `None`.
pub fn field<'a>(obj: &'a [u8], key: &[u8]) -> Result<Option<&'a [u8]>, ScanError> {
    for member in ObjIter::new(obj) {
        let (k, v) = member?;
        if k == key {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

/// The first element of the array `arr`, or `None` when it is empty.
pub fn first_element(arr: &[u8]) -> Result<Option<&[u8]>, ScanError> {
    ArrIter::new(arr).next().transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn finds_keys_at_the_right_level() {
        let j =
            br#" { "a" : {"b":1,"s":"inner"}, "s" : "outer\"q", "c":[1,{"s":2}] , "n":-1.5e3 } "#;
        assert_eq!(field(j, b"s").unwrap(), Some(&br#""outer\"q""#[..]));
        assert_eq!(field(j, b"n").unwrap(), Some(&b"-1.5e3"[..]));
        assert_eq!(field(j, b"c").unwrap(), Some(&br#"[1,{"s":2}]"#[..]));
        assert_eq!(field(j, b"b").unwrap(), None);
        let inner = field(j, b"a").unwrap().unwrap();
        assert_eq!(field(inner, b"s").unwrap(), Some(&br#""inner""#[..]));
        assert_eq!(str_content(br#""x""#), Some(&b"x"[..]));
        assert_eq!(str_content(b"\""), None);
        assert_eq!(str_content(b"12"), None);
    }

    #[test]
    fn arrays() {
        let a = br#"[ ["1","2"] , [] ,"x\\",3]"#;
        let v: Vec<_> = ArrIter::new(a).map(|r| r.unwrap()).collect();
        assert_eq!(v, vec![&br#"["1","2"]"#[..], b"[]", br#""x\\""#, b"3"]);
        assert_eq!(first_element(b"[]").unwrap(), None);
        assert_eq!(first_element(b" [ 7 ]").unwrap(), Some(&b"7"[..]));
    }

    #[test]
    fn malformed_is_an_error() {
        for bad in [
            &b""[..],
            b"{",
            b"{\"a\"",
            b"{\"a\":",
            b"{\"a\":[}",
            b"{\"a\":1,}",
            b"{\"a\" 1}",
            b"{1:2}",
            b"[1,",
            b"\"abc",
            b"{\"a\":\"x}",
            b"{\"a\":]",
        ] {
            let obj: Result<Vec<_>, _> = ObjIter::new(bad).collect();
            assert!(obj.is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(
            field(b"[1]", b"a"),
            Err(ScanError {
                at: 0,
                kind: ScanErrorKind::NotAContainer
            })
        );
        let deep = [b'['; 100];
        assert!(skip_value(&deep, 0).is_err());
        let mut nested = vec![b'['; 65];
        nested.extend(vec![b']'; 65]);
        assert_eq!(
            skip_value(&nested, 0).unwrap_err().kind,
            ScanErrorKind::TooDeep
        );
    }

    #[test]
    fn lazy_descent_matches_eager_walk() {
        let j = br#"{"stream":"x@bookTicker", "data" : {"u":1,"s":"A"} ,"z":[1]}"#;
        let mut it = ObjIter::new(j);
        let mut seen = Vec::new();
        while let Some(k) = it.next_key() {
            let k = k.unwrap();
            if k == b"data" {
                let mut inner = ObjIter::new(it.rest());
                let members: Vec<_> = inner.by_ref().map(|m| m.unwrap()).collect();
                assert_eq!(members, vec![(&b"u"[..], &b"1"[..]), (b"s", br#""A""#)]);
                it.advance(inner.consumed());
                seen.push((k, &b"<descended>"[..]));
            } else {
                seen.push((k, it.value().unwrap()));
            }
        }
        assert_eq!(
            seen,
            vec![
                (&b"stream"[..], &br#""x@bookTicker""#[..]),
                (b"data", b"<descended>"),
                (b"z", b"[1]")
            ]
        );
        assert_eq!(it.consumed(), j.len());
        let mut bad = ObjIter::new(br#"{"a":}"#);
        assert_eq!(bad.next_key(), Some(Ok(&b"a"[..])));
        assert!(bad.value().is_err());
        assert_eq!(bad.next_key(), None);
    }

    #[test]
    fn integers() {
        assert_eq!(parse_u64(b"400900217"), Some(400_900_217));
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(parse_u64(b""), None);
        assert_eq!(parse_u64(b"-1"), None);
        assert_eq!(parse_u64(b"1.0"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Against serde_json as the reference: on valid JSON objects the scanner finds every
        /// top-level key with the same value; on any bytes it never panics.
        #[test]
        fn agrees_with_serde_on_valid_objects(
            entries in proptest::collection::btree_map("[a-z]{1,4}", prop_oneof![
                any::<i32>().prop_map(|n| serde_json::json!(n)),
                "[ -~]{0,8}".prop_map(|s| serde_json::json!(s)),
                proptest::collection::vec(any::<u8>(), 0..4).prop_map(|v| serde_json::json!(v)),
                Just(serde_json::json!({"x": [1, {"y": "}"}]})),
            ], 0..6)
        ) {
            let map: serde_json::Map<_, _> = entries.into_iter().collect();
            let text = serde_json::to_vec_pretty(&serde_json::Value::Object(map.clone())).unwrap();
            let mut seen = 0;
            for member in ObjIter::new(&text) {
                let (k, v) = member.unwrap();
                let key = std::str::from_utf8(k).unwrap();
                let parsed: serde_json::Value = serde_json::from_slice(v).unwrap();
                prop_assert_eq!(Some(&parsed), map.get(key));
                seen += 1;
            }
            prop_assert_eq!(seen, map.len());
        }

        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            for m in ObjIter::new(&bytes) { let _ = m; }
            for m in ArrIter::new(&bytes) { let _ = m; }
            let _ = skip_value(&bytes, 0);
        }
    }
}
