//! `microarb account`: exit statuses, the lines it prints, and that no credential ever reaches
//! its output. The venue is a canned HTTP answerer on loopback (one answer per connection, the
//! request line recorded); the runs against the mock exchange are in `account_mockex.rs`.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use crate::common::config::{demo, to_toml};
use crate::common::tmp::TempDir;

const KEY: &str = "cliKey0123456789";
const SECRET: &str = "cliSecret-9876543210";

/// Answers every connection with `answer(request line)`; returns its base URL and the request
/// lines seen.
fn venue(answer: fn(&str) -> (u16, String)) -> (String, Arc<Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { return };
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
            let text = String::from_utf8_lossy(&got).to_string();
            let line = text.lines().next().unwrap_or("").to_string();
            log.lock().unwrap().push(text);
            let (status, body) = answer(&line);
            let _ = write!(
                s,
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nDate: Tue, 08 Dec 2020 09:08:57 GMT\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, seen)
}

/// A config whose `binance` venue is at `url`, credentials from a chmod-600 file.
fn config(dir: &TempDir, url: &str, with_keys: bool) -> std::path::PathBuf {
    let mut cfg = demo();
    let v = cfg.venues.iter_mut().find(|v| v.name == "binance").unwrap();
    v.rest_url = Some(url.to_string());
    if with_keys {
        let f = dir.join("binance.keys");
        std::fs::write(&f, format!("key={KEY}\nsecret={SECRET}\n")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        v.api_secret_file = Some(f.display().to_string());
    }
    let path = dir.join("account.toml");
    std::fs::write(&path, to_toml(&cfg)).unwrap();
    path
}

fn account(cfg: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_microarb"))
        .arg("account")
        .arg("--config")
        .arg(cfg)
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    for t in [&out, &err] {
        assert!(
            !t.contains(KEY) && !t.contains(SECRET),
            "a credential was printed: {t}"
        );
    }
    (out, err)
}

fn binance_answers(line: &str) -> (u16, String) {
    if line.starts_with("GET /api/v3/time ") {
        (200, r#"{"serverTime":1607418537715}"#.into())
    } else if line.starts_with("GET /api/v3/account?") {
        (
            200,
            r#"{"balances":[{"asset":"USDT","free":"1000.50000000","locked":"0.00000000"},{"asset":"BTC","free":"0.01000000","locked":"0.00500000"}]}"#.into(),
        )
    } else if line.starts_with("DELETE /api/v3/order?") {
        // The key comes back in the message: it must be printed as ****.
        (
            400,
            format!(r#"{{"code":-2011,"msg":"Unknown order sent. key {KEY}"}}"#),
        )
    } else if line.starts_with("GET /api/v3/openOrders?") {
        (
            401,
            format!(
                r#"{{"code":-2015,"msg":"Invalid API-key {KEY}, IP, or permissions for action."}}"#
            ),
        )
    } else {
        (404, "{}".into())
    }
}

#[test]
fn time_balances_and_refusals() {
    let dir = TempDir::new("cli_account");
    let (url, seen) = venue(binance_answers);
    let cfg = config(&dir, &url, true);

    let o = account(&cfg, &["--venue", "binance", "time"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        out.starts_with("server_time unix_ms=1607418537715 local_unix_ms="),
        "{out}"
    );

    let o = account(&cfg, &["--venue", "binance", "balances"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(
        out,
        "balance BTC free=0.01000000 locked=0.00500000\nbalance USDT free=1000.50000000 locked=0.00000000\n"
    );
    let sent = seen.lock().unwrap().clone();
    let req = sent
        .iter()
        .find(|r| r.starts_with("GET /api/v3/account?"))
        .unwrap();
    assert!(
        req.contains(&format!("X-MBX-APIKEY: {KEY}\r\n")),
        "signed with the file's key"
    );
    assert!(!req.contains(SECRET), "the secret is never sent");

    // The venue refused the key: exit 1, its message printed with the key redacted.
    let o = account(&cfg, &["--venue", "binance", "open-orders"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains("authentication refused") && err.contains("-2015") && err.contains("****"),
        "{err}"
    );

    // -2011 with another message than "Unknown order sent." is a refusal, exit 1, redacted.
    let o = account(
        &cfg,
        &[
            "--venue",
            "binance",
            "cancel",
            "--instrument",
            "BTC/USDT",
            "--client-id",
            "ma1x7",
        ],
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("-2011"), "{err}");
    let sent = seen.lock().unwrap().clone();
    assert!(sent
        .iter()
        .any(|r| r.starts_with("DELETE /api/v3/order?symbol=BTCUSDT&origClientOrderId=ma1x7&")));
}

#[test]
fn bad_usage_exits_2() {
    let dir = TempDir::new("cli_account_usage");
    let (url, seen) = venue(binance_answers);
    let cfg = config(&dir, &url, false);
    let o = account(&cfg, &["--venue", "nowhere", "time"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("nowhere") && err.contains("binance, bybit, okx, upbit"),
        "{err}"
    );

    // No credential source: the private calls are refused before anything is sent...
    let o = account(&cfg, &["--venue", "binance", "balances"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("api_key_env") && err.contains("api_secret_file"),
        "{err}"
    );
    assert!(seen.lock().unwrap().is_empty(), "nothing was sent");
    // ... and the public ones work.
    let o = account(&cfg, &["--venue", "binance", "time"]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));

    let keyed = TempDir::new("cli_account_usage_keys");
    let cfg = config(&keyed, &url, true);
    let o = account(
        &cfg,
        &[
            "--venue",
            "binance",
            "cancel",
            "--instrument",
            "DOGE/EUR",
            "--client-id",
            "x",
        ],
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("DOGE/EUR") && err.contains("BTC/USDT"),
        "{err}"
    );
}
