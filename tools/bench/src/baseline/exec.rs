//! Seed 000's `TradeExecutionManager`: an `Arc<tokio::sync::Semaphore>` of `max_inflight` (3)
//! permits acquired under `tokio::time::timeout`, then both legs built as IOC limit orders and
//! either filled on paper at once (microarb's paper gateway with a zero latency model) or, with a
//! [`Wire`] (`execution.gateway = "rest"`), signed and sent to the venues concurrently
//! (`tokio::join!`), the permit held until both answered; then `Arc<RwLock<Stats>>` updated.
//!
//! Contract of [`Executor::execute`]: every opportunity it is given ends in exactly one of
//! executed, `rejected:no_slot` (no permit within the timeout) or expired (past its expiry once a
//! permit was had), counted in the stats. `tick_to_order` is recorded when both legs' order bytes
//! are ready (signed, on the network path: as microarb records it), measured from the triggering
//! quote's receive time. The network path cannot see when its bytes were written (the HTTP client
//! does that inside `send`), so the baseline has no `tick_to_wire`; the mock's arrival stamps
//! give its `wire_to_wire`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{RwLock, Semaphore};
use tokio::time::timeout;

use crate::detect::Opportunity;
use crate::spec::{InstrumentSpec, Spec};
use crate::stats::{OrderLogEntry, Stats};
use crate::wire::{Answer, Leg, Wire};

/// How an execution ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecOutcome {
    /// Both legs filled on paper.
    Executed,
    /// No permit within the timeout.
    NoSlot,
    /// Expired before it could be sent.
    Expired,
}

/// Paper execution behind a semaphore.
pub struct Executor {
    semaphore: Arc<Semaphore>,
    acquire_timeout: Duration,
    opportunity_ttl_ns: u64,
    /// `(instrument, venue)` -> venue symbol.
    venue_symbol: HashMap<(String, String), String>,
    instruments: HashMap<String, InstrumentSpec>,
    stats: Arc<RwLock<Stats>>,
    start: Instant,
    next_order_id: AtomicU64,
    next_opp_id: AtomicU64,
    wire: Option<Wire>,
}

impl Executor {
    /// From the spec; `start` is the monotonic clock's zero shared with the feeds; `wire` sends
    /// the legs over the network (else paper).
    pub fn new(
        spec: &Spec,
        stats: Arc<RwLock<Stats>>,
        start: Instant,
        wire: Option<Wire>,
    ) -> Executor {
        Executor {
            semaphore: Arc::new(Semaphore::new(spec.max_inflight)),
            acquire_timeout: Duration::from_nanos(spec.acquire_timeout_ns),
            opportunity_ttl_ns: spec.opportunity_ttl_ns,
            venue_symbol: spec.venue_symbol.clone(),
            instruments: spec
                .instruments
                .iter()
                .map(|i| (i.name.clone(), i.clone()))
                .collect(),
            stats,
            start,
            next_order_id: AtomicU64::new(1),
            next_opp_id: AtomicU64::new(1),
            wire,
        }
    }

    fn now_ns(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    /// The venue symbol and (price, qty) decimals of `opp`'s leg on `venue`.
    fn leg_spec(&self, opp: &Opportunity, venue: &str) -> (&str, usize, usize) {
        let symbol = self
            .venue_symbol
            .get(&(opp.instrument.clone(), venue.to_string()))
            .map(String::as_str)
            .unwrap_or("?");
        let (ps, qs) = self.instruments.get(&opp.instrument).map_or((8, 8), |i| {
            (usize::from(i.price_scale), usize::from(i.qty_scale))
        });
        (symbol, ps, qs)
    }

    /// One leg in Binance's query form, as microarb's paper execution writes it.
    fn leg(&self, opp: &Opportunity, buy: bool) -> String {
        let (venue, px, side) = if buy {
            (&opp.buy_venue, opp.buy_px, "BUY")
        } else {
            (&opp.sell_venue, opp.sell_px, "SELL")
        };
        let (symbol, ps, qs) = self.leg_spec(opp, venue);
        let id = self.next_order_id.fetch_add(1, Ordering::Relaxed);
        format!(
            "symbol={symbol}&side={side}&type=LIMIT&timeInForce=IOC&quantity={:.qs$}&price={:.ps$}&newClientOrderId={id}\n",
            opp.qty, px
        )
    }

    /// Acquire a permit (bounded wait), send both legs on paper, count the outcome.
    pub async fn execute(&self, opp: Opportunity) -> ExecOutcome {
        let permit = match timeout(self.acquire_timeout, self.semaphore.acquire()).await {
            Ok(Ok(p)) => p,
            Ok(Err(_)) | Err(_) => {
                self.stats.write().await.no_slot += 1;
                return ExecOutcome::NoSlot;
            }
        };
        if self.now_ns() > opp.detected_ns.saturating_add(self.opportunity_ttl_ns) {
            drop(permit);
            self.stats.write().await.expired += 1;
            return ExecOutcome::Expired;
        }
        if let Some(wire) = &self.wire {
            let outcome = self.execute_on(wire, &opp).await;
            drop(permit);
            return outcome;
        }
        let buy = self.leg(&opp, true);
        let sell = self.leg(&opp, false);
        let ready_ns = self.now_ns();
        // Paper venue, zero latency model: both IOC legs fill at their limit prices at once.
        let bytes = (buy.len() + sell.len()) as u64;
        drop(permit);
        let mut stats = self.stats.write().await;
        stats.record("tick_to_order", ready_ns.saturating_sub(opp.recv_ns));
        let unix_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
            .saturating_sub(self.now_ns().saturating_sub(ready_ns));
        let opp_id = self.next_opp_id.fetch_add(1, Ordering::Relaxed);
        stats
            .orders_log
            .push(order_log(&opp, opp_id, unix_ns, ready_ns));
        stats.orders += 2;
        stats.order_bytes += bytes;
        stats.executed += 1;
        ExecOutcome::Executed
    }

    /// Both legs signed, then sent concurrently over `wire`; counted when both answered.
    async fn execute_on(&self, wire: &Wire, opp: &Opportunity) -> ExecOutcome {
        let opp_id = self.next_opp_id.fetch_add(1, Ordering::Relaxed);
        let ids = [
            format!("bl{}", self.next_order_id.fetch_add(1, Ordering::Relaxed)),
            format!("bl{}", self.next_order_id.fetch_add(1, Ordering::Relaxed)),
        ];
        let leg = |buy: bool, id: &str| {
            let (venue, px) = if buy {
                (opp.buy_venue.as_str(), opp.buy_px)
            } else {
                (opp.sell_venue.as_str(), opp.sell_px)
            };
            let (symbol, price_scale, qty_scale) = self.leg_spec(opp, venue);
            wire.request(&Leg {
                venue,
                symbol,
                buy,
                qty: opp.qty,
                px,
                qty_scale,
                price_scale,
                client_id: id,
            })
        };
        let (buy, sell) = (leg(true, &ids[0]), leg(false, &ids[1]));
        let ready_ns = self.now_ns();
        let unix_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        let answers = match (buy, sell) {
            (Some(b), Some(s)) => {
                let (a, b) = tokio::join!(wire.send(b), wire.send(s));
                [a, b]
            }
            // A venue without credentials here: nothing sent, both legs failed.
            _ => [Answer::Failed, Answer::Failed],
        };
        let mut stats = self.stats.write().await;
        stats.record("tick_to_order", ready_ns.saturating_sub(opp.recv_ns));
        stats
            .orders_log
            .push(order_log(opp, opp_id, unix_ns, ready_ns));
        for (id, role) in ids.into_iter().zip(["buy", "sell"]) {
            stats.legs_log.push((id, opp_id, role));
        }
        for a in answers {
            match a {
                Answer::Accepted => stats.answers_accepted += 1,
                Answer::Refused => stats.answers_refused += 1,
                Answer::Failed => stats.answers_failed += 1,
            }
        }
        stats.orders += 2;
        stats.executed += 1;
        ExecOutcome::Executed
    }
}

/// The order log's entry for `opp` (opportunity `opp_id`), its bytes ready at `ready_ns` on the
/// engine's monotonic clock, which is `unix_ns` in unix time.
fn order_log(opp: &Opportunity, opp_id: u64, unix_ns: u64, ready_ns: u64) -> OrderLogEntry {
    OrderLogEntry {
        trigger_venue: opp.trigger_venue.clone(),
        trigger_seq: opp.trigger_seq,
        order_unix_ns: unix_ns,
        recv_unix_ns: unix_ns.saturating_sub(ready_ns.saturating_sub(opp.recv_ns)),
        opp: opp_id,
        instrument: opp.instrument.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use microarb::config::{Config, Machine, DEMO_TOML};

    fn opp(detected_ns: u64) -> Opportunity {
        Opportunity {
            instrument: "BTC/USDT".into(),
            buy_venue: "binance".into(),
            sell_venue: "okx".into(),
            buy_px: 100.5,
            sell_px: 101.25,
            qty: 0.5,
            net_bps: 40.0,
            recv_ns: 0,
            detected_ns,
            trigger_venue: "a".into(),
            trigger_seq: 1,
        }
    }

    fn executor() -> (Executor, Arc<RwLock<Stats>>) {
        let c = Config::from_toml_str(DEMO_TOML, &Machine::this(false)).expect("demo config");
        let spec = Spec::from_config(&c).expect("spec");
        let stats = Arc::new(RwLock::new(Stats::new()));
        (
            Executor::new(&spec, stats.clone(), Instant::now(), None),
            stats,
        )
    }

    #[test]
    fn order_bytes_are_binance_query_form() {
        let (e, _) = executor();
        let leg = e.leg(&opp(0), false);
        assert_eq!(
            leg,
            "symbol=BTC-USDT&side=SELL&type=LIMIT&timeInForce=IOC&quantity=0.50000000&price=101.25000000&newClientOrderId=1\n"
        );
    }

    #[tokio::test]
    async fn executes_counts_and_times() {
        let (e, stats) = executor();
        let now = e.now_ns();
        assert_eq!(e.execute(opp(now)).await, ExecOutcome::Executed);
        let s = stats.read().await;
        assert_eq!((s.executed, s.orders), (1, 2));
        assert_eq!(s.latency["tick_to_order"].total.len(), 1);
    }

    #[tokio::test]
    async fn expired_and_no_slot() {
        let (e, stats) = executor();
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(e.execute(opp(0)).await, ExecOutcome::Expired);
        // Hold every permit: the next one times out (max_wait_ms = 50).
        let _held = e.semaphore.acquire_many(3).await.expect("open semaphore");
        let now = e.now_ns();
        assert_eq!(e.execute(opp(now)).await, ExecOutcome::NoSlot);
        let s = stats.read().await;
        assert_eq!((s.expired, s.no_slot, s.executed), (1, 1, 0));
    }
}
