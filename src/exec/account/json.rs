//! Reading account answers: the engine's zero-copy scanner ([`crate::base::scan`]) validates and
//! splits each object and array, then values are read exactly: amounts from their decimal text
//! (string or bare JSON number) into [`Amount`], strings through `serde_json` (escapes decoded),
//! integers digit by digit. No `f64` anywhere. Cold path: collecting members allocates.

use crate::base::scan::{str_content, ArrIter, Member, ObjIter};

use super::amount::Amount;

/// An object's members `(raw key, raw value)`, the whole object checked to be well-formed.
pub fn members(obj: &[u8]) -> Result<Vec<Member<'_>>, String> {
    ObjIter::new(obj)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not a JSON object: {e:?}"))
}

/// An array's elements (raw values), the whole array checked to be well-formed.
pub fn elements(arr: &[u8]) -> Result<Vec<&[u8]>, String> {
    ArrIter::new(arr)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not a JSON array: {e:?}"))
}

/// The raw value of `key` among `members`.
pub fn get<'a>(members: &[Member<'a>], key: &str) -> Option<&'a [u8]> {
    members
        .iter()
        .find(|(k, _)| *k == key.as_bytes())
        .map(|(_, v)| *v)
}

/// A JSON string value, decoded; `None` for anything else (`null` included).
pub fn string(v: &[u8]) -> Option<String> {
    str_content(v)?;
    serde_json::from_slice::<String>(v).ok()
}

/// `key` as a string, or an error naming it.
pub fn req_string(m: &[Member<'_>], key: &str) -> Result<String, String> {
    get(m, key)
        .and_then(string)
        .ok_or_else(|| format!("{key}: missing or not a string"))
}

/// A decimal amount written as a string (`"0.001"`) or a bare number (`1000`, `0.5`); an empty
/// string or `null` is `None`.
pub fn amount(v: &[u8]) -> Option<Amount> {
    Amount::parse(str_content(v).unwrap_or(v))
}

/// `key` as an amount, or an error naming it and what it held.
pub fn req_amount(m: &[Member<'_>], key: &str) -> Result<Amount, String> {
    let v = get(m, key).ok_or_else(|| format!("{key}: missing"))?;
    amount(v).ok_or_else(|| format!("{key}: {} is not a decimal", String::from_utf8_lossy(v)))
}

/// `key` as an amount when present and non-empty; an error when present and not a decimal.
pub fn opt_amount(m: &[Member<'_>], key: &str) -> Result<Option<Amount>, String> {
    match get(m, key) {
        None | Some(b"null") | Some(b"\"\"") => Ok(None),
        Some(_) => req_amount(m, key).map(Some),
    }
}

/// An unsigned integer written as a number (`1499827319559`) or a string (`"1621247923668"`).
pub fn uint(v: &[u8]) -> Option<u64> {
    crate::base::scan::parse_u64(str_content(v).unwrap_or(v))
}

/// A signed integer written as a number or a string (`-2011`, `"51400"`).
pub fn int(v: &[u8]) -> Option<i64> {
    let t = str_content(v).unwrap_or(v);
    let (neg, d) = match t {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, t),
    };
    let n = i64::try_from(crate::base::scan::parse_u64(d)?).ok()?;
    Some(if neg { -n } else { n })
}

/// A value as short printable text for messages (a string decoded, anything else raw), at most
/// 300 characters.
pub fn text(v: &[u8]) -> String {
    let s = string(v).unwrap_or_else(|| String::from_utf8_lossy(v).into_owned());
    s.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_exactly() {
        let obj =
            br#"{"a":"0.00100000","b":1000,"c":"","d":null,"e":"x\"y","f":-2011,"g":"51400"}"#;
        let m = members(obj).unwrap();
        assert_eq!(req_amount(&m, "a").unwrap().to_string(), "0.00100000");
        assert_eq!(req_amount(&m, "b").unwrap().to_string(), "1000");
        assert_eq!(opt_amount(&m, "c").unwrap(), None);
        assert_eq!(opt_amount(&m, "d").unwrap(), None);
        assert_eq!(opt_amount(&m, "zz").unwrap(), None);
        assert!(opt_amount(&m, "e").is_err());
        assert_eq!(req_string(&m, "e").unwrap(), "x\"y");
        assert_eq!(get(&m, "f").and_then(int), Some(-2011));
        assert_eq!(get(&m, "g").and_then(int), Some(51400));
        assert!(members(br#"{"a":1,"#).is_err());
        assert!(elements(br#"[1,2"#).is_err());
        assert_eq!(elements(b"[]").unwrap().len(), 0);
    }
}
