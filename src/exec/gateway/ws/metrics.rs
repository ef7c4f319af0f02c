//! A venue's WebSocket counters on `/metrics`: every [`WsCounters`](super::WsCounters) and
//! [`PushCounters`](super::PushCounters) field of its order and stream sessions, its REST
//! fallbacks, the pushes its event ring dropped and, where the venue stamps its answers (OKX),
//! its own gateway latency ([`VenueLatency`]), as `gateway.ws.<venue>.<socket>.<name>`
//! counters registered once (cold path) and copied from the sessions at each telemetry flush
//! (one relaxed store each: no allocation, no lock).

use crate::base::Counter;
use crate::telemetry::Registry;

use super::gateway::WsGateway;
use super::session::WsSession;
use super::venue_latency::{VenueLatency, BUCKETS};

/// One session's registered counters.
#[derive(Debug)]
struct SessionCounters {
    session: Vec<Counter>,
    push: Vec<Counter>,
    /// The venue's own latency totals then its histogram, where the dialect measures one.
    latency: Vec<Counter>,
}

impl SessionCounters {
    fn register(reg: &mut Registry, prefix: &str, s: &WsSession) -> Self {
        let mut c = |n: &str| reg.counter(&format!("{prefix}.{n}"));
        SessionCounters {
            session: s.counters().fields().iter().map(|(n, _)| c(n)).collect(),
            push: s
                .dialect()
                .push_counters()
                .fields()
                .iter()
                .map(|(n, _)| c(n))
                .collect(),
            latency: match s.dialect().venue_latency() {
                Some(l) => {
                    let names = l.fields().map(|(n, _)| n.to_owned());
                    let buckets = (0..BUCKETS).map(VenueLatency::bucket_name);
                    names.into_iter().chain(buckets).map(|n| c(&n)).collect()
                }
                None => Vec::new(),
            },
        }
    }

    fn flush(&self, s: &WsSession) {
        for (c, (_, v)) in self.session.iter().zip(s.counters().fields()) {
            c.set(v);
        }
        for (c, (_, v)) in self.push.iter().zip(s.dialect().push_counters().fields()) {
            c.set(v);
        }
        if let Some(l) = s.dialect().venue_latency() {
            let values = l.fields().map(|(_, v)| v).into_iter().chain(l.buckets);
            for (c, v) in self.latency.iter().zip(values) {
                c.set(v);
            }
        }
    }
}

/// One venue's registered WebSocket counters.
#[derive(Debug)]
pub struct WsMetrics {
    orders: Option<SessionCounters>,
    stream: Option<SessionCounters>,
    fallbacks: Counter,
    pushes_dropped: Counter,
}

impl WsMetrics {
    /// Register `gw`'s counters under `gateway.ws.<venue>` (cold path).
    pub fn register(reg: &mut Registry, venue: &str, gw: &WsGateway) -> WsMetrics {
        let p = format!("gateway.ws.{venue}");
        WsMetrics {
            orders: gw
                .session()
                .map(|s| SessionCounters::register(reg, &format!("{p}.orders"), s)),
            stream: gw
                .stream()
                .map(|s| SessionCounters::register(reg, &format!("{p}.stream"), s)),
            fallbacks: reg.counter(&format!("{p}.rest_fallbacks")),
            pushes_dropped: reg.counter(&format!("{p}.pushes_dropped")),
        }
    }

    /// Copy `gw`'s tallies (and the router's `fallbacks` for the venue) into the counters.
    pub fn flush(&self, gw: &WsGateway, fallbacks: u64) {
        if let (Some(c), Some(s)) = (&self.orders, gw.session()) {
            c.flush(s);
        }
        if let (Some(c), Some(s)) = (&self.stream, gw.stream()) {
            c.flush(s);
        }
        self.fallbacks.set(fallbacks);
        self.pushes_dropped.set(gw.pushes_dropped());
    }
}
