//! `microarb account` against the mock exchange on loopback, all four venues (demo config with
//! `rest_url` pointing at the mock, credentials from owner-only files, OKX's with its passphrase):
//! what an operator sees for time, rules, balances, open orders and a cancel of an unknown id.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::config::{demo, to_toml};
use crate::common::tmp::TempDir;
use mockex::{ApiCredentials, MockConfig, MockExchange, MockVenue, SyntheticSource, VenueKind};

const KEY: &str = "cliMockKey123";
const SECRET: &str = "cli-mock-S3CRET-42";
const PASSPHRASE: &str = "cliPass7";

fn start() -> MockExchange {
    let list = MockConfig::all_kinds();
    let mut cfg = MockConfig::synthetic(list, SyntheticSource::default());
    cfg.rate_per_s = 2000;
    cfg.wait_for_subscribers = false;
    cfg.api = Some(ApiCredentials::new(KEY, SECRET).with_passphrase(PASSPHRASE));
    let ex = MockExchange::start(cfg).expect("mockex starts");
    let t = Instant::now();
    for e in ex.endpoints() {
        while ex.top_of_book(&e.name).is_none() {
            assert!(t.elapsed() < Duration::from_secs(10), "no quotes");
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    ex
}

/// The demo config with every venue's REST at the mock and its symbol the mock's.
fn config(ex: &MockExchange, dir: &TempDir) -> std::path::PathBuf {
    let mut cfg = demo();
    for v in &mut cfg.venues {
        let e = ex
            .endpoint(&v.name)
            .expect("the mock serves every demo venue");
        v.rest_url = e.rest_url.clone();
        let okx = v.name == "okx";
        let f = dir.join(format!("{}.keys", v.name));
        let creds = ApiCredentials::new(KEY, SECRET);
        let creds = if okx {
            creds.with_passphrase(PASSPHRASE)
        } else {
            creds
        };
        creds.write_file(&f).expect("credentials file");
        v.api_secret_file = Some(f.display().to_string());
        let sym = MockVenue::new(&v.name, e.kind).symbol().to_owned();
        cfg.instruments[0].symbols.insert(v.name.clone(), sym);
    }
    let p = dir.join("account.toml");
    std::fs::write(&p, to_toml(&cfg)).unwrap();
    p
}

fn account(cfg: &std::path::Path, args: &[&str]) -> (Output, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_microarb"))
        .arg("account")
        .arg("--config")
        .arg(cfg)
        .args(args)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    for t in [&out, &err] {
        assert!(
            !t.contains(KEY) && !t.contains(SECRET) && !t.contains(PASSPHRASE),
            "a credential was printed: {t}"
        );
    }
    (o, out, err)
}

#[test]
fn every_venue_through_the_command() {
    let ex = start();
    let dir = TempDir::new("cli_account_mock");
    let cfg = config(&ex, &dir);
    for kind in [
        VenueKind::Binance,
        VenueKind::Upbit,
        VenueKind::Bybit,
        VenueKind::Okx,
    ] {
        let v = kind.name();
        let sym = MockVenue::new(v, kind).symbol().to_owned();

        let (o, out, err) = account(&cfg, &["--venue", v, "time"]);
        assert_eq!(o.status.code(), Some(0), "{v}: {err}");
        assert!(out.starts_with("server_time unix_ms="), "{v}: {out}");

        let (o, out, err) = account(&cfg, &["--venue", v, "rules"]);
        assert_eq!(o.status.code(), Some(0), "{v}: {err}");
        assert!(
            out.lines().any(|l| l.starts_with(&format!("rules {sym} tick=")) && l.ends_with("trading=yes")),
            "{v}: {out}"
        );

        let (o, out, err) = account(&cfg, &["--venue", v, "balances"]);
        assert_eq!(o.status.code(), Some(0), "{v}: {err}");
        assert!(
            out.lines()
                .any(|l| l.starts_with("balance BTC free=1000000")),
            "{v}: {out}"
        );
        assert!(
            out.lines().any(|l| l.starts_with("balance USDT free=")),
            "{v}: {out}"
        );

        let (o, out, err) = account(&cfg, &["--venue", v, "open-orders"]);
        assert_eq!(o.status.code(), Some(0), "{v}: {err}");
        assert_eq!(out, "no open orders\n", "{v}");

        let (o, out, err) = account(
            &cfg,
            &[
                "--venue",
                v,
                "cancel",
                "--instrument",
                "BTC/USDT",
                "--client-id",
                "nosuch1",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{v}: {err}");
        assert!(
            out.starts_with(&format!("cancel {sym} nosuch1: not found")),
            "{v}: {out}"
        );
    }
}
