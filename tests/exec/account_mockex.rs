//! The account API (`microarb::exec::account`) against the mock exchange on loopback, all four
//! venues: server time, rules, balances, open orders and cancels by client id, including an order
//! that rests (GTC, placed by the test with a request signed here, since the engine itself only
//! sends IOC): it lists as open, locks balance, cancels, and is then gone.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use microarb::exec::account::client::unix_ms_now;
use microarb::exec::account::http::{BlockingHttp, HttpResponse};
use microarb::exec::account::{
    client_for_url, AccountClient, Amount, CancelOutcome, OrderState, TickRule,
};
use microarb::exec::gateway::codec::jwt::JwtSigner;
use microarb::exec::gateway::codec::{binance, okx};
use microarb::exec::secrets::ApiSecret;
use microarb::model::{Side, VenueKind};
use microarb::net::http::HostSpec;
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
    MockVenue::new(mk.name(), mk).symbol
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

fn http(url: &str) -> BlockingHttp {
    let addr: SocketAddr = url.strip_prefix("http://").unwrap().parse().unwrap();
    BlockingHttp::new(
        &HostSpec { addr, tls: None },
        Duration::from_secs(5),
        1 << 20,
    )
    .unwrap()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Place a GTC limit buy of 0.01 at `price` with client id `cid`, signed here with the venue's
/// documented scheme.
fn place_gtc(url: &str, mk: mockex::VenueKind, sym: &str, price: &str, cid: &str) -> HttpResponse {
    let host = url.strip_prefix("http://").unwrap();
    let ts = unix_ms_now();
    let post = |path: &str, headers: String, body: &str| {
        format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let req = match mk {
        mockex::VenueKind::Binance => {
            let p = format!(
                "symbol={sym}&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price={price}&newClientOrderId={cid}&timestamp={ts}"
            );
            let sig = binance::sign(SECRET.as_bytes(), p.as_bytes());
            let body = format!("{p}&signature={}", std::str::from_utf8(&sig).unwrap());
            format!(
                "POST /api/v3/order HTTP/1.1\r\nHost: {host}\r\nX-MBX-APIKEY: {KEY}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
        }
        mockex::VenueKind::Upbit => {
            let q = format!(
                "market={sym}&side=bid&volume=0.01&price={price}&ord_type=limit&identifier={cid}"
            );
            let body = format!(
                r#"{{"market":"{sym}","side":"bid","volume":"0.01","price":"{price}","ord_type":"limit","identifier":"{cid}"}}"#
            );
            let mut token = Vec::new();
            JwtSigner::new(KEY.as_bytes(), SECRET.as_bytes())
                .unwrap()
                .write_token(
                    &mut token,
                    b"0f8fad5b-d9cb-469f-a165-70867728950e",
                    Some(q.as_bytes()),
                );
            let auth = format!(
                "Authorization: Bearer {}\r\n",
                String::from_utf8(token).unwrap()
            );
            post("/v1/orders", auth, &body)
        }
        mockex::VenueKind::Bybit => {
            let body = format!(
                r#"{{"category":"spot","symbol":"{sym}","side":"Buy","orderType":"Limit","qty":"0.01","price":"{price}","timeInForce":"GTC","orderLinkId":"{cid}"}}"#
            );
            let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET.as_bytes());
            let sig = hex(ring::hmac::sign(&k, format!("{ts}{KEY}5000{body}").as_bytes()).as_ref());
            let h = format!("X-BAPI-API-KEY: {KEY}\r\nX-BAPI-TIMESTAMP: {ts}\r\nX-BAPI-RECV-WINDOW: 5000\r\nX-BAPI-SIGN: {sig}\r\n");
            post("/v5/order/create", h, &body)
        }
        mockex::VenueKind::Okx => {
            let body = format!(
                r#"{{"instId":"{sym}","tdMode":"cash","side":"buy","ordType":"limit","px":"{price}","sz":"0.01","clOrdId":"{cid}"}}"#
            );
            let iso = okx::iso_timestamp(ts);
            let iso = std::str::from_utf8(&iso).unwrap();
            let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET.as_bytes());
            let sig = STANDARD.encode(ring::hmac::sign(
                &k,
                format!("{iso}POST/api/v5/trade/order{body}").as_bytes(),
            ));
            let h = format!("OK-ACCESS-KEY: {KEY}\r\nOK-ACCESS-SIGN: {sig}\r\nOK-ACCESS-TIMESTAMP: {iso}\r\nOK-ACCESS-PASSPHRASE: {PASSPHRASE}\r\n");
            post("/api/v5/trade/order", h, &body)
        }
    };
    http(url).exchange(req.as_bytes()).expect("order answered")
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
