use super::*;
use crate::exec::account::OrderState;
use crate::model::{OrderId, Side};

fn amt(t: &str) -> Amount {
    Amount::parse(t.as_bytes()).unwrap()
}

fn bal(asset: &str, free: &str, locked: &str) -> Balance {
    Balance {
        asset: asset.into(),
        free: amt(free),
        locked: amt(locked),
    }
}

fn order(sym: &str, cid: &str, qty: &str, filled: &str) -> OpenOrder {
    OpenOrder {
        symbol: sym.into(),
        client_id: cid.into(),
        venue_order_id: format!("v-{cid}"),
        side: Side::Buy,
        price: amt("100.5"),
        qty: amt(qty),
        filled: amt(filled),
        state: OrderState::New,
    }
}

fn ids() -> ClientIds {
    ClientIds {
        configured: "ma".into(),
        run: "ma55x".into(),
    }
}

#[test]
fn balances_convert_and_missing_assets_are_zero() {
    let assets = ["BTC".to_string(), "USDT".to_string(), "ETH".to_string()];
    let b = balances_of(
        "v",
        &[
            bal("btc", "1.5", "0.25"),
            bal("USDT", "10.123456789", "0"),
            bal("XRP", "-5", "0"),
        ],
        &assets,
    )
    .unwrap();
    assert_eq!(
        b,
        vec![
            (AssetId(0), 150_000_000, 175_000_000),
            // Rounded down to 1e-8.
            (AssetId(1), 1_012_345_678, 1_012_345_678),
            (AssetId(2), 0, 0),
        ]
    );
    // A huge balance is held at the cap, never wrapped.
    let b = balances_of("v", &[bal("BTC", "1000000000000000", "0")], &assets).unwrap();
    assert_eq!(b[0].1, MAX_BALANCE);
}

#[test]
fn contradictory_balances_are_refused_with_the_values() {
    let assets = ["BTC".to_string()];
    let e = balances_of("v", &[bal("BTC", "1", "0"), bal("BTC", "2", "0")], &assets).unwrap_err();
    assert!(e.is_bad_answer());
    assert!(e.to_string().contains("listed twice"), "{e}");
    let e = balances_of("v", &[bal("BTC", "-1", "0")], &assets).unwrap_err();
    assert!(e.to_string().contains("negative balance (free -1"), "{e}");
}

#[test]
fn open_orders_are_classified_and_contradictions_refused() {
    let c = open_orders_of(
        "v",
        "BTCUSDT",
        vec![
            order("BTCUSDT", "ma55x7", "1", "0"),
            order("BTCUSDT", "ma44x7", "1", "0.5"),
            order("BTCUSDT", "manual", "1", "1"),
        ],
        &ids(),
    )
    .unwrap();
    let whose: Vec<Whose> = c.iter().map(|c| c.whose).collect();
    assert_eq!(
        whose,
        vec![Whose::Own(OrderId(7)), Whose::PreviousRun, Whose::Foreign]
    );
    for (bad, what) in [
        (order("ETHUSDT", "a", "1", "0"), "got order"),
        (order("BTCUSDT", "a", "0", "0"), "quantity 0"),
        (order("BTCUSDT", "a", "1", "1.5"), "filled 1.5"),
    ] {
        let e = open_orders_of("v", "BTCUSDT", vec![bad], &ids()).unwrap_err();
        assert!(e.is_bad_answer());
        assert!(e.to_string().contains(what), "{e}");
    }
    let twice = vec![
        order("BTCUSDT", "a", "1", "0"),
        order("BTCUSDT", "a", "1", "0"),
    ];
    let e = open_orders_of("v", "BTCUSDT", twice, &ids()).unwrap_err();
    assert!(e.to_string().contains("listed twice"), "{e}");
}
