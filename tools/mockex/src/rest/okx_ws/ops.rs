//! From an `order` / `cancel-order` op's `args` to the REST pipeline's parameters (OKX API v5
//! docs "WS / Place order", "WS / Cancel order").
//!
//! `args` is a list of one object. The instrument is named by the numeric `instIdCode` (the
//! mock's [`inst_id_code`] of each symbol; "If both `instId` and `instIdCode` are provided,
//! `instIdCode` takes precedence"), or by `instId`, which the docs say "will be deprecated"; one of
//! the two is required (else 50014, as the REST API refuses a missing parameter). A code the venue
//! does not list reaches the pipeline as an unknown instrument (51001). Every other member goes to
//! the pipeline as the REST body would carry it, so `tdMode`, `side`, `ordType`, `px`, `sz`,
//! `clOrdId` and `ordId` are checked exactly as on REST.

use serde_json::{Map, Value};

use super::super::okx_info::inst_id_code;
use super::super::params::Params;

/// An op refused before the pipeline: the answer's top-level `code` and `msg` (its `data` empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    /// OKX's code (60013 "Invalid args", 50014 a missing parameter).
    pub code: &'static str,
    /// The message.
    pub msg: String,
}

/// The `instIdCode` of a member's value: a JSON integer, or digits in a string.
fn code_of(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The pipeline parameters of an op whose `args` are `args` on a venue listing `symbols`.
pub(crate) fn params(args: Option<&Value>, symbols: &[String]) -> Result<Params, Refused> {
    let invalid = || Refused {
        code: "60013",
        msg: "Invalid args".to_owned(),
    };
    let one = match args.and_then(Value::as_array).map(Vec::as_slice) {
        Some([one]) => one.as_object().ok_or_else(invalid)?,
        _ => return Err(invalid()),
    };
    let mut m: Map<String, Value> = one.clone();
    match m.remove("instIdCode") {
        Some(v) => {
            let code = code_of(&v).ok_or_else(invalid)?;
            let symbol = symbols.iter().find(|s| inst_id_code(s) == code);
            // An unknown code names no instrument: the pipeline refuses it as one (51001).
            let name = symbol
                .cloned()
                .unwrap_or_else(|| format!("instIdCode-{code}"));
            m.insert("instId".into(), Value::String(name));
        }
        None if m
            .get("instId")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty()) => {}
        None => {
            return Err(Refused {
                code: "50014",
                msg: "Parameter instIdCode can not be empty.".to_owned(),
            })
        }
    }
    Params::from_json(Value::Object(m).to_string().as_bytes()).ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn symbols() -> Vec<String> {
        vec!["BTC-USDT".to_owned(), "C1-USDT".to_owned()]
    }

    #[test]
    fn code_names_the_instrument() {
        let code = inst_id_code("C1-USDT");
        let args =
            serde_json::json!([{"instIdCode":code,"instId":"BTC-USDT","side":"buy","sz":"1"}]);
        let p = params(Some(&args), &symbols()).unwrap();
        assert_eq!(
            (p.get("instId"), p.get("side")),
            (Some("C1-USDT"), Some("buy"))
        );
        assert_eq!(p.get("instIdCode"), None);
        let args = serde_json::json!([{"instIdCode":code.to_string()}]);
        assert_eq!(
            params(Some(&args), &symbols()).unwrap().get("instId"),
            Some("C1-USDT")
        );
        let args = serde_json::json!([{"instId":"BTC-USDT"}]);
        assert_eq!(
            params(Some(&args), &symbols()).unwrap().get("instId"),
            Some("BTC-USDT")
        );
        let args = serde_json::json!([{"instIdCode":7}]);
        assert_eq!(
            params(Some(&args), &symbols()).unwrap().get("instId"),
            Some("instIdCode-7")
        );
    }

    #[test]
    fn malformed_args_are_refused() {
        let code = |v: Value| params(Some(&v), &symbols()).unwrap_err().code;
        assert_eq!(code(serde_json::json!([{"side":"buy"}])), "50014");
        assert_eq!(code(serde_json::json!([])), "60013");
        assert_eq!(
            code(serde_json::json!([{"instId":"BTC-USDT"},{"instId":"BTC-USDT"}])),
            "60013"
        );
        assert_eq!(code(serde_json::json!({"instId":"BTC-USDT"})), "60013");
        assert_eq!(code(serde_json::json!([{"instIdCode":true}])), "60013");
        assert_eq!(params(None, &symbols()).unwrap_err().code, "60013");
    }
}
