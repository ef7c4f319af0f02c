//! The frames an OKX private WebSocket session answers with (OKX API v5 docs "WebSocket / Login",
//! "Subscribe", "WS / Place order", "WS / Cancel order"), in the docs' member order:
//!
//! ```text
//! {"event":"login","code":"0","msg":"","connId":"a4d3ae55"}
//! {"id":"1512","event":"error","code":"60012","msg":"Invalid request: ..","connId":"a4d3ae55"}
//! {"id":"1512","event":"subscribe","arg":{"channel":"orders","instType":"SPOT"},"connId":".."}
//! {"id":"1512","op":"order","code":"0","msg":"","data":[{"clOrdId","ordId","tag","ts","sCode",
//!   "sMsg"}],"inTime":"1695190491421339","outTime":"1695190491423240"}
//! ```
//!
//! An op answer carries the REST answer's `code`, `msg` and `data` (the REST pipeline judged the
//! order), and OKX's gateway times: `inTime` when the op was read, `outTime` when its answer was
//! written, unix microseconds as strings.

use serde_json::Value;

/// `s` as a JSON string literal.
pub(crate) fn string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

/// `"id":<id>,` when the request carried an id (echoed as sent), else nothing.
fn id_member(id: Option<&Value>) -> String {
    match id {
        Some(v) => format!(r#""id":{v},"#),
        None => String::new(),
    }
}

/// A successful login.
pub(crate) fn logged_in(conn_id: &str) -> String {
    format!(r#"{{"event":"login","code":"0","msg":"","connId":"{conn_id}"}}"#)
}

/// An error event (a refused login, subscription or unreadable request).
pub(crate) fn error(id: Option<&Value>, code: u32, msg: &str, conn_id: &str) -> String {
    format!(
        r#"{{{}"event":"error","code":"{code}","msg":{},"connId":"{conn_id}"}}"#,
        id_member(id),
        string(msg)
    )
}

/// The answer to one channel of a `subscribe` / `unsubscribe` (`event`), `arg` echoed.
pub(crate) fn subscribed(id: Option<&Value>, event: &str, arg: &Value, conn_id: &str) -> String {
    format!(
        r#"{{{}"event":"{event}","arg":{arg},"connId":"{conn_id}"}}"#,
        id_member(id)
    )
}

/// An op answer: `code` / `msg` as text, `data` raw JSON, gateway times in unix us.
pub(crate) fn op_answer(
    id: Option<&Value>,
    op: &str,
    code: &str,
    msg: &str,
    data: &str,
    in_us: u64,
    out_us: u64,
) -> String {
    format!(
        r#"{{{}"op":{},"code":{},"msg":{},"data":{data},"inTime":"{in_us}","outTime":"{out_us}"}}"#,
        id_member(id),
        string(op),
        string(code),
        string(msg)
    )
}

/// The op answer for a REST pipeline's answer body `body` (`{"code","msg","data"}`).
pub(crate) fn from_rest(
    id: Option<&Value>,
    op: &str,
    body: &str,
    in_us: u64,
    out_us: u64,
) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let code = v.get("code").and_then(Value::as_str).unwrap_or("1");
    let msg = v.get("msg").and_then(Value::as_str).unwrap_or("");
    let data = v
        .get("data")
        .map_or_else(|| "[]".to_owned(), Value::to_string);
    op_answer(id, op, code, msg, &data, in_us, out_us)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_read_back_as_json() {
        let id = Value::String("o7".into());
        let f = from_rest(
            Some(&id),
            "order",
            r#"{"code":"0","msg":"","data":[{"ordId":"3","sCode":"0"}],"inTime":"1","outTime":"1"}"#,
            10,
            12,
        );
        let v: Value = serde_json::from_str(&f).unwrap();
        assert_eq!(
            (v["id"].as_str(), v["op"].as_str()),
            (Some("o7"), Some("order"))
        );
        assert_eq!(
            (v["code"].as_str(), v["data"][0]["ordId"].as_str()),
            (Some("0"), Some("3"))
        );
        assert_eq!(
            (v["inTime"].as_str(), v["outTime"].as_str()),
            (Some("10"), Some("12"))
        );
        let e: Value =
            serde_json::from_str(&error(None, 60012, "Invalid request: \"x\"", "c1")).unwrap();
        assert_eq!(
            (e["event"].as_str(), e["code"].as_str()),
            (Some("error"), Some("60012"))
        );
        assert!(e.get("id").is_none());
        let arg = serde_json::json!({"channel":"orders","instType":"SPOT"});
        let s: Value =
            serde_json::from_str(&subscribed(Some(&id), "subscribe", &arg, "c1")).unwrap();
        assert_eq!(s["arg"], arg);
        assert_eq!(
            serde_json::from_str::<Value>(&logged_in("c1")).unwrap()["code"],
            "0"
        );
    }
}
