//! Reading a `--trades` log back: its lines, the order life it records (one final per order,
//! fills summing to the filled quantity), and P&L, fees and residuals recomputed from its fills
//! independently of the engine's own accounting.

use std::collections::BTreeMap;

/// A decimal string as a mantissa at 18 decimals (exact; the log never has more).
pub fn dec18(s: &str) -> i128 {
    let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    assert!(frac.len() <= 18, "{s}");
    let v: i128 = format!("{int}{frac:0<18}").parse().unwrap();
    if neg {
        -v
    } else {
        v
    }
}

/// `a * b` of two 18-decimal mantissas, at 18 decimals, exactly: both carry far fewer real
/// decimals, so the 10^18 is taken out of their trailing zeros before multiplying.
pub fn mul18(a: i128, b: i128) -> i128 {
    for k in 0..=18u32 {
        let (da, db) = (10i128.pow(k), 10i128.pow(18 - k));
        if a % da == 0 && b % db == 0 {
            return (a / da) * (b / db);
        }
    }
    panic!("{a} * {b} has more than 18 decimals")
}

/// The log's lines, parsed.
pub fn read_log(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Check the log's order life: one final per order, no record for an unknown order, fills summing
/// to the final's filled quantity. Returns the number of orders.
pub fn check_lifecycle(lines: &[serde_json::Value]) -> usize {
    let mut orders: BTreeMap<u64, (u32, i128)> = BTreeMap::new();
    let mut finals: BTreeMap<u64, i128> = BTreeMap::new();
    for l in lines {
        let id = l["order_id"].as_u64().unwrap();
        match l["kind"].as_str().unwrap() {
            "order" => {
                assert!(
                    orders.insert(id, (0, 0)).is_none(),
                    "order {id} logged twice"
                );
                assert!(l["client_id"].as_str().unwrap().ends_with(&id.to_string()));
                assert!(dec18(l["qty"].as_str().unwrap()) > 0);
            }
            "fill" => {
                let o = orders.get_mut(&id).expect("a fill follows its order");
                assert!(!finals.contains_key(&id), "no fill after the final");
                o.0 += 1;
                o.1 += dec18(l["qty"].as_str().unwrap());
            }
            "final" => {
                assert!(orders.contains_key(&id), "a final follows its order");
                let f = dec18(l["filled_qty"].as_str().unwrap());
                assert!(finals.insert(id, f).is_none(), "order {id} has two finals");
            }
            k => panic!("unknown kind {k}"),
        }
    }
    for (id, (_, filled)) in &orders {
        let f = finals
            .get(id)
            .unwrap_or_else(|| panic!("order {id} has no final"));
        assert_eq!(filled, f, "fills of order {id} sum to its filled quantity");
    }
    orders.len()
}

/// What [`recompute`] gives: P&L by instrument, fees by asset, residual by (venue, asset), all at
/// 18 decimals.
pub type Sums = (
    BTreeMap<String, i128>,
    BTreeMap<String, i128>,
    BTreeMap<(String, String), i128>,
);

/// Realized P&L, fees and residuals recomputed from the fill lines (see [`Sums`]); `assets`
/// gives each instrument's (base, quote).
pub fn recompute(lines: &[serde_json::Value], assets: &dyn Fn(&str) -> (String, String)) -> Sums {
    // instrument -> (bought, bought notional, sold, sold notional, fees in quote)
    let mut per: BTreeMap<String, [i128; 5]> = BTreeMap::new();
    let mut fees: BTreeMap<String, i128> = BTreeMap::new();
    let mut residual: BTreeMap<(String, String), i128> = BTreeMap::new();
    for l in lines.iter().filter(|l| l["kind"] == "fill") {
        let ins = l["instrument"].as_str().unwrap().to_string();
        let venue = l["venue"].as_str().unwrap().to_string();
        let (base, quote) = assets(&ins);
        let q = dec18(l["qty"].as_str().unwrap());
        let px = dec18(l["px"].as_str().unwrap());
        let n = mul18(q, px);
        let fee = dec18(l["fee"].as_str().unwrap());
        let fee_asset = l["fee_asset"].as_str().unwrap().to_string();
        let p = per.entry(ins).or_default();
        if l["side"] == "buy" {
            p[0] += q;
            p[1] += n;
            *residual.entry((venue.clone(), base.clone())).or_default() += q;
            *residual.entry((venue.clone(), quote.clone())).or_default() -= n;
        } else {
            p[2] += q;
            p[3] += n;
            *residual.entry((venue.clone(), base.clone())).or_default() -= q;
            *residual.entry((venue.clone(), quote.clone())).or_default() += n;
        }
        if fee_asset == quote {
            p[4] += fee;
        } else if fee_asset == base {
            p[4] += mul18(fee, px);
        }
        if fee != 0 {
            *fees.entry(fee_asset.clone()).or_default() += fee;
            *residual.entry((venue, fee_asset)).or_default() -= fee;
        }
    }
    let pnl = per
        .into_iter()
        .map(|(k, [b, bn, s, sn, f])| {
            let m = b.min(s);
            // n * m / t with the quantities' common trailing zeros taken off (they carry few
            // real decimals), so the product fits.
            let share = |n: i128, mut m: i128, mut t: i128| {
                while m % 10 == 0 && t % 10 == 0 {
                    m /= 10;
                    t /= 10;
                }
                n * m / t
            };
            let r = if m > 0 {
                share(sn, m, s) - share(bn, m, b)
            } else {
                0
            };
            (k, r - f)
        })
        .collect();
    residual.retain(|_, v| *v != 0);
    (pnl, fees, residual)
}
