use super::*;
use crate::model::{
    AssetCode, Fee, InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};
use crate::telemetry::trades::record::{LegRole, TradeRecord};

fn order(id: u64, venue: u8, side: Side, px: i64, qty: i64) -> Order {
    Order {
        id: OrderId(id),
        opp: OppId(1),
        px: Price(px),
        qty: Qty(qty),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(0),
        venue: VenueId(venue),
        side,
        tif: TimeInForce::Ioc,
    }
}

fn code(s: &str) -> AssetCode {
    AssetCode::new(s.as_bytes()).unwrap()
}

fn rec(kind: TradeKind, o: Order) -> TradeRecord {
    TradeRecord {
        kind,
        ..TradeRecord::sent(o, LegRole::Buy, 0, code("BTC"), code("USDT"))
    }
}

fn fill(o: Order, px: i64, qty: i64, fee: i64, asset: &str) -> TradeRecord {
    TradeRecord {
        px: Price(px),
        qty: Qty(qty),
        fee: Fee {
            amount: fee,
            asset: code(asset),
        },
        ..rec(TradeKind::Fill, o)
    }
}

#[test]
fn matched_quantity_realizes_and_fees_come_off() {
    // Scales: price 2, qty 2. Buy 1.00 at 100.00 on venue 0 (fee 0.001 BTC), sell 1.00 at 101.00
    // on venue 1 (fee 0.101 USDT): realized 1 - 0.101 - 0.001 * 100 = 0.799 USDT.
    let mut b = TradeBook::default();
    let buy = order(1, 0, Side::Buy, 10_000, 100);
    let sell = order(2, 1, Side::Sell, 10_100, 100);
    for r in [rec(TradeKind::Order, buy), rec(TradeKind::Order, sell)] {
        b.apply(&r, (2, 2));
    }
    assert_eq!(b.open_orders().len(), 2);
    b.apply(&fill(buy, 10_000, 100, 1_000_000_000, "BTC"), (2, 2));
    b.apply(&fill(sell, 10_100, 100, 101_000_000_000, "USDT"), (2, 2));
    for o in [buy, sell] {
        b.apply(&rec(TradeKind::Final, o), (2, 2));
    }
    assert!(b.open_orders().is_empty());
    let j = b.to_json(&|v| format!("v{v}"), &|_| "BTC/USDT".into());
    assert_eq!(
        j["realized_pnl_by_instrument"]["BTC/USDT"]["realized_pnl"],
        "0.799"
    );
    assert_eq!(j["realized_pnl_by_quote_asset"]["USDT"], "0.799");
    assert_eq!(j["fees_by_asset"]["BTC"], "0.001");
    assert_eq!(j["fees_by_asset"]["USDT"], "0.101");
    assert_eq!(j["residual_by_venue"]["v0"]["BTC"], "0.999");
    assert_eq!(j["residual_by_venue"]["v0"]["USDT"], "-100");
    assert_eq!(j["residual_by_venue"]["v1"]["BTC"], "-1");
    assert_eq!(j["residual_by_venue"]["v1"]["USDT"], "100.899");
    assert_eq!(j["inconsistent_records"], 0);
}

#[test]
fn unmatched_quantity_is_residual_not_pnl_and_quotes_stay_apart() {
    let mut b = TradeBook::default();
    let buy = order(1, 0, Side::Buy, 10_000, 200);
    b.apply(&rec(TradeKind::Order, buy), (2, 2));
    b.apply(&fill(buy, 10_000, 200, 0, ""), (2, 2));
    let j = b.to_json(&|v| format!("v{v}"), &|_| "BTC/USDT".into());
    assert_eq!(j["realized_pnl_by_quote_asset"]["USDT"], "0");
    assert_eq!(j["residual_by_venue"]["v0"]["BTC"], "2");
    assert_eq!(j["open_orders"], 1);
    // A final with no order is counted, not trusted.
    b.apply(&rec(TradeKind::Final, order(9, 0, Side::Buy, 1, 1)), (2, 2));
    let j = b.to_json(&|v| format!("v{v}"), &|_| "BTC/USDT".into());
    assert_eq!(j["inconsistent_records"], 1);
}

#[test]
fn decimals_print_exactly() {
    assert_eq!(decimal_text(-1_250_000_000_000_000_000, 18), "-1.25");
    assert_eq!(decimal_text(0, 18), "0");
    assert_eq!(decimal_text(7, 2), "0.07");
    assert_eq!(to_book(5, 20), 0);
    assert_eq!(to_book(5, 16), 500);
}
