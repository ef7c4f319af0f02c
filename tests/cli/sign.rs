//! `microarb sign`: the request it prints is the one the REST gateway's codec writes for the same
//! order, timestamp and nonce (built here with `rest::venue_codec`, the function the router uses);
//! the secret and the passphrase never appear in what it prints; missing credentials and
//! feed-only venues are refused with exit 2, naming the key.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::config::{demo, to_toml};
use crate::common::tmp::TempDir;
use microarb::config::Config;
use microarb::exec::gateway::codec::VenueCodec;
use microarb::exec::gateway::rest::venue_codec;
use microarb::exec::secrets::ApiSecret;
use microarb::model::{
    InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};

const KEY: &str = "signKEY0123456789";
const SECRET: &str = "sign-SECRET-never-printed-77";
const PASSPHRASE: &str = "Pass-phrase-never-printed-55";
const TS: u64 = 1_700_000_000_123;
const NONCE: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

/// The demo config (binance 0, bybit 1, okx 2, upbit 3): OKX from variables with a passphrase
/// variable, the others from an owner-only file; `edit` last.
fn config(dir: &TempDir, edit: impl FnOnce(&mut Config)) -> (Config, std::path::PathBuf) {
    let creds = dir.join("venue.creds");
    std::fs::write(&creds, format!("key={KEY}\nsecret={SECRET}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&creds, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let mut cfg = demo();
    for v in &mut cfg.venues {
        if v.kind == microarb::model::VenueKind::Okx {
            v.api_key_env = Some("MICROARB_SIGN_TEST_KEY".into());
            v.api_secret_env = Some("MICROARB_SIGN_TEST_SECRET".into());
            v.api_passphrase_env = Some("MICROARB_SIGN_TEST_PASS".into());
        } else {
            v.api_secret_file = Some(creds.to_str().unwrap().into());
        }
    }
    edit(&mut cfg);
    let path = dir.join("sign.toml");
    std::fs::write(&path, to_toml(&cfg)).unwrap();
    (cfg, path)
}

fn sign(cfg: &Path, venue: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_microarb"))
        .env("MICROARB_SIGN_TEST_KEY", KEY)
        .env("MICROARB_SIGN_TEST_SECRET", SECRET)
        .env("MICROARB_SIGN_TEST_PASS", PASSPHRASE)
        .arg("sign")
        .arg("--config")
        .arg(cfg)
        .args([
            "--venue",
            venue,
            "--instrument",
            "BTC/USDT",
            "--side",
            "buy",
        ])
        .args([
            "--price",
            "25000.1",
            "--qty",
            "0.5",
            "--client-id",
            "ma1234567x42",
        ])
        .args(["--timestamp-ms", &TS.to_string()])
        .args(extra)
        .output()
        .unwrap()
}

/// What the gateway's codec writes for the same order, timestamp and nonce.
fn gateway_bytes(cfg: &Config, venue: usize) -> Vec<u8> {
    let v = &cfg.venues[venue];
    let mut cred = ApiSecret::new(KEY, SECRET);
    if v.kind == microarb::model::VenueKind::Okx {
        cred = cred.with_passphrase(PASSPHRASE);
    }
    let host = microarb::exec::gateway::rest::host_header(
        microarb::exec::gateway::rest::public_rest_url(v.kind),
    )
    .unwrap();
    let mut codec = venue_codec(cfg, venue, &cred, host, "ma1234567x").unwrap();
    let ins = &cfg.instruments[0];
    let order = Order {
        id: OrderId(42),
        opp: OppId(0),
        px: Price::parse(b"25000.1", ins.price_scale).unwrap(),
        qty: Qty::parse(b"0.5", ins.qty_scale).unwrap(),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(0),
        venue: VenueId(venue as u8),
        side: Side::Buy,
        tif: TimeInForce::Ioc,
    };
    let mut out = Vec::new();
    match &mut codec {
        VenueCodec::Upbit(c) => {
            let nonce: [u8; 36] = NONCE.as_bytes().try_into().unwrap();
            c.write_request_with_nonce(&order, &nonce, &mut out)
                .unwrap();
        }
        c => c.write_request(&order, TS, &mut out).unwrap(),
    }
    out
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn every_venue_prints_the_gateways_request_and_no_secret() {
    let dir = TempDir::new("cli-sign");
    let (cfg, path) = config(&dir, |_| {});
    for (i, v) in cfg.venues.iter().enumerate() {
        let extra: &[&str] = if v.name == "upbit" {
            &["--nonce", NONCE]
        } else {
            &[]
        };
        let out = sign(&path, &v.name, extra);
        assert_eq!(out.status.code(), Some(0), "{}: {}", v.name, text(&out));
        let all = text(&out);
        assert!(!all.contains(SECRET), "{}: the secret was printed", v.name);
        assert!(!all.contains(PASSPHRASE), "{}: the passphrase", v.name);
        let mut want = gateway_bytes(&cfg, i);
        if v.name == "okx" {
            let w = String::from_utf8(want).unwrap();
            assert!(w.contains(&format!("OK-ACCESS-PASSPHRASE: {PASSPHRASE}\r\n")));
            want = w
                .replace(
                    &format!("OK-ACCESS-PASSPHRASE: {PASSPHRASE}\r\n"),
                    "OK-ACCESS-PASSPHRASE: ****\r\n",
                )
                .into_bytes();
        }
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&want),
            "{}: the request the gateway writes",
            v.name
        );
        // The API key is in the request as it is (Upbit's inside its JWT).
        assert!(
            v.name == "upbit" || all.contains(KEY),
            "{}: the API key",
            v.name
        );
    }
}

#[test]
fn refusals_name_the_key_and_exit_2() {
    let dir = TempDir::new("cli-sign-bad");
    // OKX without its passphrase variable set.
    let (_, path) = config(&dir, |_| {});
    let out = Command::new(env!("CARGO_BIN_EXE_microarb"))
        .env("MICROARB_SIGN_TEST_KEY", KEY)
        .env("MICROARB_SIGN_TEST_SECRET", SECRET)
        .env_remove("MICROARB_SIGN_TEST_PASS")
        .args(["sign", "--config"])
        .arg(&path)
        .args([
            "--venue",
            "okx",
            "--instrument",
            "BTC/USDT",
            "--side",
            "sell",
        ])
        .args(["--price", "1", "--qty", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out);
    assert!(
        err.contains("api_passphrase_env") && err.contains("MICROARB_SIGN_TEST_PASS"),
        "{err}"
    );
    assert!(!err.contains(SECRET));
    // A feed-only venue, an unknown venue, bad amounts, a nonce for a venue without one.
    let (_, path) = config(&dir, |c| {
        c.venues[1].trade = false;
        c.venues[1].api_secret_file = None;
    });
    for (venue, extra, says) in [
        ("bybit", &[][..], "feed only"),
        ("kraken", &[][..], "no such venue"),
        ("binance", &["--nonce", NONCE][..], "--nonce"),
    ] {
        let out = sign(&path, venue, extra);
        assert_eq!(out.status.code(), Some(2), "{venue}: {}", text(&out));
        assert!(text(&out).contains(says), "{venue}: {}", text(&out));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_microarb"))
        .args(["sign", "--config"])
        .arg(&path)
        .args([
            "--venue",
            "binance",
            "--instrument",
            "BTC/USDT",
            "--side",
            "up",
        ])
        .args(["--price", "1", "--qty", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("--side"));
}
