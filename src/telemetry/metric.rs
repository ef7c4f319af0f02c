//! The latency metrics (docs/architecture.md, "Measurement points"): one histogram tag each in the interval log.

/// A latency metric, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Metric {
    /// Frame read to quote pushed.
    Parse = 0,
    /// Ring push to pop.
    Hop = 1,
    /// Detector time per quote.
    Detect = 2,
    /// Quote receive to opportunity emitted.
    TickToDecision = 3,
    /// Quote receive to order bytes written.
    TickToOrder = 4,
    /// Order sent to answer received.
    OrderRtt = 5,
    /// Time an opportunity waited for a rate-limit token.
    RatelimitWait = 6,
    /// Exchange timestamp to local receive (clocks agree or lag is positive).
    FeedLag = 7,
    /// Magnitude of negative feed lags (the local clock behind the venue's): never clamped to 0.
    FeedLagNeg = 8,
    /// Quote receive to both legs' `write` returned (network gateways only: the paper venue writes
    /// nothing).
    TickToWire = 9,
}

impl Metric {
    /// Every metric, in tag order.
    pub const ALL: [Metric; 10] = [
        Metric::Parse,
        Metric::Hop,
        Metric::Detect,
        Metric::TickToDecision,
        Metric::TickToOrder,
        Metric::OrderRtt,
        Metric::RatelimitWait,
        Metric::FeedLag,
        Metric::FeedLagNeg,
        Metric::TickToWire,
    ];

    /// Number of metrics.
    pub const COUNT: usize = Metric::ALL.len();

    /// The tag in the interval log and the key in reports.
    pub const fn tag(self) -> &'static str {
        match self {
            Metric::Parse => "parse",
            Metric::Hop => "hop",
            Metric::Detect => "detect",
            Metric::TickToDecision => "tick_to_decision",
            Metric::TickToOrder => "tick_to_order",
            Metric::OrderRtt => "order_rtt",
            Metric::RatelimitWait => "ratelimit_wait",
            Metric::FeedLag => "feed_lag",
            Metric::FeedLagNeg => "feed_lag_neg",
            Metric::TickToWire => "tick_to_wire",
        }
    }

    /// Dense index.
    #[inline]
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// Highest value a histogram tracks: 60 s. Larger values are recorded as 60 s and counted as
/// clamped, so nothing is lost silently.
pub const HIGHEST_NS: u64 = 60_000_000_000;

/// Significant figures kept (3: a resolution of 0.1 %).
pub const SIGFIG: u8 = 3;

/// A histogram with the engine's fixed bounds. Allocates: cold path only.
pub fn new_histogram() -> hdrhistogram::Histogram<u64> {
    hdrhistogram::Histogram::new_with_bounds(1, HIGHEST_NS, SIGFIG)
        .expect("1..60e9 at 3 significant figures are valid bounds")
}
