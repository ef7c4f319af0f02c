//! The account thread's own Binance WebSocket API session (`exec::account::ws_api`) against the
//! mock exchange's `/ws-api/v3` on loopback: open orders and balances asked with
//! `openOrders.status` and `account.status` after one `session.logon` read exactly as the REST
//! answers; a session the venue refuses falls back to REST, counted; a run with
//! `order_entry = "ws"` reconciles (start-up and while running) over the session; and a gap in
//! the user-data stream (an order whose answer and pushes are both lost) is filled by the status
//! query and the balance refresh, the book agreeing with the venue after it.

use std::path::Path;
use std::time::Duration;

use crate::common::mockex_rest::{self, try_engine_with_truth, BINANCE_UPBIT, KEY, SECRET};
use crate::common::venue_orders::{cents, place_limit, Limit, Signer};
use microarb::exec::account::{
    client_for_url, AccountClient, BinanceWsAccount, SessionCounters, WsAccountTarget,
};
use microarb::exec::gateway::codec::binance_ws::Ed25519Key;
use microarb::exec::secrets::ApiSecret;
use microarb::exec::AssetId;
use microarb::model::{VenueId, VenueKind};
use mockex::{AccountConfig, MockExchange, MockVenue};

/// Binance's illustrative Ed25519 key (fix-api.md), PKCS#8 v1 (the one the mock knows).
const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n-----END PRIVATE KEY-----\n";
/// Another key, which the mock refuses.
const OTHER_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g\n-----END PRIVATE KEY-----\n";

const BINANCE: VenueId = VenueId(0);
const USDT: AssetId = AssetId(1);
const E8: i64 = 100_000_000;

fn key(pem: &str) -> Ed25519Key {
    Ed25519Key::from_pem(Path::new("test.pem"), pem.as_bytes()).unwrap()
}

/// Binance (its WebSocket API knowing [`PEM`]) and Upbit, each account 10 BTC and 1,000,000 USDT.
fn mock() -> MockExchange {
    mock_with(|_| {})
}

/// [`mock`] with `edit` applied to the WebSocket API's faults.
fn mock_with(edit: impl FnOnce(&mut mockex::WsApiConfig)) -> MockExchange {
    let pk = key(PEM).public_key().to_vec();
    mockex_rest::start_with(&BINANCE_UPBIT, mockex::RestLimits::default(), |c| {
        c.ws_api.ed25519_public_key = Some(pk);
        edit(&mut c.ws_api);
        for v in &BINANCE_UPBIT {
            let sym = MockVenue::new(v.name, crate::common::mock::mock_kind(v.kind))
                .symbol()
                .to_owned();
            let mut a = AccountConfig::for_symbol(&sym, v.kind == VenueKind::Upbit);
            a.base_balance = 10;
            a.quote_balance = 1_000_000;
            c.rest_accounts.insert(v.name.to_string(), a);
        }
    })
}

fn rest_url(ex: &MockExchange) -> String {
    ex.endpoint("binance").unwrap().rest_url.clone().unwrap()
}

fn symbol() -> String {
    MockVenue::new("binance", mockex::VenueKind::Binance)
        .symbol()
        .to_owned()
}

/// The REST account client of the mock's Binance.
fn rest_client(ex: &MockExchange) -> AccountClient {
    client_for_url(
        "binance",
        VenueKind::Binance,
        &rest_url(ex),
        5000,
        Some(&ApiSecret::new(KEY, SECRET)),
        Duration::from_secs(5),
    )
    .unwrap()
}

/// The same client with its open orders and balances on a WebSocket API session logging on with
/// `pem`.
fn session_client(ex: &MockExchange, pem: &str) -> AccountClient {
    let e = ex.endpoint("binance").unwrap();
    let target = WsAccountTarget {
        addr: e.addr,
        url: e.ws_api_url.clone().unwrap(),
        tls: None,
    };
    let s = BinanceWsAccount::new(
        target,
        Duration::from_secs(5),
        key(pem),
        KEY.into(),
        5000,
        SessionCounters::default(),
    )
    .unwrap();
    let mut c = rest_client(ex);
    c.set_session(Box::new(s));
    c
}

/// A resting GTC buy of 0.01 at half the bid, client id `cid`, placed the way another program
/// would (the venue's REST API, signed by the test's own signer).
fn rest_buy(ex: &MockExchange, cid: &str) {
    let price = cents(ex.top_of_book("binance").unwrap().bid_px / 2);
    let sym = symbol();
    let r = place_limit(
        &rest_url(ex),
        mockex::VenueKind::Binance,
        Limit {
            symbol: &sym,
            buy: true,
            price: &price,
            qty: "0.01",
            client_id: cid,
        },
        Signer {
            key: KEY,
            secret: SECRET,
            passphrase: "",
        },
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

#[test]
fn open_orders_and_balances_on_the_session_read_as_over_rest() {
    let ex = mock();
    rest_buy(&ex, "other1");
    let sym = symbol();
    let mut rest = rest_client(&ex);
    let mut ws = session_client(&ex, PEM);
    let (r1, w1) = (
        rest.open_orders(Some(&sym)).unwrap(),
        ws.open_orders(Some(&sym)).unwrap(),
    );
    assert_eq!(w1.len(), 1, "{w1:?}");
    assert_eq!(w1, r1, "the session's answer reads as REST's");
    assert_eq!(
        ws.open_orders(None).unwrap(),
        rest.open_orders(None).unwrap()
    );
    let (rb, wb) = (rest.balances().unwrap(), ws.balances().unwrap());
    assert!(wb.iter().any(|b| b.asset == "USDT" && !b.locked.is_zero()));
    assert_eq!(wb, rb);
    let s = mockex_rest::stats(&ex, "binance");
    assert_eq!(
        (s.ws_api_sessions, s.ws_api_logons),
        (1, 1),
        "one session, one logon for every call: {s:?}"
    );
    assert_eq!((s.ws_api_open_orders, s.ws_api_balances), (2, 1), "{s:?}");
    assert_eq!(
        (s.rest_open_orders, s.rest_balances),
        (4, 2),
        "two of each over REST, the rest on the session: {s:?}"
    );
    let c = ws.session().unwrap().counters();
    assert_eq!(
        (c.calls.get(), c.fallbacks.get(), c.logons.get()),
        (3, 0, 1)
    );
    assert!(ws.take_session_error().is_none());
}

#[test]
fn a_refused_session_is_counted_and_its_calls_go_on_rest() {
    let ex = mock();
    rest_buy(&ex, "other2");
    let mut ws = session_client(&ex, OTHER_PEM);
    assert_eq!(ws.open_orders(Some(&symbol())).unwrap().len(), 1);
    let e = ws
        .take_session_error()
        .expect("the session's failure is kept");
    assert!(e.contains("logon refused"), "{e}");
    assert!(ws.balances().is_ok());
    let c = ws.session().unwrap().counters();
    assert_eq!(
        (c.calls.get(), c.fallbacks.get(), c.logon_refusals.get()),
        (0, 2, 2)
    );
    let s = mockex_rest::stats(&ex, "binance");
    assert_eq!((s.ws_api_open_orders, s.ws_api_balances), (0, 0));
    assert_eq!((s.rest_open_orders, s.rest_balances), (1, 1), "{s:?}");
}

/// The engine config: Binance's orders on its WebSocket API session (the key in an owner-only
/// file under `dir`), the reconciliation's rounds every 100 ms.
fn ws_config(ex: &MockExchange, dir: &crate::common::tmp::TempDir) -> microarb::config::Config {
    use std::os::unix::fs::PermissionsExt;
    let pem = dir.join("ed25519.pem");
    std::fs::write(&pem, PEM).unwrap();
    std::fs::set_permissions(&pem, std::fs::Permissions::from_mode(0o600)).unwrap();
    let url = ex.endpoint("binance").unwrap().ws_api_url.clone().unwrap();
    mockex_rest::config(ex, &BINANCE_UPBIT, "/nonexistent", |c| {
        c.venues[0].order_entry = microarb::config::OrderEntry::Ws;
        c.venues[0].ws_api_url = Some(url);
        c.venues[0].ed25519_key_file = Some(pem.to_string_lossy().into_owned());
        c.execution.reconcile.balance_refresh_ms = 100;
        c.execution.reconcile.open_orders_ms = 100;
    })
}

#[test]
fn a_run_with_ws_order_entry_reconciles_over_the_account_session() {
    let ex = mock();
    rest_buy(&ex, "manual1");
    let dir = crate::common::tmp::TempDir::new("ws-account");
    let cfg = ws_config(&ex, &dir);
    let mut e = try_engine_with_truth(&cfg, SECRET).expect("start-up reconciles");
    // Start-up: the foreign order found on the session's openOrders.status and cancelled (on
    // REST: cancels are not the account session's), balances from account.status.
    assert_eq!(e.count("exec.reconcile.foreign_orders"), 1);
    assert_eq!(e.count("exec.reconcile.cancelled"), 1);
    assert_eq!(e.stage.risk().balance(BINANCE, USDT), 1_000_000 * E8);
    let s = mockex_rest::stats(&ex, "binance");
    assert!(s.ws_api_open_orders >= 1 && s.ws_api_balances >= 1, "{s:?}");
    // While running: a foreign order placed now is found by the periodic cross-check on the
    // session, and the balance refreshes go there too.
    let before = mockex_rest::stats(&ex, "binance");
    rest_buy(&ex, "manual2");
    e.poll_until(Duration::from_secs(5), |e| {
        e.count("exec.reconcile.cancelled") >= 2
    });
    assert_eq!(e.count("exec.reconcile.foreign_orders"), 2);
    let after = mockex_rest::stats(&ex, "binance");
    assert!(after.ws_api_open_orders > before.ws_api_open_orders);
    assert!(after.ws_api_balances > before.ws_api_balances);
    assert_eq!(
        after.rest_open_orders - after.ws_api_open_orders,
        before.rest_open_orders - before.ws_api_open_orders,
        "no open-orders list went on REST"
    );
    assert!(e.count("exec.reconcile.session.binance.calls") >= 4);
    assert_eq!(e.count("exec.reconcile.session.binance.fallbacks"), 0);
    assert_eq!(e.count("exec.reconcile.session.binance.logons"), 1);
}

#[test]
fn a_gap_in_the_user_data_stream_is_filled_by_the_status_query_and_the_balance_refresh() {
    // The second placement executes, its answer is lost and its user-data events are never
    // pushed: neither the session nor the stream says what happened.
    let ex = mock_with(|w| {
        w.lose_ack_on_place = Some(2);
        w.withhold_pushes_on_place = Some(2);
    });
    let dir = crate::common::tmp::TempDir::new("ws-gap");
    let cfg = ws_config(&ex, &dir);
    let mut e = try_engine_with_truth(&cfg, SECRET).expect("start-up");
    e.poll_until(Duration::from_secs(5), |e| {
        e.stage.gateway_mut().ws(BINANCE).unwrap().is_ready()
    });
    for _ in 0..3 {
        e.feed(&ex, BINANCE, VenueId(1));
        e.settle(Duration::from_secs(5));
    }
    assert_eq!(e.outcome(microarb::model::Outcome::Executed), 3);
    // The gap's leg was settled by its status query; the two others by answer or push.
    let s = mockex_rest::stats(&ex, "binance");
    assert_eq!(s.rest_orders, 3, "each order taken once: {s:?}");
    assert!(s.rest_status_queries >= 1, "{s:?}");
    // A balance round after the last fill: the venue's figures agree with the book's.
    let rounds = e.count("exec.reconcile.balance_rounds");
    e.poll_until(Duration::from_secs(5), |e| {
        e.count("exec.reconcile.balance_rounds") >= rounds + 2
    });
    assert_eq!(e.count("exec.reconcile.balance_mismatches"), 0);
    assert!(!e.stage.risk().is_halted(BINANCE));
    let venue = rest_client(&ex).balances().unwrap();
    let usdt = venue.iter().find(|b| b.asset == "USDT").unwrap();
    assert_eq!(
        Some(i128::from(e.stage.risk().balance(BINANCE, USDT))),
        usdt.free.to_scale(8),
        "the book holds the venue's balance after the gap"
    );
    assert_eq!(e.count("exec.stream.disagreements"), 0);
    assert_eq!(e.count("exec.stream.unmatched"), 0);
    assert_eq!(
        e.count("exec.stream.settled") + e.count("exec.stream.confirms"),
        2,
        "the two orders outside the gap were pushed and matched once each"
    );
}
