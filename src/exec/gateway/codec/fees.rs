//! Reading what an order answer says of fees and of the venue's own order id, the same way for
//! every venue codec: zero-copy over the answer body, into the fixed-size [`Fee`] and
//! [`VenueOrderId`] of the report. A figure that cannot be read exactly is left out (`None`):
//! the stage then logs its modelled fee, never a wrong one.
//!
//! Where each venue puts them (each venue's API docs):
//! - Binance `POST /api/v3/order` with `newOrderRespType=FULL`: `fills[]` with `commission` and
//!   `commissionAsset` per trade (summed here; trades charged in different assets give `None`);
//!   `orderId` a JSON integer. `GET /api/v3/order` carries no commission.
//! - Upbit order object: `paid_fee` in the market's quote currency (`KRW-BTC` -> `KRW`), `uuid`.
//! - Bybit `GET /v5/order/realtime` (spot): `cumFeeDetail` `{"<coin>": "<amount>"}`
//!   (`cumExecFee` is deprecated for spot and carries no coin), `orderId`.
//! - OKX `GET /api/v5/trade/order`: `fee` (negative when charged) and `feeCcy`, `ordId`.

use crate::base::scan::{str_content, ArrIter, ObjIter};
use crate::model::{parse_fee_amount, AssetCode, Fee, VenueOrderId};

/// A venue order id from a raw JSON value: a string's content or a number's digits.
pub fn venue_order_id(raw: &[u8]) -> VenueOrderId {
    VenueOrderId::new(str_content(raw).unwrap_or(raw)).unwrap_or_default()
}

/// Binance's `fills` array: the commissions summed, when every trade names the same asset.
pub fn binance_fills(raw: &[u8]) -> Option<Fee> {
    let mut total: i64 = 0;
    let mut asset: Option<AssetCode> = None;
    for el in ArrIter::new(raw) {
        let el = el.ok()?;
        let (mut amount, mut code) = (None, None);
        for m in ObjIter::new(el) {
            let (k, v) = m.ok()?;
            match k {
                b"commission" => amount = str_content(v),
                b"commissionAsset" => code = str_content(v),
                _ => {}
            }
        }
        let a = parse_fee_amount(amount?).ok()?;
        let c = AssetCode::new(code?)?;
        if asset.is_some_and(|x| x != c) {
            return None;
        }
        asset = Some(c);
        total = total.checked_add(a)?;
    }
    Some(Fee {
        amount: total,
        asset: asset?,
    })
}

/// Bybit's `cumFeeDetail` object: its one coin and amount (`None` when empty or when it names
/// several coins: one order's fee is kept in one asset).
pub fn bybit_fee_detail(raw: &[u8]) -> Option<Fee> {
    let mut it = ObjIter::new(raw);
    let (coin, amount) = it.next()?.ok()?;
    if it.next().is_some() {
        return None;
    }
    Fee::parse(str_content(amount)?, coin, false)
}

/// Upbit's quote currency of `market` (`KRW-BTC` -> `KRW`).
pub fn upbit_quote(market: &[u8]) -> Option<&[u8]> {
    market
        .split(|&b| b == b'-')
        .next()
        .filter(|q| !q.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binance_commissions_sum_in_one_asset() {
        let f = br#"[{"price":"1","qty":"1","commission":"0.001","commissionAsset":"BTC","tradeId":1},
                     {"price":"1","qty":"1","commission":"0.0005","commissionAsset":"BTC","tradeId":2}]"#;
        let fee = binance_fills(f).unwrap();
        assert_eq!((fee.amount, fee.asset.as_str()), (1_500_000_000, "BTC"));
        let mixed = br#"[{"commission":"1","commissionAsset":"BTC"},{"commission":"1","commissionAsset":"BNB"}]"#;
        assert_eq!(binance_fills(mixed), None);
        assert_eq!(binance_fills(b"[]"), None, "no trade, no fee asset");
    }

    #[test]
    fn ids_fee_maps_and_markets() {
        assert_eq!(venue_order_id(b"28").as_str(), "28");
        assert_eq!(
            venue_order_id(br#""1321003749386327552""#).as_str(),
            "1321003749386327552"
        );
        let f = bybit_fee_detail(br#"{"BTC":"0.000001"}"#).unwrap();
        assert_eq!((f.amount, f.asset.as_str()), (1_000_000, "BTC"));
        assert_eq!(bybit_fee_detail(b"{}"), None);
        assert_eq!(upbit_quote(b"KRW-BTC"), Some(&b"KRW"[..]));
    }
}
