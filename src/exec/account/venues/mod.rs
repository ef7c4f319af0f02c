//! The four venues' account APIs: request writer and answer reader each, over the venue's order
//! codec (its credentials and its signer). Each file's doc comment lists the endpoints and names
//! the documentation it follows.

pub mod binance;
pub mod bybit;
pub mod okx;
pub mod upbit;

pub use binance::BinanceAccount;
pub use bybit::BybitAccount;
pub use okx::OkxAccount;
pub use upbit::UpbitAccount;

use super::error::AccountError;
use super::venue::Ctx;
use crate::exec::gateway::codec::encode::is_unreserved;

/// Refuse a symbol, client id or cursor that url-encoding (or JSON escaping) would change: the
/// requests write them as they are, like the order codecs do.
pub(crate) fn check_text(ctx: &Ctx<'_>, what: &str, text: &str) -> Result<(), AccountError> {
    if text.is_empty() {
        return Err(ctx.bad_request(format!("{what} is empty")));
    }
    match text.bytes().find(|&b| !is_unreserved(b)) {
        Some(b) => Err(ctx.bad_request(format!(
            "{what} {text:?} holds byte {b:#04x}, which would need url-encoding"
        ))),
        None => Ok(()),
    }
}

/// An HTTP `Date` (IMF-fixdate, RFC 9110 section 5.6.7: `Sun, 06 Nov 1994 08:49:37 GMT`) as unix
/// ms; `None` for anything else (the obsolete forms included).
pub fn http_date_ms(v: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(v).ok()?.trim();
    let mut it = s.split(' ');
    let _weekday = it.next()?.strip_suffix(',')?;
    let day: u32 = it.next()?.parse().ok()?;
    let month = match it.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = it.next()?.parse().ok()?;
    let mut hms = it.next()?.split(':');
    let h: u64 = hms.next()?.parse().ok()?;
    let mi: u64 = hms.next()?.parse().ok()?;
    let sec: u64 = hms.next()?.parse().ok()?;
    if it.next()? != "GMT" || it.next().is_some() || hms.next().is_some() {
        return None;
    }
    if !(1..=31).contains(&day) || h > 23 || mi > 59 || sec > 60 || year < 1970 {
        return None;
    }
    // Days from civil (Howard Hinnant), the inverse of the OKX codec's timestamp writer.
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * i64::from(m) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = u64::try_from(era * 146_097 + doe - 719_468).ok()?;
    Some(((days * 86_400) + h * 3600 + mi * 60 + sec) * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        // RFC 9110's example.
        assert_eq!(
            http_date_ms(b"Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777_000)
        );
        assert_eq!(http_date_ms(b"Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            http_date_ms(b"Tue, 29 Feb 2000 00:00:01 GMT"),
            Some(951_782_401_000)
        );
        // The OKX example instant, 2020-12-08T09:08:57Z.
        assert_eq!(
            http_date_ms(b"Tue, 08 Dec 2020 09:08:57 GMT"),
            Some(1_607_418_537_000)
        );
        for bad in [
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "",
        ] {
            assert_eq!(http_date_ms(bad.as_bytes()), None, "{bad}");
        }
    }
}

/// Shared pieces of the venue tests.
#[cfg(test)]
pub(crate) mod test_util {
    use crate::exec::account::http::HttpResponse;

    /// A response with `status`, `headers` and `body`.
    pub fn resp(status: u16, headers: &[(&str, &str)], body: &[u8]) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
                .collect(),
            body: body.to_vec(),
        }
    }

    /// The value of header `name` in request text.
    pub fn header<'a>(text: &'a str, name: &str) -> Option<&'a str> {
        text.split("\r\n")
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(": ")))
    }

    /// Lowercase hex of HMAC-SHA256(`key`, `msg`), computed here with ring directly.
    pub fn hmac_hex(key: &[u8], msg: &[u8]) -> String {
        let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
        ring::hmac::sign(&k, msg)
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}
