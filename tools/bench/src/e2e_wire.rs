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

/// How far back from the engine's receipt of a frame the bench looks for its send, on a venue
/// whose frames carry no update id: loopback delivers in microseconds and one instrument's frames
/// are milliseconds apart, so an older send is another frame ([`mockex::InstrumentSends`]).
pub const UNTIMED_WINDOW_NS: u64 = 1_000_000;

/// Finds when the mock sent the frame that triggered an opportunity, from the opportunity's
/// line in the engine's `--opps` log: by update id (`trigger_seq`) where the venue's frames carry
/// one, else (Upbit) as the last frame of the instrument the mock sent at or before the engine
/// received it (`recv_unix`, or `recv_ts` on the engine's monotonic clock plus its report's
/// `run.unix_anchor_ns`), within [`UNTIMED_WINDOW_NS`].
pub struct TriggerSends<'a> {
    ex: &'a dyn SendTimes,
    /// Venues whose frames carry no update id.
    untimed: Vec<String>,
    /// Instrument name -> index in the mock's symbol lists.
    instruments: HashMap<String, usize>,
    /// The engine's monotonic zero in unix ns, when its log gives `recv_ts` on that clock.
    anchor_ns: Option<u64>,
}

/// Where [`TriggerSends`] looks send times up: the mock exchange's send logs (a test gives its
/// own).
pub trait SendTimes {
    /// When venue `venue` sent its frame with update id `seq`.
    fn by_id(&self, venue: &str, seq: u64) -> Option<u64>;
    /// When venue `venue` last sent a frame of instrument `i` at or before `at_ns`, within
    /// `window_ns` ([`MockExchange::instrument_send`]).
    fn by_instrument(&self, venue: &str, i: usize, at_ns: u64, window_ns: u64) -> Option<u64>;
}

impl SendTimes for MockExchange {
    fn by_id(&self, venue: &str, seq: u64) -> Option<u64> {
        self.send_log(venue)?.get(seq)
    }

    fn by_instrument(&self, venue: &str, i: usize, at_ns: u64, window_ns: u64) -> Option<u64> {
        self.instrument_send(venue, i, at_ns, window_ns)
    }
}

/// What [`TriggerSends::send_of`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerSend {
    /// The frame's send time (unix ns).
    Sent(u64),
    /// A venue without update ids, and no frame of the instrument sent within the window before
    /// the engine's receipt (or no receipt time in the log).
    Untimed,
    /// The line names no trigger, or its frame is no longer in the send log.
    Unknown,
}

impl<'a> TriggerSends<'a> {
    /// A resolver over `ex`'s send logs. `untimed`: venues without update ids; `instruments`:
    /// the instrument names in the mock's symbol order; `anchor_ns`: the engine report's
    /// `run.unix_anchor_ns` (None for an engine that logs `recv_unix`).
    pub fn new(
        ex: &'a dyn SendTimes,
        untimed: &[&str],
        instruments: &[String],
        anchor_ns: Option<u64>,
    ) -> Self {
        TriggerSends {
            ex,
            untimed: untimed.iter().map(|v| (*v).to_string()).collect(),
            instruments: instruments
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), i))
                .collect(),
            anchor_ns,
        }
    }

    /// The send of the frame that triggered the opportunity on this `--opps` line.
    pub fn send_of(&self, o: &serde_json::Value) -> TriggerSend {
        let Some(v) = o["trigger_venue"].as_str() else {
            return TriggerSend::Unknown;
        };
        if self.untimed.iter().any(|u| u == v) {
            let recv = o["recv_unix"]
                .as_u64()
                .or_else(|| Some(self.anchor_ns?.saturating_add(o["recv_ts"].as_u64()?)));
            let ins = o["instrument"]
                .as_str()
                .and_then(|n| self.instruments.get(n));
            return match (recv, ins) {
                (Some(r), Some(&i)) => self
                    .ex
                    .by_instrument(v, i, r, UNTIMED_WINDOW_NS)
                    .map_or(TriggerSend::Untimed, TriggerSend::Sent),
                _ => TriggerSend::Untimed,
            };
        }
        let Some(seq) = o["trigger_seq"].as_u64() else {
            return TriggerSend::Unknown;
        };
        self.ex
            .by_id(v, seq)
            .map_or(TriggerSend::Unknown, TriggerSend::Sent)
    }

    /// [`send_of`](Self::send_of) for every opportunity of an `--opps` log, by opportunity id.
    pub fn all(&self, opps_log: &str) -> HashMap<u64, TriggerSend> {
        let mut m = HashMap::new();
        for line in opps_log.lines() {
            let Ok(o) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if let Some(id) = o["opp"].as_u64() {
                m.insert(id, self.send_of(&o));
            }
        }
        m
    }
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
    /// Legs triggered by a frame of a venue without update ids (Upbit) whose send could not be
    /// found ([`TriggerSends`]).
    pub untimed: u64,
    /// For every order the mock received (joined or not): how long after the kernel stamped its
    /// first byte the mock's thread read it (0 where the transport has no kernel stamp). The
    /// mock's own lateness, apart from the engine's.
    pub mock_read_lag: hdrhistogram::Histogram<u64>,
}

/// `wire_to_wire` of every leg the mock received (all venues, and per venue the leg went to),
/// how many could not be joined, and how many were triggered by a frame of a venue without update
/// ids whose send [`TriggerSends`] could not find. An order's end is
/// when its first byte reached the mock: on the REST side the kernel's receive stamp of the
/// segment that carried it (`SO_TIMESTAMPNS`, taken as the engine's `write` delivers it, however
/// late the mock's thread reads it); on the WebSocket APIs when the frame that carried it was
/// read.
pub fn wire_to_wire(
    ex: &MockExchange,
    venues: &[&str],
    sends: &TriggerSends<'_>,
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
    let (trig, legs) = (sends.all(opps_log), legs(trades_log));
    for v in venues {
        let hv = j.by_venue.entry((*v).to_string()).or_insert_with(histogram);
        for (client, arrival) in ex.rest_order_arrivals(v).unwrap_or_default() {
            let at = arrival.kernel_ns;
            j.mock_read_lag
                .saturating_record(arrival.read_ns.saturating_sub(at));
            let trigger = legs.get(&client).and_then(|opp| trig.get(opp));
            let sent = match trigger {
                Some(TriggerSend::Untimed) => {
                    j.untimed += 1;
                    continue;
                }
                Some(TriggerSend::Sent(s)) => Some(*s),
                _ => None,
            };
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Binance frame 7 sent at 1,000; Upbit's instrument 0 sent at 10,000 and 5,000,000.
    struct Fake;

    impl SendTimes for Fake {
        fn by_id(&self, venue: &str, seq: u64) -> Option<u64> {
            (venue == "binance" && seq == 7).then_some(1_000)
        }

        fn by_instrument(&self, venue: &str, i: usize, at_ns: u64, window_ns: u64) -> Option<u64> {
            if venue != "upbit" || i != 0 {
                return None;
            }
            let last = [5_000_000u64, 10_000].into_iter().find(|&t| t <= at_ns)?;
            (at_ns - last <= window_ns).then_some(last)
        }
    }

    #[test]
    fn an_untimed_venue_is_found_by_instrument_and_receipt_within_the_window() {
        let names = ["BTC/USDT".to_string()];
        let sends = TriggerSends::new(&Fake, &["upbit"], &names, None);
        let line = |recv: u64| {
            serde_json::json!({"opp": 1, "trigger_venue": "upbit", "trigger_seq": 0,
                "instrument": "BTC/USDT", "recv_unix": recv})
        };
        assert_eq!(sends.send_of(&line(30_000)), TriggerSend::Sent(10_000));
        assert_eq!(
            sends.send_of(&line(5_000_100)),
            TriggerSend::Sent(5_000_000)
        );
        assert_eq!(
            sends.send_of(&line(9_999)),
            TriggerSend::Untimed,
            "nothing sent before"
        );
        assert_eq!(
            sends.send_of(&line(10_000 + UNTIMED_WINDOW_NS + 1)),
            TriggerSend::Untimed,
            "a send further back than the window is another frame"
        );
        // microarb's lines carry `recv_ts` on a clock whose zero its report gives.
        let sends = TriggerSends::new(&Fake, &["upbit"], &names, Some(4_000_000));
        let mono = serde_json::json!({"opp": 2, "trigger_venue": "upbit", "trigger_seq": 0,
            "instrument": "BTC/USDT", "recv_ts": 1_000_200});
        assert_eq!(sends.send_of(&mono), TriggerSend::Sent(5_000_000));
        let unknown = serde_json::json!({"opp": 3, "trigger_venue": "upbit", "trigger_seq": 0,
            "instrument": "ETH/USDT", "recv_ts": 1_000_200});
        assert_eq!(sends.send_of(&unknown), TriggerSend::Untimed);
        let no_time = serde_json::json!({"opp": 4, "trigger_venue": "upbit", "trigger_seq": 0,
            "instrument": "BTC/USDT"});
        let no_anchor = TriggerSends::new(&Fake, &["upbit"], &names, None);
        assert_eq!(no_anchor.send_of(&no_time), TriggerSend::Untimed);
    }

    #[test]
    fn a_venue_with_update_ids_is_found_by_id() {
        let sends = TriggerSends::new(&Fake, &["upbit"], &[], None);
        let hit = serde_json::json!({"opp": 1, "trigger_venue": "binance", "trigger_seq": 7});
        let gone = serde_json::json!({"opp": 2, "trigger_venue": "binance", "trigger_seq": 8});
        let nothing = serde_json::json!({"opp": 3});
        assert_eq!(sends.send_of(&hit), TriggerSend::Sent(1_000));
        assert_eq!(sends.send_of(&gone), TriggerSend::Unknown);
        assert_eq!(sends.send_of(&nothing), TriggerSend::Unknown);
        let all = sends.all(&format!("{hit}\n{gone}\nnot json\n"));
        assert_eq!(all.len(), 2);
        assert_eq!(all[&1], TriggerSend::Sent(1_000));
    }
}
