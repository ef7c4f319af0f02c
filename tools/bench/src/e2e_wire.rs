//! `e2e --gateway rest`: the engine's orders go over its REST gateways to the mock exchange's REST
//! endpoints, which stamp when each order request's first byte was read. Here, after the run:
//!
//! `wire_to_wire = order's first byte at the mock - triggering frame's send by the mock`
//!
//! both on this process's clock (the mock runs here; the REST side's arrival is the kernel's
//! receive stamp, on the same clock, see [`wire_to_wire`]). The join: the mock's arrivals are keyed by
//! client order id; the engine's `--trades` log maps each client id to its opportunity (`opp`)
//! and leg role; the `--opps` log maps the opportunity to its triggering frame (venue, update
//! id); the mock's send log gives that frame's send time. Only the arbitrage's own two legs
//! count (hedges are not triggered by a frame).
//!
//! Credentials are generated for the run into owner-only files in the output folder (as the REST
//! soak does); the mock verifies every signature. The venues' published rate limits stay in
//! force on both sides (the engine's zero-429 pacing and the mock's limits), so the order count
//! per run is what those limits allow. Cold path: allocation is fine here.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use mockex::{ApiCredentials, MockExchange};

/// The run's credentials: `rest.creds` (key, secret) and `okx.creds` (with a passphrase), and
/// an Ed25519 key for Binance's WebSocket API (`ed25519.pem`, PKCS#8 v1, owner-only).
pub struct Creds {
    /// What the mock verifies.
    pub api: ApiCredentials,
    /// The file for venues without a passphrase.
    pub plain: PathBuf,
    /// The file for OKX.
    pub okx: PathBuf,
    /// The Ed25519 private key file (`session.logon` signs with it).
    pub ed25519_pem: PathBuf,
    /// Its public key (what the mock's WebSocket API verifies logons against).
    pub ed25519_public: Vec<u8>,
}

/// PKCS#8 v1 of an Ed25519 private key: this DER prefix, then the 32-byte seed (RFC 8410).
const ED25519_PKCS8_V1_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// A fresh Ed25519 key as a PEM file at `path` (owner-only) and its public key.
fn ed25519_key(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut seed = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut seed))
        .map_err(|e| format!("/dev/urandom: {e}"))?;
    let mut der = ED25519_PKCS8_V1_PREFIX.to_vec();
    der.extend_from_slice(&seed);
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64_std(&der)
    );
    let key =
        microarb::exec::gateway::codec::binance_ws::Ed25519Key::from_pem(path, pem.as_bytes())
            .map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(path);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    std::io::Write::write_all(&mut f, pem.as_bytes()).map_err(|e| e.to_string())?;
    Ok(key.public_key().to_vec())
}

/// Standard Base64 with padding (the PEM body; 48 bytes here, no line breaks needed).
fn base64_std(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Generate the run's credentials into `dir` (replacing files an earlier run left).
pub fn creds(dir: &Path, tag: &str) -> Result<Creds, String> {
    let plain = ApiCredentials::generate().map_err(|e| e.to_string())?;
    let api = plain
        .clone()
        .with_passphrase(ApiCredentials::generate().map_err(|e| e.to_string())?.key);
    let (p, o) = (
        dir.join(format!("{tag}.rest.creds")),
        dir.join(format!("{tag}.okx.creds")),
    );
    for f in [&p, &o] {
        let _ = std::fs::remove_file(f);
    }
    plain.write_file(&p).map_err(|e| e.to_string())?;
    api.write_file(&o).map_err(|e| e.to_string())?;
    let pem = dir.join(format!("{tag}.ed25519.pem"));
    let ed25519_public = ed25519_key(&pem)?;
    Ok(Creds {
        api,
        plain: p,
        okx: o,
        ed25519_pem: pem,
        ed25519_public,
    })
}

/// The opportunity's triggering frame: (venue name, update id), by opportunity id.
pub fn triggers(opps_log: &str) -> HashMap<u64, (String, u64)> {
    let mut m = HashMap::new();
    for line in opps_log.lines() {
        let Ok(o) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if let (Some(id), Some(v), Some(seq)) = (
            o["opp"].as_u64(),
            o["trigger_venue"].as_str(),
            o["trigger_seq"].as_u64(),
        ) {
            m.insert(id, (v.to_string(), seq));
        }
    }
    m
}

/// Client id -> opportunity id of every arbitrage leg (role buy or sell) the trade log records.
pub fn legs(trades_log: &str) -> HashMap<String, u64> {
    let mut m = HashMap::new();
    for line in trades_log.lines() {
        let Ok(t) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let leg = matches!(t["role"].as_str(), Some("buy" | "sell"));
        if t["kind"].as_str() != Some("order") || !leg {
            continue;
        }
        if let (Some(c), Some(opp)) = (t["client_id"].as_str(), t["opp"].as_u64()) {
            m.insert(c.to_string(), opp);
        }
    }
    m
}

/// A latency histogram with the bench's bounds.
pub fn histogram() -> hdrhistogram::Histogram<u64> {
    hdrhistogram::Histogram::<u64>::new_with_bounds(1, 60_000_000_000, 3).expect("bounds")
}

/// What [`wire_to_wire`] joined.
pub struct WireJoin {
    /// `wire_to_wire` of every joined leg.
    pub all: hdrhistogram::Histogram<u64>,
    /// The same per venue the leg went to.
    pub by_venue: std::collections::BTreeMap<String, hdrhistogram::Histogram<u64>>,
    /// Legs that could not be joined to their triggering frame's send.
    pub unmatched: u64,
    /// Legs triggered by a frame of an untimed venue (no update id: Upbit).
    pub untimed: u64,
    /// For every order the mock received (joined or not): how long after the kernel stamped its
    /// first byte the mock's thread read it (0 where the transport has no kernel stamp). The
    /// mock's own lateness, apart from the engine's.
    pub mock_read_lag: hdrhistogram::Histogram<u64>,
}

/// `wire_to_wire` of every leg the mock received (all venues, and per venue the leg went to),
/// how many could not be joined, and how many were triggered by a frame of one of `untimed`
/// (venues whose frames carry no update id: Upbit), which cannot be joined. An order's end is
/// when its first byte reached the mock: on the REST side the kernel's receive stamp of the
/// segment that carried it (`SO_TIMESTAMPNS`, taken as the engine's `write` delivers it, however
/// late the mock's thread reads it); on the WebSocket APIs when the frame that carried it was
/// read.
pub fn wire_to_wire(
    ex: &MockExchange,
    venues: &[&str],
    untimed: &[&str],
    opps_log: &str,
    trades_log: &str,
) -> WireJoin {
    let mut j = WireJoin {
        all: histogram(),
        by_venue: std::collections::BTreeMap::new(),
        unmatched: 0,
        untimed: 0,
        mock_read_lag: histogram(),
    };
    let (trig, legs) = (triggers(opps_log), legs(trades_log));
    for v in venues {
        let hv = j.by_venue.entry((*v).to_string()).or_insert_with(histogram);
        for (client, arrival) in ex.rest_order_arrivals(v).unwrap_or_default() {
            let at = arrival.kernel_ns;
            j.mock_read_lag
                .saturating_record(arrival.read_ns.saturating_sub(at));
            let trigger = legs.get(&client).and_then(|opp| trig.get(opp));
            if trigger.is_some_and(|(tv, _)| untimed.contains(&tv.as_str())) {
                j.untimed += 1;
                continue;
            }
            let sent = trigger.and_then(|(tv, seq)| ex.send_log(tv)?.get(*seq));
            match sent {
                Some(s) if at >= s => {
                    j.all.saturating_record(at - s);
                    hv.saturating_record(at - s);
                }
                // A hedge (not in `legs`) has no triggering frame: not a miss.
                None if !legs.contains_key(&client) => {}
                _ => j.unmatched += 1,
            }
        }
    }
    j
}
