//! The account API (`microarb::exec::account`) against the mock exchange on loopback, all four
//! venues: server time, rules, balances, open orders and cancels by client id, including an order
//! that rests (GTC, placed by the test through the venue's API (`common::venue_orders`), since the engine itself only
//! sends IOC): it lists as open, locks balance, cancels, and is then gone.

use std::time::{Duration, Instant};

use microarb::exec::account::client::unix_ms_now;
use microarb::exec::account::http::HttpResponse;
use microarb::exec::account::{
    client_for_url, AccountClient, Amount, CancelOutcome, OrderState, TickRule,
};
use microarb::exec::secrets::ApiSecret;
use microarb::model::{Side, VenueKind};
use mockex::{ApiCredentials, MockConfig, MockExchange, MockVenue, SyntheticSource};

const KEY: &str = "acctKey123";
const SECRET: &str = "acct-S3CRET-42";
const PASSPHRASE: &str = "acctPass7";

const KINDS: [(VenueKind, mockex::VenueKind); 4] = [
    (VenueKind::Binance, mockex::VenueKind::Binance),
    (VenueKind::Upbit, mockex::VenueKind::Upbit),
    (VenueKind::Bybit, mockex::VenueKind::Bybit),
    (VenueKind::Okx, mockex::VenueKind::Okx),
];

fn start() -> MockExchange {
    let list = KINDS
        .iter()
        .map(|(_, k)| MockVenue::new(k.name(), *k))
        .collect();
    let mut cfg = MockConfig::synthetic(list, SyntheticSource::default());
    cfg.rate_per_s = 2000;
    cfg.wait_for_subscribers = false;
    cfg.api = Some(ApiCredentials::new(KEY, SECRET).with_passphrase(PASSPHRASE));
    let ex = MockExchange::start(cfg).expect("mockex starts");
    let t = Instant::now();
    for (_, k) in KINDS {
        while ex.top_of_book(k.name()).is_none() {
            assert!(t.elapsed() < Duration::from_secs(10), "no quotes");
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    ex
}

fn rest_url(ex: &MockExchange, name: &str) -> String {
    ex.endpoint(name)
        .and_then(|e| e.rest_url.clone())
        .expect("REST served")
}

fn client(ex: &MockExchange, kind: VenueKind, mk: mockex::VenueKind) -> AccountClient {
    let cred = ApiSecret::new(KEY, SECRET);
    let cred = if kind == VenueKind::Okx {
        cred.with_passphrase(PASSPHRASE)
    } else {
        cred
    };
    client_for_url(
        mk.name(),
        kind,
        &rest_url(ex, mk.name()),
        5000,
        Some(&cred),
        Duration::from_secs(5),
    )
    .expect("client")
}

fn symbol(mk: mockex::VenueKind) -> String {
    MockVenue::new(mk.name(), mk).symbol().to_owned()
}

fn amount(t: &str) -> Amount {
    Amount::parse(t.as_bytes()).unwrap()
}

#[test]
fn every_venue_answers_time_rules_balances_and_unknown_cancels() {
    let ex = start();
    for (kind, mk) in KINDS {
        let name = mk.name();
        let mut c = client(&ex, kind, mk);
        let sym = symbol(mk);

        let t = c.server_time().unwrap_or_else(|e| panic!("{name}: {e}"));
        let now = i128::from(unix_ms_now());
        assert!(
            (i128::from(t.unix_ms) - now).abs() < 5_000,
            "{name}: server time {} vs local {now}",
            t.unix_ms
        );

        let r = c
            .rules(std::slice::from_ref(&sym))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.instruments.len(), 1, "{name}: {r:?}");
        let rule = &r.instruments[0];
        assert_eq!(rule.symbol, sym, "{name}");
        assert!(rule.trading, "{name}: {rule:?}");
        let mid = amount("60000");
        let tick = rule
            .tick
            .at(&mid)
            .unwrap_or_else(|| panic!("{name}: no tick at 60000"));
        assert!(!tick.is_zero(), "{name}: {rule:?}");
        if kind == VenueKind::Binance {
            assert!(
                !r.rate_limits.is_empty(),
                "Binance publishes its rate limits"
            );
        }
        if kind != VenueKind::Upbit {
            assert!(matches!(rule.tick, TickRule::Fixed(_)), "{name}: {rule:?}");
        }

        let b = c.balances().unwrap_or_else(|e| panic!("{name}: {e}"));
        let btc = b
            .iter()
            .find(|b| b.asset == "BTC")
            .unwrap_or_else(|| panic!("{name}: no BTC in {b:?}"));
        assert_eq!(btc.free.to_scale(0), Some(1_000_000), "{name}: {btc:?}");
        assert!(btc.locked.is_zero(), "{name}: {btc:?}");

        assert_eq!(c.open_orders(None).unwrap(), vec![], "{name}");
        assert_eq!(
            c.cancel(&sym, "nosuch1")
                .unwrap_or_else(|e| panic!("{name}: {e}")),
            CancelOutcome::NotFound,
            "{name}"
        );
    }
}

/// Place a GTC limit buy of 0.01 at `price` with client id `cid`, signed here with the venue's
/// documented scheme.
fn place_gtc(url: &str, mk: mockex::VenueKind, sym: &str, price: &str, cid: &str) -> HttpResponse {
    use crate::common::venue_orders::{place_limit, Limit, Signer};
    let o = Limit {
        symbol: sym,
        buy: true,
        price,
        qty: "0.01",
        client_id: cid,
    };
    let s = Signer {
        key: KEY,
        secret: SECRET,
        passphrase: PASSPHRASE,
    };
    place_limit(url, mk, o, s)
}

#[test]
fn a_resting_order_lists_locks_and_cancels_on_every_venue() {
    let ex = start();
    for (kind, mk) in KINDS {
        let name = mk.name();
        let sym = symbol(mk);
        let url = rest_url(&ex, name);
        let mut c = client(&ex, kind, mk);
        let bid = ex.top_of_book(name).unwrap().bid_px;
        // Half the bid, whole cents (every venue's tick at that price divides it).
        let cents = bid / 2 / 1_000_000;
        let price = format!("{}.{:02}", cents / 100, cents % 100);
        let cid = "acct1";
        let r = place_gtc(&url, mk, &sym, &price, cid);
        assert!(
            (200..300).contains(&r.status),
            "{name}: {} {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        );

        let open = c
            .open_orders(Some(&sym))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(open.len(), 1, "{name}: {open:?}");
        let o = &open[0];
        assert_eq!(
            (o.symbol.as_str(), o.client_id.as_str()),
            (sym.as_str(), cid),
            "{name}"
        );
        assert_eq!(o.side, Side::Buy, "{name}");
        assert_eq!(o.state, OrderState::New, "{name}");
        assert_eq!(o.price.normalized(), amount(&price).normalized(), "{name}");
        assert_eq!(o.qty.normalized(), amount("0.01"), "{name}");
        assert!(o.filled.is_zero(), "{name}");
        assert!(!o.venue_order_id.is_empty(), "{name}");
        assert_eq!(
            c.open_orders(None).unwrap().len(),
            1,
            "{name}: every symbol"
        );

        let quote = |c: &mut AccountClient| {
            let b = c.balances().unwrap();
            // Every mock venue's instrument is BTC against USDT (Upbit's `USDT-BTC`).
            let q = "USDT";
            b.into_iter()
                .find(|b| b.asset == q)
                .unwrap_or_else(|| panic!("{name}: no {q}"))
        };
        let locked = quote(&mut c).locked;
        // 0.01 x price is held for the order.
        let want = amount(&price).to_scale(10).unwrap() / 100;
        assert_eq!(locked.to_scale(10), Some(want), "{name}: {locked}");

        assert_eq!(
            c.cancel(&sym, cid).unwrap(),
            CancelOutcome::Cancelled,
            "{name}"
        );
        let t = Instant::now();
        while !c.open_orders(Some(&sym)).unwrap().is_empty() {
            assert!(
                t.elapsed() < Duration::from_secs(5),
                "{name}: still open after cancel"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(quote(&mut c).locked.is_zero(), "{name}: unlocked");
        let again = c.cancel(&sym, cid).unwrap();
        assert!(
            matches!(again, CancelOutcome::NotFound | CancelOutcome::AlreadyFinal),
            "{name}: {again:?}"
        );
    }
}
