//! The trade socket's requests and answers (bybit-exchange/docs
//! `docs/v5/websocket/trade/guideline.mdx`, "Create/Amend/Cancel Order"):
//!
//! ```text
//! {"reqId":"..","header":{"X-BAPI-TIMESTAMP":"..","X-BAPI-RECV-WINDOW":".."},"op":"order.create","args":[{..}]}
//! {"reqId":"..","retCode":0,"retMsg":"OK","op":"order.create","data":{"orderId":"..","orderLinkId":".."},
//!  "retExtInfo":{},"header":{"X-Bapi-Limit":"..","X-Bapi-Limit-Status":"..",
//!  "X-Bapi-Limit-Reset-Timestamp":"..","Traceid":"..","Timenow":".."},"connId":".."}
//! ```
//!
//! `data` is "the same as `result` on rest api response", so the answer is the REST pipeline's
//! Bybit answer re-wrapped: its `retCode`, `retMsg` and `result`, its `X-Bapi-*` headers. The
//! checks the socket makes itself: `X-BAPI-TIMESTAMP` within `X-BAPI-RECV-WINDOW` (default
//! 5000) as "Bybit_server_time - X-BAPI-RECV-WINDOW <= X-BAPI-TIMESTAMP < Bybit_server_time +
//! 1000" (else 10002, the REST code for the same rule; a missing header 10001), `args` one
//! object (else 10001), `category` spot (else 10404, "`category` is not correct/supported").

use std::fmt::Write;

use serde_json::{Map, Value};

use super::super::answer::Answer;

/// `retCode` of a parameter error.
pub(crate) const PARAM_ERROR: i32 = 10001;
/// `retCode` of a timestamp outside the receive window.
pub(crate) const TIME_WINDOW: i32 = 10002;
/// `retCode` of an unknown op or an unsupported category.
pub(crate) const NOT_FOUND: i32 = 10404;
/// `retCode` of the system-level frequency protection.
pub(crate) const SYSTEM_LIMIT: i32 = 10429;
/// `retCode` of a `reqId` the socket already used.
pub(crate) const DUPLICATE_REQ_ID: i32 = 20006;
/// `retCode` of an op before `auth` (the v5 "User authentication failed." code: our reading,
/// the docs give no example).
pub(crate) const NOT_AUTHED: i32 = 10007;
/// `retCode` of the IP limit on the trade socket (the REST side's 403 ban).
pub(crate) const IP_LIMIT: i32 = 10403;

/// A JSON string literal of `s`.
fn quoted(s: &str) -> String {
    Value::from(s).to_string()
}

/// One answer frame. `req_id`: the request's `reqId` as sent (absent: left out, as Bybit
/// does); `data`: raw JSON; `header`: the `X-Bapi-*` lines of a REST answer (`Name: value\r\n`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn answer(
    req_id: Option<&Value>,
    code: i32,
    msg: &str,
    op: &str,
    data: &str,
    header: &str,
    trace_id: &str,
    now_ms: u64,
    conn_id: &str,
) -> String {
    let mut out = String::with_capacity(400);
    out.push('{');
    if let Some(id) = req_id {
        let _ = write!(out, r#""reqId":{id},"#);
    }
    let _ = write!(
        out,
        r#""retCode":{code},"retMsg":{},"op":{},"data":{data},"retExtInfo":{{}},"header":{{"#,
        quoted(msg),
        quoted(op)
    );
    for line in header.lines() {
        if let Some((name, value)) = line.split_once(": ") {
            if name.starts_with("X-Bapi-") {
                let _ = write!(out, r#"{}:{},"#, quoted(name), quoted(value.trim()));
            }
        }
    }
    let _ = write!(
        out,
        r#""Traceid":"{trace_id}","Timenow":"{now_ms}"}},"connId":"{conn_id}"}}"#
    );
    out
}

/// The request's timing header checked at server time `now_ms`: `Err((retCode, retMsg))`.
pub(crate) fn check_header(req: &Map<String, Value>, now_ms: u64) -> Result<(), (i32, String)> {
    let header = req.get("header").and_then(Value::as_object);
    let text = |name: &str| {
        header.and_then(|h| h.get(name)).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    let Some(ts) = text("X-BAPI-TIMESTAMP") else {
        return Err((PARAM_ERROR, "X-BAPI-TIMESTAMP is missing".into()));
    };
    let bad = || (PARAM_ERROR, "params error: X-BAPI-TIMESTAMP".to_owned());
    let ts: u64 = ts.trim().parse().map_err(|_| bad())?;
    let window: u64 = match text("X-BAPI-RECV-WINDOW") {
        None => 5000,
        Some(w) => w.trim().parse().map_err(|_| bad())?,
    };
    if now_ms.saturating_sub(window) > ts || ts >= now_ms.saturating_add(1000) {
        return Err((
            TIME_WINDOW,
            "invalid request, please check your server timestamp or recv_window param".into(),
        ));
    }
    Ok(())
}

/// The one order object of `args`, its `category` spot: `Err((retCode, retMsg))`.
pub(crate) fn order_args(req: &Map<String, Value>) -> Result<&Map<String, Value>, (i32, String)> {
    let args = req.get("args").and_then(Value::as_array);
    let Some([Value::Object(o)]) = args.map(Vec::as_slice) else {
        return Err((PARAM_ERROR, "params error: args".into()));
    };
    match o.get("category").and_then(Value::as_str) {
        Some("spot") => Ok(o),
        _ => Err((NOT_FOUND, "category is not correct/supported".into())),
    }
}

/// The REST pipeline's Bybit answer `a` as `(retCode, retMsg, result)` (an unreadable body:
/// 10016 server error); a 403 IP ban becomes the socket's IP limit (10403).
pub(crate) fn from_rest(a: &Answer) -> (i32, String, String) {
    let v: Option<Value> = serde_json::from_str(&a.body).ok();
    let Some(v) = v else {
        return (10016, "Server error.".into(), "{}".into());
    };
    let code = v["retCode"]
        .as_i64()
        .and_then(|c| i32::try_from(c).ok())
        .unwrap_or(10016);
    let msg = v["retMsg"].as_str().unwrap_or("").to_owned();
    let result = match &v["result"] {
        Value::Null => "{}".to_owned(),
        r => r.to_string(),
    };
    if a.status == 403 {
        return (IP_LIMIT, "exceed IP rate limit".into(), "{}".into());
    }
    (code, msg, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_carries_the_rest_headers_and_reads_back() {
        let f = answer(
            Some(&Value::from("r1")),
            0,
            "OK",
            "order.create",
            r#"{"orderId":"1","orderLinkId":"c"}"#,
            "X-Bapi-Limit: 20\r\nX-Bapi-Limit-Status: 19\r\nX-Bapi-Limit-Reset-Timestamp: 5\r\nOther: x\r\n",
            "ab12",
            7,
            "c-1",
        );
        let v: Value = serde_json::from_str(&f).unwrap();
        assert_eq!(v["reqId"], "r1");
        assert_eq!(v["data"]["orderLinkId"], "c");
        assert_eq!(v["header"]["X-Bapi-Limit-Status"], "19");
        assert_eq!(v["header"]["Timenow"], "7");
        assert!(v["header"].get("Other").is_none());
        let f = answer(None, 10404, "x", "order.amend", "{}", "", "t", 7, "c");
        let v: Value = serde_json::from_str(&f).unwrap();
        assert!(v.get("reqId").is_none());
    }

    #[test]
    fn header_window_and_args() {
        let req = |v: Value| v.as_object().unwrap().clone();
        let now = 1_000_000;
        let ok = req(serde_json::json!({"header":{"X-BAPI-TIMESTAMP":"999000"}}));
        assert_eq!(check_header(&ok, now), Ok(()));
        let old = req(serde_json::json!({"header":{"X-BAPI-TIMESTAMP":"994999"}}));
        assert_eq!(check_header(&old, now).unwrap_err().0, TIME_WINDOW);
        let wide = req(
            serde_json::json!({"header":{"X-BAPI-TIMESTAMP":"994999","X-BAPI-RECV-WINDOW":"8000"}}),
        );
        assert_eq!(check_header(&wide, now), Ok(()));
        let ahead = req(serde_json::json!({"header":{"X-BAPI-TIMESTAMP":"1001000"}}));
        assert_eq!(check_header(&ahead, now).unwrap_err().0, TIME_WINDOW);
        assert_eq!(
            check_header(&req(serde_json::json!({})), now)
                .unwrap_err()
                .0,
            PARAM_ERROR
        );
        let linear = req(serde_json::json!({"args":[{"category":"linear"}]}));
        assert_eq!(order_args(&linear).unwrap_err().0, NOT_FOUND);
        let two = req(serde_json::json!({"args":[{"category":"spot"},{"category":"spot"}]}));
        assert_eq!(order_args(&two).unwrap_err().0, PARAM_ERROR);
        let one = req(serde_json::json!({"args":[{"category":"spot","symbol":"BTCUSDT"}]}));
        assert_eq!(order_args(&one).unwrap()["symbol"], "BTCUSDT");
    }
}
