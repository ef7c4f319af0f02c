//! The subscription request of Upbit's private stream (docs.upbit.com "WebSocket 사용 및 에러
//! 안내" / WebSocket guide, "내 주문 및 체결 (MyOrder)", global-docs "My Asset"):
//!
//! ```text
//! [{"ticket":"<id>"},{"type":"myOrder","codes":["KRW-BTC"]},{"type":"myAsset"},{"format":"DEFAULT"}]
//! ```
//!
//! - `myOrder`: `codes` optional; absent or empty subscribes every market. Codes are compared as
//!   sent (Upbit requires them upper case).
//! - `myAsset`: takes no `codes` (Upbit answers `WRONG_FORMAT` when it carries them).
//! - `format`: `DEFAULT` (the default), `SIMPLE` (abbreviated keys), `JSON_LIST` / `SIMPLE_LIST`
//!   (each frame a one-element array).
//! - Refusals are Upbit's error names: `WRONG_FORMAT` (not a JSON array, a malformed member),
//!   `NO_TICKET`, `NO_TYPE`, `INVALID_PARAM` (a type the private stream does not serve here, an
//!   unknown format). The messages are the mock's own words (the docs name the errors only).

use serde_json::Value;

/// How frames are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// Full keys, one object per frame.
    Default,
    /// Abbreviated keys (`ty`, `cd`, ...), one object per frame.
    Simple,
    /// Full keys, each frame a one-element array.
    JsonList,
    /// Abbreviated keys, each frame a one-element array.
    SimpleList,
}

impl Format {
    /// Whether keys are abbreviated.
    pub fn simple(self) -> bool {
        matches!(self, Format::Simple | Format::SimpleList)
    }

    /// Whether each frame is wrapped in an array.
    pub fn list(self) -> bool {
        matches!(self, Format::JsonList | Format::SimpleList)
    }
}

/// What one connection subscribed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Subscription {
    /// `myOrder` with these codes (empty: every market); `None`: not subscribed.
    pub orders: Option<Vec<String>>,
    /// `myAsset` subscribed.
    pub assets: bool,
    /// The frames' format.
    pub format: Format,
}

impl Subscription {
    /// Whether `myOrder` frames of market `code` are wanted.
    pub fn wants_order(&self, code: &str) -> bool {
        self.orders
            .as_ref()
            .is_some_and(|c| c.is_empty() || c.iter().any(|x| x == code))
    }
}

/// A refused request: Upbit's error name and the mock's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refused {
    /// `error.name`.
    pub name: &'static str,
    /// `error.message`.
    pub message: &'static str,
}

const fn refused(name: &'static str, message: &'static str) -> Refused {
    Refused { name, message }
}

/// Read one request.
pub(crate) fn parse(text: &str) -> Result<Subscription, Refused> {
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) else {
        return Err(refused("WRONG_FORMAT", "request is not a JSON array"));
    };
    if !items.iter().any(|i| i.get("ticket").is_some()) {
        return Err(refused("NO_TICKET", "ticket is required"));
    }
    let mut sub = Subscription {
        orders: None,
        assets: false,
        format: Format::Default,
    };
    let mut typed = false;
    for item in &items {
        if !item.is_object() {
            return Err(refused("WRONG_FORMAT", "every member must be an object"));
        }
        if let Some(t) = item.get("type") {
            typed = true;
            let codes = match item.get("codes") {
                None | Some(Value::Null) => None,
                Some(Value::Array(a)) => Some(
                    a.iter()
                        .map(|c| c.as_str().map(str::to_owned))
                        .collect::<Option<Vec<String>>>()
                        .ok_or(refused("WRONG_FORMAT", "codes must be strings"))?,
                ),
                Some(_) => return Err(refused("WRONG_FORMAT", "codes must be an array")),
            };
            match t.as_str() {
                Some("myOrder") => sub.orders = Some(codes.unwrap_or_default()),
                Some("myAsset") if codes.is_some() => {
                    return Err(refused("WRONG_FORMAT", "myAsset takes no codes"))
                }
                Some("myAsset") => sub.assets = true,
                _ => return Err(refused("INVALID_PARAM", "unsupported type")),
            }
        }
        if let Some(f) = item.get("format") {
            sub.format = match f.as_str() {
                Some("DEFAULT") => Format::Default,
                Some("SIMPLE") => Format::Simple,
                Some("JSON_LIST") => Format::JsonList,
                Some("SIMPLE_LIST") => Format::SimpleList,
                _ => return Err(refused("INVALID_PARAM", "unsupported format")),
            };
        }
    }
    if !typed {
        return Err(refused("NO_TYPE", "type is required"));
    }
    Ok(sub)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_requests_read() {
        // The docs' examples.
        let s = parse(r#"[{"ticket":"0e66c0ac-7e13-43ef-91fb-2a87c2956c49"},{"type":"myOrder"}]"#)
            .unwrap();
        assert_eq!(s.orders, Some(vec![]));
        assert!(!s.assets && s.wants_order("KRW-ETH"));
        let s = parse(
            r#"[{"ticket":"t"},{"type":"myOrder","codes":["KRW-BTC"]},{"format":"JSON_LIST"}]"#,
        )
        .unwrap();
        assert!(s.wants_order("KRW-BTC") && !s.wants_order("KRW-ETH"));
        assert_eq!(s.format, Format::JsonList);
        let s =
            parse(r#"[{"ticket":"t"},{"type":"myOrder"},{"type":"myAsset"},{"format":"SIMPLE"}]"#)
                .unwrap();
        assert!(s.assets && s.format.simple() && !s.format.list());
        let s = parse(r#"[{"ticket":"t"},{"type":"myAsset"}]"#).unwrap();
        assert_eq!((s.orders, s.assets), (None, true));
    }

    #[test]
    fn refusals_carry_upbit_names() {
        let name = |t: &str| parse(t).unwrap_err().name;
        assert_eq!(name("PING?"), "WRONG_FORMAT");
        assert_eq!(name(r#"{"ticket":"t"}"#), "WRONG_FORMAT");
        assert_eq!(name(r#"[{"type":"myOrder"}]"#), "NO_TICKET");
        assert_eq!(name(r#"[{"ticket":"t"},{"format":"DEFAULT"}]"#), "NO_TYPE");
        assert_eq!(
            name(r#"[{"ticket":"t"},{"type":"myAsset","codes":["KRW-BTC"]}]"#),
            "WRONG_FORMAT"
        );
        assert_eq!(
            name(r#"[{"ticket":"t"},{"type":"orderbook","codes":["KRW-BTC"]}]"#),
            "INVALID_PARAM"
        );
        assert_eq!(
            name(r#"[{"ticket":"t"},{"type":"myOrder"},{"format":"XML"}]"#),
            "INVALID_PARAM"
        );
        assert_eq!(
            name(r#"[{"ticket":"t"},{"type":"myOrder","codes":[1]}]"#),
            "WRONG_FORMAT"
        );
    }
}
