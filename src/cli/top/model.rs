//! What `top` shows, computed from the last two scrapes: rates from counter differences over the
//! time between them, percentiles from the cumulative histogram buckets (since start, and of the
//! last interval from the buckets' differences), and the state gauges as the engine last
//! published them. Pure: times are passed in (seconds on any monotonic clock), so tests build
//! views from fixed scrape texts.

use super::parse::Scrape;

/// A percentile read from buckets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantile {
    /// Seconds: interpolated inside its bucket, or the highest finite bound when `beyond`.
    pub seconds: f64,
    /// The rank fell in the `+Inf` bucket: the value is above `seconds`.
    pub beyond: bool,
}

/// Cumulative buckets `(le, count)` in ascending `le`, the last one `+Inf`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Buckets(pub Vec<(f64, f64)>);

impl Buckets {
    /// The `{family}_bucket` series of a scrape whose labels include `labels`.
    pub fn of(s: &Scrape, family: &str, labels: &[(&str, &str)]) -> Buckets {
        let mut v: Vec<(f64, f64)> = s
            .all(&format!("{family}_bucket"))
            .iter()
            .filter(|x| labels.iter().all(|(k, val)| x.label(k) == Some(val)))
            .filter_map(|x| {
                let le = match x.label("le")? {
                    "+Inf" => f64::INFINITY,
                    t => t.parse().ok()?,
                };
                Some((le, x.value))
            })
            .collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        Buckets(v)
    }

    /// Observations in all (the `+Inf` bucket).
    pub fn count(&self) -> f64 {
        self.0.last().map_or(0.0, |b| b.1)
    }

    /// `self - earlier` bucket by bucket (the observations between two scrapes); `None` when the
    /// bounds differ or a count went down (the engine restarted).
    pub fn since(&self, earlier: &Buckets) -> Option<Buckets> {
        if earlier.0.is_empty() {
            return Some(self.clone());
        }
        if earlier.0.len() != self.0.len() {
            return None;
        }
        let mut out = Vec::with_capacity(self.0.len());
        for (a, b) in self.0.iter().zip(&earlier.0) {
            if a.0 != b.0 || a.1 < b.1 {
                return None;
            }
            out.push((a.0, a.1 - b.1));
        }
        Some(Buckets(out))
    }

    /// The `q` quantile (0..=1), as Prometheus' `histogram_quantile` reads it: the bucket holding
    /// rank `q * count`, linearly interpolated between its bounds (the first bucket from 0).
    /// `None` without observations.
    pub fn quantile(&self, q: f64) -> Option<Quantile> {
        let total = self.count();
        if total.is_nan() || total <= 0.0 {
            return None;
        }
        let rank = q.clamp(0.0, 1.0) * total;
        let i = self.0.iter().position(|b| b.1 >= rank)?;
        let (le, cum) = self.0[i];
        let (lower, below) = if i == 0 { (0.0, 0.0) } else { self.0[i - 1] };
        if le.is_infinite() {
            return Some(Quantile {
                seconds: lower,
                beyond: true,
            });
        }
        let in_bucket = cum - below;
        let frac = if in_bucket > 0.0 {
            (rank - below) / in_bucket
        } else {
            1.0
        };
        Some(Quantile {
            seconds: lower + (le - lower) * frac,
            beyond: false,
        })
    }
}

/// One venue's line.
#[derive(Debug, Clone, PartialEq)]
pub struct VenueRow {
    /// Venue name.
    pub name: String,
    /// Quotes since start.
    pub quotes: Option<f64>,
    /// Quotes per second over the last interval.
    pub quotes_per_s: Option<f64>,
    /// Breaker state (`closed`, `half_open`, `open`).
    pub breaker: Option<String>,
    /// The most used rate-limit group: its share in use and its name.
    pub tokens: Option<(f64, String)>,
    /// The lowest rate ratio over its groups (1 = the configured rate).
    pub rate: Option<f64>,
}

/// Opportunities that ended one way.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeRow {
    /// Outcome label (`executed`, `rejected_rate_limited`, ...).
    pub outcome: String,
    /// Since start.
    pub total: f64,
    /// Per second over the last interval.
    pub per_s: Option<f64>,
}

/// Percentiles of one latency metric over one window.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencyRow {
    /// Metric tag.
    pub metric: String,
    /// `last` (between the two scrapes) or `total` (since start).
    pub window: &'static str,
    /// Observations.
    pub count: f64,
    /// p50, p99, p99.9.
    pub q: [Option<Quantile>; 3],
}

/// A balance and the residual on one venue and asset.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceRow {
    /// Venue.
    pub venue: String,
    /// Asset.
    pub asset: String,
    /// Balance in the risk book.
    pub balance: f64,
    /// Base left unhedged (0 when none).
    pub residual: f64,
}

/// One queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueRow {
    /// Queue name.
    pub queue: String,
    /// Items waiting.
    pub depth: f64,
    /// Capacity, if exported.
    pub capacity: Option<f64>,
    /// Items dropped since start (rings only).
    pub dropped: Option<f64>,
}

/// Everything one frame shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct View {
    /// Seconds since the last good scrape (None: never scraped).
    pub age_s: Option<f64>,
    /// The latest scrape failed: why.
    pub error: Option<String>,
    /// Seconds between the two scrapes the rates come from.
    pub interval_s: Option<f64>,
    /// Kill switch.
    pub kill: Option<bool>,
    /// Resident memory, bytes.
    pub rss: Option<f64>,
    /// Per venue.
    pub venues: Vec<VenueRow>,
    /// Opportunities detected: since start and per second.
    pub detected: Option<(f64, Option<f64>)>,
    /// Per outcome, outcomes never reached left out.
    pub outcomes: Vec<OutcomeRow>,
    /// Latency percentiles.
    pub latency: Vec<LatencyRow>,
    /// Balances and residuals per venue and asset.
    pub balances: Vec<BalanceRow>,
    /// Open notional per quote asset.
    pub open_notional: Vec<(String, f64)>,
    /// Queues.
    pub queues: Vec<QueueRow>,
}

/// Latency metrics shown, in order.
pub const LATENCY_METRICS: [&str; 3] = ["tick_to_order", "tick_to_decision", "order_rtt"];

/// The last two good scrapes and the latest failure.
#[derive(Debug, Default)]
pub struct Model {
    prev: Option<(f64, Scrape)>,
    cur: Option<(f64, Scrape)>,
    error: Option<String>,
}

impl Model {
    /// No scrape yet.
    pub fn new() -> Model {
        Model::default()
    }

    /// A good scrape taken at `t_s`.
    pub fn on_scrape(&mut self, t_s: f64, s: Scrape) {
        self.prev = self.cur.take();
        self.cur = Some((t_s, s));
        self.error = None;
    }

    /// A failed scrape: the view keeps the last good data and says why.
    pub fn on_error(&mut self, why: String) {
        self.error = Some(why);
    }

    /// The frame at `now_s`.
    pub fn view(&self, now_s: f64) -> View {
        let mut v = View {
            error: self.error.clone(),
            ..View::default()
        };
        let Some((t, cur)) = &self.cur else {
            return v;
        };
        v.age_s = Some((now_s - t).max(0.0));
        let prev = self.prev.as_ref().filter(|(tp, _)| tp < t);
        v.interval_s = prev.map(|(tp, _)| t - tp);
        let rate = |name: &str, labels: &[(&str, &str)]| -> Option<f64> {
            let (tp, p) = prev?;
            let (a, b) = (cur.get(name, labels)?, p.get(name, labels)?);
            (a >= b).then(|| (a - b) / (t - tp))
        };
        v.kill = cur.get("microarb_kill_switch", &[]).map(|x| x != 0.0);
        v.rss = cur.get("microarb_resident_memory_bytes", &[]);
        v.venues = venues(cur, &rate);
        v.detected = cur
            .get("microarb_opportunities_detected_total", &[])
            .map(|d| (d, rate("microarb_opportunities_detected_total", &[])));
        for s in cur.all("microarb_opportunities_total") {
            let Some(o) = s.label("outcome") else {
                continue;
            };
            if s.value > 0.0 || o == "executed" {
                v.outcomes.push(OutcomeRow {
                    outcome: o.to_string(),
                    total: s.value,
                    per_s: rate("microarb_opportunities_total", &[("outcome", o)]),
                });
            }
        }
        for m in LATENCY_METRICS {
            let fam = "microarb_latency_seconds";
            let total = Buckets::of(cur, fam, &[("metric", m)]);
            if total.0.is_empty() {
                continue;
            }
            if let Some((_, p)) = prev {
                if let Some(last) = total.since(&Buckets::of(p, fam, &[("metric", m)])) {
                    v.latency.push(latency_row(m, "last", &last));
                }
            }
            v.latency.push(latency_row(m, "total", &total));
        }
        for s in cur.all("microarb_balance") {
            let (Some(venue), Some(asset)) = (s.label("venue"), s.label("asset")) else {
                continue;
            };
            v.balances.push(BalanceRow {
                venue: venue.to_string(),
                asset: asset.to_string(),
                balance: s.value,
                residual: cur
                    .get(
                        "microarb_residual_position",
                        &[("venue", venue), ("asset", asset)],
                    )
                    .unwrap_or(0.0),
            });
        }
        for s in cur.all("microarb_open_notional") {
            if let Some(a) = s.label("asset") {
                v.open_notional.push((a.to_string(), s.value));
            }
        }
        for s in cur.all("microarb_queue_depth") {
            let Some(q) = s.label("queue") else { continue };
            v.queues.push(QueueRow {
                queue: q.to_string(),
                depth: s.value,
                capacity: cur.get("microarb_queue_capacity", &[("queue", q)]),
                dropped: cur.get("microarb_ring_dropped_total", &[("ring", q)]),
            });
        }
        v
    }
}

fn latency_row(metric: &str, window: &'static str, b: &Buckets) -> LatencyRow {
    LatencyRow {
        metric: metric.to_string(),
        window,
        count: b.count(),
        q: [0.5, 0.99, 0.999].map(|q| b.quantile(q)),
    }
}

/// A counter's rate over the last interval, by name and labels.
type RateFn<'a> = dyn Fn(&str, &[(&str, &str)]) -> Option<f64> + 'a;

/// Venues in the order the engine lists them (its breaker gauges follow the config), then any
/// only the quote counters name.
fn venues(cur: &Scrape, rate: &RateFn<'_>) -> Vec<VenueRow> {
    let mut names: Vec<String> = Vec::new();
    for fam in ["microarb_breaker_state", "microarb_quotes_total"] {
        for s in cur.all(fam) {
            if let Some(v) = s.label("venue") {
                if !names.iter().any(|n| n == v) {
                    names.push(v.to_string());
                }
            }
        }
    }
    names
        .into_iter()
        .map(|name| {
            let venue = [("venue", name.as_str())];
            let breaker = cur
                .all("microarb_breaker_state")
                .iter()
                .find(|s| s.label("venue") == Some(&name) && s.value == 1.0)
                .and_then(|s| s.label("state"))
                .map(str::to_string);
            let tokens = cur
                .all("microarb_ratelimit_token_use_ratio")
                .iter()
                .filter(|s| s.label("venue") == Some(&name))
                .max_by(|a, b| a.value.total_cmp(&b.value))
                .map(|s| (s.value, s.label("group").unwrap_or("").to_string()));
            let rate_ratio = cur
                .all("microarb_ratelimit_rate_ratio")
                .iter()
                .filter(|s| s.label("venue") == Some(&name))
                .map(|s| s.value)
                .min_by(f64::total_cmp);
            VenueRow {
                quotes: cur.get("microarb_quotes_total", &venue),
                quotes_per_s: rate("microarb_quotes_total", &venue),
                breaker,
                tokens,
                rate: rate_ratio,
                name,
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
