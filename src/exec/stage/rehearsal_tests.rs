//! The rehearsal changes nothing: the same opportunities through two stages on the paper venue
//! (real codecs for all four venues, Upbit's JWT nonces included), on a fake clock, one stage
//! never rehearsing and one rehearsing at every poll and three more times between every step,
//! must send byte-identical requests and end with every counter and gauge equal. The rehearsing
//! stage also makes a warm write at every poll (`warm_writes.rs`), whose own counters are the only
//! ones allowed to differ.

use super::*;
use crate::config::{Config, Machine, DEMO_TOML};
use crate::model::{Bps, InstrumentId, OppId, Price, Qty, VenueId};
use crate::runtime::{ring, RingTx};

const MS: u64 = 1_000_000;
const ONE: i64 = 100_000_000;

/// The paper venue, recording the bytes of every request it is handed.
struct Recording {
    inner: PaperGateway,
    sent: Vec<Vec<u8>>,
    /// Venue and side of every rehearsed leg.
    rehearsed: Vec<(VenueId, crate::model::Side)>,
}

impl Gateway for Recording {
    fn name(&self) -> &'static str {
        "recording"
    }
    fn writes_to_wire(&self) -> bool {
        // As a network gateway: the stage opens its warm-write connection when asked to.
        true
    }
    fn on_market(&mut self, opp: &Opportunity, now_ns: u64) {
        self.inner.on_market(opp, now_ns)
    }
    fn stage(&mut self, order: &Order, now_ns: u64) -> Result<(), SubmitError> {
        self.inner.stage(order, now_ns)
    }
    fn stage_query(&mut self, o: OrderId, v: VenueId, now_ns: u64) -> Result<(), SubmitError> {
        self.inner.stage_query(o, v, now_ns)
    }
    fn discard(&mut self) {
        self.inner.discard()
    }
    fn rehearse(&mut self, order: &Order, now_ns: u64) {
        self.rehearsed.push((order.venue, order.side));
        self.inner.rehearse(order, now_ns)
    }
    fn send(&mut self, now_ns: u64) -> usize {
        let mut i = 0;
        while let Some(b) = self.inner.staged_request(i) {
            self.sent.push(b.to_vec());
            i += 1;
        }
        self.inner.send(now_ns)
    }
    fn poll(&mut self, now_ns: u64, out: &mut [GatewayEvent]) -> usize {
        self.inner.poll(now_ns, out)
    }
}

struct Rig {
    stage: ExecStage<Recording>,
    tx: RingTx<Opportunity>,
    reg: Registry,
}

fn rig(rehearse_every_ns: u64) -> Rig {
    rig_warming(rehearse_every_ns, 0)
}

fn rig_warming(rehearse_every_ns: u64, warm_write_every_ns: u64) -> Rig {
    let cfg = Config::from_toml_str(DEMO_TOML, &Machine::this(false)).expect("demo config");
    let mut p = ExecParams::from_config(&cfg).expect("demo params");
    p.rehearse_every_ns = rehearse_every_ns;
    p.warm_write_every_ns = warm_write_every_ns;
    let gw = Recording {
        inner: PaperGateway::new(p.paper.clone()),
        sent: Vec::new(),
        rehearsed: Vec::new(),
    };
    let mut reg = Registry::new();
    let (tx, rx) = ring::<Opportunity>("opps", 64, &mut reg.counters);
    let stage =
        ExecStage::new(p, rx, gw, Clock::new(), KillSwitch::new(), &mut reg).expect("stage");
    Rig { stage, tx, reg }
}

/// Opportunity `k` at `now`: every ordered pair of the four venues in turn.
fn opp(k: u64, now: u64) -> Opportunity {
    let pairs = [(0, 3), (3, 0), (1, 2), (2, 1), (0, 1), (3, 2)];
    let (b, s) = pairs[(k as usize) % pairs.len()];
    Opportunity {
        id: OppId(k + 1),
        buy_px: Price(100 * ONE),
        sell_px: Price(101 * ONE),
        qty: Qty(ONE / 100),
        gross_bps: Bps(100 * 100),
        net_bps: Bps(80 * 100),
        recv_ts_ns: now,
        detect_ts_ns: now,
        expiry_ts_ns: now + 1_000 * MS,
        instrument: InstrumentId(0),
        confidence: 10_000,
        buy_venue: VenueId(b),
        sell_venue: VenueId(s),
        trigger_venue: VenueId(b),
        trigger_seq: k,
    }
}

/// Every counter and gauge, by name.
fn state(r: &mut Rig, now: u64) -> Vec<(String, i128)> {
    r.stage.flush_telemetry(now);
    let mut v: Vec<(String, i128)> = r
        .reg
        .counters
        .iter()
        .map(|(n, x)| (n.to_string(), i128::from(x)))
        .collect();
    for g in r.reg.gauges.iter() {
        v.push((
            format!("{:?}{:?}", g.family, g.labels),
            i128::from(g.gauge.get()),
        ));
    }
    v
}

#[test]
fn a_rehearsing_stage_sends_the_same_bytes_and_counts_the_same() {
    let (mut plain, mut warm) = (rig(0), rig_warming(1, 1));
    assert!(warm.stage.warm_writes_on() && !plain.stage.warm_writes_on());
    let mut now = 1_000 * MS;
    for k in 0..60u64 {
        for r in [&mut plain, &mut warm] {
            assert!(r.tx.push(opp(k, now), 0).is_ok(), "ring has room");
        }
        // Polls every 100 us until the next opportunity: answers, timers, hedges all happen.
        for _ in 0..30 {
            plain.stage.poll(now);
            warm.stage.poll(now);
            for _ in 0..3 {
                warm.stage.rehearse(now);
            }
            now += 100_000;
        }
    }
    assert!(
        warm.stage.rehearsals() > 60 * 30,
        "the warm stage rehearsed"
    );
    assert_eq!(plain.stage.rehearsals(), 0);
    let (a, b) = (
        &plain.stage.gateway_mut().sent,
        &warm.stage.gateway_mut().sent,
    );
    // Each venue's order request, Upbit's (JWT nonce) included, is among them.
    for path in [
        &b"POST /api/v3/order"[..],
        b"POST /v5/order/create",
        b"POST /api/v5/trade/order",
        b"POST /v1/orders",
    ] {
        assert!(
            a.iter().any(|r| r.starts_with(path)),
            "{} sent",
            String::from_utf8_lossy(path)
        );
    }
    assert_eq!(a.len(), b.len(), "same number of requests");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert_eq!(
            String::from_utf8_lossy(x),
            String::from_utf8_lossy(y),
            "request {i} differs"
        );
    }
    let (mut sa, mut sb) = (state(&mut plain, now), state(&mut warm, now));
    let written = |s: &[(String, i128)]| {
        s.iter()
            .find(|(n, _)| n == "exec.warm_writes.written")
            .map(|(_, v)| *v)
    };
    assert_eq!(written(&sa), Some(0));
    assert!(
        written(&sb) > Some(60 * 30 / 2),
        "the warm stage wrote at its polls"
    );
    for s in [&mut sa, &mut sb] {
        s.retain(|(n, _)| !n.starts_with("exec.warm_writes."));
    }
    assert_eq!(sa, sb);
}

#[test]
fn a_rehearsal_signs_both_legs_and_needs_an_opportunity_first() {
    let mut r = rig(1);
    assert!(!r.stage.rehearse(1_000 * MS), "nothing to rehearse yet");
    assert!(r.tx.push(opp(0, 1_000 * MS), 0).is_ok());
    r.stage.poll(1_000 * MS);
    assert!(
        r.stage.rehearse(1_000 * MS + 1),
        "the last opportunity is rehearsed"
    );
}

#[test]
fn rehearsals_turn_over_every_ordered_pair_of_venues() {
    use crate::model::Side;
    let mut r = rig(1);
    assert!(r.tx.push(opp(0, 1_000 * MS), 0).is_ok());
    r.stage.poll(1_000 * MS);
    // The demo's four venues: 12 ordered pairs, each rehearsed once in 12 rehearsals.
    for i in 0..12 {
        assert!(
            r.stage.rehearse(1_000 * MS + i),
            "rehearsal {i} signed both legs"
        );
    }
    let legs = &r.stage.gateway_mut().rehearsed;
    assert_eq!(legs.len(), 24);
    let mut pairs: Vec<(u8, u8)> = legs
        .chunks(2)
        .map(|l| {
            assert_eq!((l[0].1, l[1].1), (Side::Buy, Side::Sell));
            (l[0].0 .0, l[1].0 .0)
        })
        .collect();
    pairs.sort_unstable();
    let mut all: Vec<(u8, u8)> = (0..4u8)
        .flat_map(|b| (0..4u8).filter(move |&s| s != b).map(move |s| (b, s)))
        .collect();
    all.sort_unstable();
    assert_eq!(pairs, all, "every ordered pair, none twice");
}
