//! The frames a Binance WebSocket API session answers with (binance-spot-api-docs
//! `web-socket-api.md`, "Response format", "Rate limits", "Error codes"):
//!
//! ```text
//! {"id":<echoed>,"status":200,"result":{...},"rateLimits":[{...}]}
//! {"id":<echoed>,"status":400,"error":{"code":-2010,"msg":"..."},"rateLimits":[{...}]}
//! {"id":<echoed>,"status":429,"error":{"code":-1003,"msg":"...","data":{"serverTime":..,"retryAfter":..}}}
//! ```
//!
//! `status` is the HTTP status the REST API would give; `result` is the REST answer's body and
//! `error` its `{"code","msg"}` body, so both transports judge an order alike. `rateLimits`
//! carries `REQUEST_WEIGHT` per minute and `ORDERS` per 10 s and per day with their limits and
//! the counts after this request.

use super::super::answer::Answer;
use super::super::limits::RestLimits;

/// The `rateLimits` array for `counts` (`[weight 1m, orders 10s, orders 1d]`) under `l`.
pub(crate) fn rate_limits(l: &RestLimits, counts: [u32; 3]) -> String {
    format!(
        r#"[{{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":{},"count":{}}},{{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":{},"count":{}}},{{"rateLimitType":"ORDERS","interval":"DAY","intervalNum":1,"limit":{},"count":{}}}]"#,
        l.binance_weight_1m,
        counts[0],
        l.binance_orders_10s,
        counts[1],
        l.binance_orders_1d,
        counts[2]
    )
}

/// A success frame: `result` is raw JSON.
pub(crate) fn ok(id: &str, result: &str, limits: Option<&str>) -> String {
    match limits {
        Some(l) => format!(r#"{{"id":{id},"status":200,"result":{result},"rateLimits":{l}}}"#),
        None => format!(r#"{{"id":{id},"status":200,"result":{result}}}"#),
    }
}

/// An error frame from `status` and a raw `{"code","msg"}` object.
pub(crate) fn error(id: &str, status: u16, error: &str, limits: Option<&str>) -> String {
    match limits {
        Some(l) => format!(r#"{{"id":{id},"status":{status},"error":{error},"rateLimits":{l}}}"#),
        None => format!(r#"{{"id":{id},"status":{status},"error":{error}}}"#),
    }
}

/// A `{"code","msg"}` object.
pub(crate) fn code(code: i32, msg: &str) -> String {
    format!(r#"{{"code":{code},"msg":"{msg}"}}"#)
}

/// The frame for a REST pipeline's answer `a`: 2xx as `result`, else `error`; a 429/418 gains
/// `data.serverTime` / `data.retryAfter` from its `Retry-After` header, as the WebSocket API
/// reports a ban's end.
pub(crate) fn from_answer(id: &str, a: &Answer, now_ms: u64, limits: &str) -> String {
    if (200..300).contains(&a.status) {
        return ok(id, &a.body, Some(limits));
    }
    let retry_s = a
        .headers
        .lines()
        .find_map(|l| l.strip_prefix("Retry-After: "))
        .and_then(|v| v.trim().parse::<u64>().ok());
    let body = match (a.status, retry_s) {
        (429 | 418, Some(s)) => match a.body.strip_suffix('}') {
            Some(head) => format!(
                r#"{head},"data":{{"serverTime":{now_ms},"retryAfter":{}}}}}"#,
                now_ms + s * 1000
            ),
            None => a.body.clone(),
        },
        _ => a.body.clone(),
    };
    error(id, a.status, &body, Some(limits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_read_back_as_json() {
        let l = rate_limits(&RestLimits::default(), [3, 1, 1]);
        let f = ok(r#""p1""#, r#"{"orderId":1}"#, Some(&l));
        let v: serde_json::Value = serde_json::from_str(&f).unwrap();
        assert_eq!(v["status"], 200);
        assert_eq!(v["rateLimits"][0]["count"], 3);
        let mut a = Answer::new(429, code(-1003, "Too many requests."));
        a.headers = "Retry-After: 2\r\n".into();
        let f = from_answer("7", &a, 1000, &l);
        let v: serde_json::Value = serde_json::from_str(&f).unwrap();
        assert_eq!(v["id"], 7);
        assert_eq!(v["error"]["code"], -1003);
        assert_eq!(v["error"]["data"]["retryAfter"], 3000);
    }
}
