//! Placeholder execution for the engine-core milestone: takes each opportunity, refuses it if its
//! deadline passed, otherwise writes both legs' order bytes (IOC limit orders in Binance's query
//! form) into a fixed buffer and counts it executed, as a paper venue that fills everything would.
//! It records `tick_to_order` at the moment the bytes are complete. Issue 5's execution stage
//! (slots, rate limits, breakers, risk, the paper gateway with its latency model) replaces it.

use crate::model::{format_decimal, Opportunity, Outcome};
use crate::runtime::{Clock, RingRx, Stage, Work};
use crate::telemetry::{Counter, Metric, OutcomeCounters, Recorder, Registry};

/// Most opportunities taken per poll.
const BATCH: u32 = 256;

/// Paper execution that fills everything it is given in time.
pub struct PaperExecStage {
    rx: RingRx<Opportunity>,
    clock: Clock,
    rec: Recorder,
    outcomes: OutcomeCounters,
    orders: Counter,
    order_bytes: Counter,
    /// Symbol bytes per `instrument * n_venues + venue`.
    symbols: Vec<Vec<u8>>,
    n_venues: usize,
    scales: Vec<(u8, u8)>,
    buf: [u8; 512],
    next_order_id: u64,
}

impl PaperExecStage {
    /// `symbols[instrument][venue]` is the venue's symbol; `scales[instrument]` its price and qty
    /// scales.
    pub fn new(
        rx: RingRx<Opportunity>,
        clock: Clock,
        symbols: Vec<Vec<String>>,
        scales: Vec<(u8, u8)>,
        reg: &mut Registry,
    ) -> PaperExecStage {
        let n_venues = symbols.first().map(|v| v.len()).unwrap_or(0);
        PaperExecStage {
            rx,
            clock,
            rec: reg.recorder("exec", &[Metric::Hop, Metric::TickToOrder]),
            outcomes: OutcomeCounters::register(reg, "exec"),
            orders: reg.counter("exec.orders"),
            order_bytes: reg.counter("exec.order_bytes"),
            symbols: symbols
                .into_iter()
                .flat_map(|row| row.into_iter().map(String::into_bytes))
                .collect(),
            n_venues,
            scales,
            buf: [0; 512],
            next_order_id: 1,
        }
    }

    /// Write one leg as `symbol=..&side=..&type=LIMIT&timeInForce=IOC&quantity=..&price=..
    /// &newClientOrderId=..` at `at`; returns the new end.
    fn leg(&mut self, at: usize, opp: &Opportunity, buy: bool) -> usize {
        let (venue, px) = if buy {
            (opp.buy_venue, opp.buy_px)
        } else {
            (opp.sell_venue, opp.sell_px)
        };
        let (ps, qs) = self.scales[opp.instrument.index()];
        let sym_idx = opp.instrument.index() * self.n_venues + venue.index();
        let mut w = Writer {
            buf: &mut self.buf,
            at,
        };
        w.put(b"symbol=");
        w.put(&self.symbols[sym_idx]);
        w.put(if buy { b"&side=BUY" } else { b"&side=SELL" });
        w.put(b"&type=LIMIT&timeInForce=IOC&quantity=");
        w.decimal(opp.qty.0, qs);
        w.put(b"&price=");
        w.decimal(px.0, ps);
        w.put(b"&newClientOrderId=");
        w.decimal(self.next_order_id as i64, 0);
        w.put(b"\n");
        self.next_order_id += 1;
        w.at
    }
}

/// Appends into a fixed buffer, truncating rather than panicking if it were ever too small.
struct Writer<'a> {
    buf: &'a mut [u8; 512],
    at: usize,
}

impl Writer<'_> {
    #[inline]
    fn put(&mut self, b: &[u8]) {
        let end = (self.at + b.len()).min(self.buf.len());
        let n = end - self.at;
        self.buf[self.at..end].copy_from_slice(&b[..n]);
        self.at = end;
    }

    #[inline]
    fn decimal(&mut self, m: i64, scale: u8) {
        let mut tmp = [0u8; 48];
        let text = format_decimal(m, scale, &mut tmp);
        let (at, buf) = (self.at, &mut *self.buf);
        let end = (at + text.len()).min(buf.len());
        buf[at..end].copy_from_slice(&text[..end - at]);
        self.at = end;
    }
}

impl Stage for PaperExecStage {
    fn name(&self) -> &'static str {
        "exec(paper)"
    }

    fn poll(&mut self, now_ns: u64) -> Work {
        let mut n = 0;
        while n < BATCH {
            let Some(m) = self.rx.pop() else { break };
            n += 1;
            let popped_ns = self.clock.now_ns();
            self.rec
                .record(Metric::Hop, popped_ns.saturating_sub(m.push_ts_ns));
            let opp = m.msg;
            if now_ns > opp.expiry_ts_ns {
                self.outcomes.count(Outcome::Expired);
                continue;
            }
            let end = self.leg(0, &opp, true);
            let end = self.leg(end, &opp, false);
            let sent = self.clock.now_ns();
            self.rec
                .record(Metric::TickToOrder, sent.saturating_sub(opp.recv_ts_ns));
            self.orders.add(2);
            self.order_bytes.add(end as u64);
            self.outcomes.count(Outcome::Executed);
        }
        Work(n)
    }

    fn flush_telemetry(&mut self, now_ns: u64) {
        self.rec.flush(now_ns);
    }

    fn is_finished(&self, stopping: bool) -> bool {
        stopping && self.rx.is_drained()
    }
}
