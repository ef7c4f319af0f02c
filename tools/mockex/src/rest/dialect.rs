//! What each venue's REST dialect provides the shared request pipeline (`handler`): its routes,
//! where its parameters live, its authentication, how it names order fields, and its JSON for
//! orders and refusals. One implementation per venue (`binance`, `upbit`, `bybit`, `okx`), each
//! written from that venue's API documentation.

use super::account::Account;
use super::answer::{Answer, Refusal};
use super::auth::AuthError;
use super::book::{MockOrder, NewOrder, OrderRef, Tif};
use super::instrument::Instrument;
use super::limits::RestLimits;
use super::params::Params;
use super::state::Request;
use crate::config::ApiCredentials;
use crate::decimal::{decimal_string, parse_decimal, Scale};
use crate::format::Scales;
use crate::market::SimQuote;
use crate::venue_kind::VenueKind;

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Op {
    /// Place an order.
    Place,
    /// One order's status.
    Status,
    /// Cancel an order.
    Cancel,
    /// The open orders.
    OpenOrders,
    /// The account's balances.
    Balances,
    /// The instrument's trading rules.
    Rules,
    /// The server's time.
    Time,
    /// The public top of book.
    Book,
}

/// What an answer needs besides the order: the operation, the scales, the venue's symbol, the
/// client id the request carried, the time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    /// What the request asked for.
    pub op: Op,
    /// Mantissa scales of the synthetic instruments.
    pub scales: Scales,
    /// The venue's symbol of the instrument the request is about (its first when it names none).
    pub symbol: &'a str,
    /// The client order id the request carried ("" if none), for OKX's per-order error data.
    pub client_id: &'a str,
    /// Whether the request's `side` says buy (for Upbit's `_bid`/`_ask` error names).
    pub buy: bool,
    /// Unix ms now.
    pub now_ms: u64,
}

/// `s` with `"` and `\\` escaped for a JSON string.
pub(crate) fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// One venue's REST dialect.
pub(crate) trait Dialect: Sync {
    /// The operation `method path` asks for (Bybit's `/v5/order/realtime` is a status query with
    /// an order id and the open-orders list without).
    fn route(&self, method: &str, path: &str, p: &Params) -> Option<Op>;
    /// Whether `op` needs authentication.
    fn signed(&self, op: Op) -> bool;
    /// The request's parameters; `None` when its body is not what the venue takes.
    fn params(&self, req: &Request) -> Option<Params>;
    /// Check the request's authentication at server time `now_ms`.
    fn authenticate(
        &self,
        creds: &ApiCredentials,
        req: &Request,
        now_ms: u64,
    ) -> Result<(), AuthError>;
    /// The instrument a request names (OKX limits orders per instrument), empty if none.
    fn instrument<'p>(&self, p: &'p Params) -> &'p str;
    /// A new order's parameters.
    fn new_order(&self, p: &Params, s: Scales) -> Result<NewOrder, Refusal>;
    /// The order a status query or a cancel names.
    fn order_ref(&self, p: &Params) -> Result<OrderRef, Refusal>;
    /// The answer to a placement that was taken.
    fn placed(&self, o: &MockOrder, c: &Ctx<'_>) -> Answer;
    /// The answer to a status query.
    fn status(&self, o: &MockOrder, c: &Ctx<'_>) -> Answer;
    /// Check the parameters a non-order operation requires (`category`, `instType`,
    /// `accountType`, ...), as the venue names them.
    fn check(&self, _op: Op, _p: &Params) -> Result<(), Refusal> {
        Ok(())
    }
    /// The answer to a cancel: the order as it was (`before`) and is now (`after`).
    fn cancelled(&self, before: &MockOrder, after: &MockOrder, c: &Ctx<'_>) -> Answer;
    /// The answer to an open-orders list (oldest first; Bybit with `openOnly=1` the closed ones).
    fn open_orders(&self, orders: &[&MockOrder], c: &Ctx<'_>) -> Answer;
    /// The answer to a balance query.
    fn balances(&self, a: &Account, p: &Params, c: &Ctx<'_>) -> Answer;
    /// The answer to an instrument-rules query.
    fn rules(&self, v: &Venue<'_>, c: &Ctx<'_>) -> Answer;
    /// The answer to a server-time query.
    fn time(&self, c: &Ctx<'_>) -> Answer;
    /// The answer to a public top-of-book query (no quote yet: an empty book).
    fn book(&self, q: Option<&SimQuote>, c: &Ctx<'_>) -> Answer;
    /// The refusal `r` as the venue answers it.
    fn refuse(&self, r: &Refusal, c: &Ctx<'_>) -> Answer;
}

/// What a rules answer reads: the instruments it lists (symbol, rules, assets), the account
/// (Upbit's order chance shows balances) and the limits (Binance's `rateLimits`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Venue<'a> {
    /// The instruments the answer lists: the one (Binance: the ones) the request names, else
    /// every instrument of the venue.
    pub listed: &'a [&'a Instrument],
    /// The account.
    pub account: &'a Account,
    /// The REST limits.
    pub limits: &'a RestLimits,
}

/// An account amount (quote scale) as the shortest exact decimal text.
pub(crate) fn amount(v: i128, scale: u32) -> String {
    let t = wide(v, scale);
    if !t.contains('.') {
        return t;
    }
    let t = t.trim_end_matches('0').trim_end_matches('.');
    t.to_owned()
}

/// The dialect of `kind`.
pub(crate) fn dialect(kind: VenueKind) -> &'static dyn Dialect {
    match kind {
        VenueKind::Binance => &super::binance::Binance,
        VenueKind::Upbit => &super::upbit::Upbit,
        VenueKind::Bybit => &super::bybit::Bybit,
        VenueKind::Okx => &super::okx::Okx,
    }
}

/// `m` at `scale` decimals as the shortest exact text.
pub(crate) fn dec(m: i64, scale: Scale) -> String {
    decimal_string(m, scale)
}

/// `v` (non-negative) at `scale` decimals, every decimal written (a quote amount).
pub(crate) fn wide(v: i128, scale: u32) -> String {
    if scale == 0 {
        return v.to_string();
    }
    let d = 10i128.pow(scale);
    let sign = if v < 0 { "-" } else { "" };
    let v = v.abs();
    format!("{sign}{}.{:0width$}", v / d, v % d, width = scale as usize)
}

/// The scale of a quote amount (price times quantity).
pub(crate) fn quote_scale(s: Scales) -> u32 {
    u32::from(s.price) + u32::from(s.qty)
}

/// The average execution price of `o` as a price mantissa (truncated), when anything executed:
/// the quote amount (price scale + qty scale) over the executed quantity (qty scale).
pub(crate) fn avg_px(o: &MockOrder) -> Option<i64> {
    (o.executed > 0).then(|| i64::try_from(o.quote / i128::from(o.executed)).unwrap_or(0))
}

/// A required positive decimal parameter `name` at `scale`.
pub(crate) fn positive(p: &Params, name: &'static str, scale: Scale) -> Result<i64, Refusal> {
    let v = p.get(name).ok_or(Refusal::Missing(name))?;
    match parse_decimal(v.as_bytes(), scale) {
        Some(m) if m > 0 => Ok(m),
        _ => Err(Refusal::Invalid(name)),
    }
}

/// A required parameter `name`.
pub(crate) fn required<'p>(p: &'p Params, name: &'static str) -> Result<&'p str, Refusal> {
    p.get(name).ok_or(Refusal::Missing(name))
}

/// An optional client id `name`: absent is fine; present, it must be 1..=`max` characters that
/// `ok` accepts.
pub(crate) fn client_id(
    p: &Params,
    name: &'static str,
    max: usize,
    ok: fn(u8) -> bool,
) -> Result<Option<String>, Refusal> {
    match p.get(name) {
        None => Ok(None),
        Some(v) if v.len() <= max && v.bytes().all(ok) => Ok(Some(v.to_owned())),
        Some(_) => Err(Refusal::Invalid(name)),
    }
}

/// The time in force named `v` among `(ioc, gtc)` spellings.
pub(crate) fn tif(v: &str, ioc: &str, gtc: &str) -> Option<Tif> {
    if v == ioc {
        Some(Tif::Ioc)
    } else if v == gtc {
        Some(Tif::Gtc)
    } else {
        None
    }
}

/// Unix ms as ISO 8601 at a whole-hour UTC offset: `2018-04-10T15:42:23+09:00` (Upbit's
/// `created_at`, Korea time), or with `Z` for offset 0 and `ms`: `2020-12-08T09:08:57.715Z`.
pub(crate) fn iso8601(unix_ms: u64, offset_h: i64, ms: bool) -> String {
    let t = i64::try_from(unix_ms / 1000).unwrap_or(0) + offset_h * 3600;
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    // H. Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let mut s = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    );
    if ms {
        s.push_str(&format!(".{:03}", unix_ms % 1000));
    }
    if offset_h == 0 {
        s.push('Z');
    } else {
        s.push_str(&format!("{:+03}:00", offset_h));
    }
    s
}

/// `v` at `scale` written with exactly `digits` decimals (truncated): Binance's fixed 8.
pub(crate) fn fixed(v: i128, scale: u32, digits: u32) -> String {
    if scale >= digits {
        wide(v / 10i128.pow(scale - digits), digits)
    } else {
        wide(v * 10i128.pow(digits - scale), digits)
    }
}

/// An HTTP `Date` header value (RFC 9110 IMF-fixdate) for unix ms `t`.
pub(crate) fn http_date(t: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let iso = iso8601(t, 0, false);
    let (y, mo, d, hms) = (&iso[0..4], &iso[5..7], &iso[8..10], &iso[11..19]);
    let day = DAYS[(t / 86_400_000 % 7) as usize];
    let month = MONTHS[mo.parse::<usize>().unwrap_or(1).clamp(1, 12) - 1];
    format!("{day}, {d} {month} {y} {hms} GMT")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_and_wide() {
        assert_eq!(
            iso8601(1_607_418_537_715, 0, true),
            "2020-12-08T09:08:57.715Z"
        );
        assert_eq!(
            iso8601(1_523_342_543_000, 9, false),
            "2018-04-10T15:42:23+09:00"
        );
        assert_eq!(iso8601(1_709_251_199_000, 0, false), "2024-02-29T23:59:59Z");
        assert_eq!(wide(20_200, 2), "202.00");
        assert_eq!(wide(-5, 2), "-0.05");
        assert_eq!(wide(7, 0), "7");
        assert_eq!(amount(1_500, 3), "1.5");
        assert_eq!(amount(2_000, 3), "2");
        assert_eq!(amount(0, 3), "0");
        assert_eq!(fixed(1_5000, 4, 8), "1.50000000");
        assert_eq!(fixed(123_456_789_012, 10, 8), "12.34567890");
        assert_eq!(http_date(784_111_777_000), "Sun, 06 Nov 1994 08:49:37 GMT");
    }
}
