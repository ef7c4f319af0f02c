//! A request's parameters as one flat list of `name=value` pairs, in the order the client sent
//! them, wherever the venue takes them from: Binance the query string and the form body; Upbit,
//! Bybit and OKX the query string of a `GET`/`DELETE` or the JSON body of a `POST`
//! (each venue's API documentation, "request" sections). No percent-decoding: the clients the mock
//! serves send unreserved characters only, and an encoded one simply fails to match.

use super::auth::form_pairs;
use crate::json::members;

/// The parameters of one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// The pairs of a url-encoded query string or form body.
    pub fn from_form(s: &[u8]) -> Params {
        let mut p = Params::default();
        p.extend_form(s);
        p
    }

    /// Add the pairs of a url-encoded string after the ones already there.
    pub fn extend_form(&mut self, s: &[u8]) {
        for (k, v) in form_pairs(s) {
            self.pairs.push((
                String::from_utf8_lossy(k).into_owned(),
                String::from_utf8_lossy(v).into_owned(),
            ));
        }
    }

    /// The members of a flat JSON object (string contents without quotes, other values as
    /// written); `None` when the body is not one JSON object. An empty body has no parameters.
    pub fn from_json(body: &[u8]) -> Option<Params> {
        if body.trim_ascii().is_empty() {
            return Some(Params::default());
        }
        let pairs = members(body)?
            .into_iter()
            .map(|(k, v)| {
                (
                    String::from_utf8_lossy(k).into_owned(),
                    String::from_utf8_lossy(v).into_owned(),
                )
            })
            .collect();
        Some(Params { pairs })
    }

    /// The first value of `name`, empty values included.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first non-empty value of `name` (venues treat an empty value as absent).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.raw(name).filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_and_json() {
        let mut p = Params::from_form(b"a=1&b=&c=x");
        p.extend_form(b"d=4");
        assert_eq!(
            (p.get("a"), p.get("b"), p.raw("b")),
            (Some("1"), None, Some(""))
        );
        assert_eq!(p.get("d"), Some("4"));
        let j = Params::from_json(br#"{"instId":"BTC-USDT","sz":"0.1","n":2}"#).unwrap();
        assert_eq!((j.get("instId"), j.get("n")), (Some("BTC-USDT"), Some("2")));
        assert_eq!(Params::from_json(b""), Some(Params::default()));
        assert_eq!(Params::from_json(b"[1]"), None);
    }
}
