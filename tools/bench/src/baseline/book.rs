//! The shared book, seed-style: `HashMap<instrument, HashMap<venue, BookQuote>>` with owned
//! `String` keys and `f64` prices, kept behind one `Arc<RwLock<Book>>` that every venue task
//! writes on each quote.
//!
//! It also keeps the per-instrument volatility that picks the cache TTL band: an EWMA of squared
//! mid log returns per venue (half-life 100 updates), reported in percent per update, the same
//! statistic and units microarb's `strategy::volatility` uses, so both engines choose the same
//! TTL for the same market.

use std::collections::HashMap;

/// Latest top of book of one (instrument, venue).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BookQuote {
    /// Best bid.
    pub bid: f64,
    /// Best bid size.
    pub bid_qty: f64,
    /// Best ask.
    pub ask: f64,
    /// Best ask size.
    pub ask_qty: f64,
    /// Local monotonic receive time, ns.
    pub recv_ns: u64,
    /// Venue sequence number.
    pub sequence: u64,
}

/// EWMA volatility of one instrument.
#[derive(Debug, Clone, Default)]
struct Vol {
    last_log_mid: HashMap<String, f64>,
    variance: f64,
}

/// Latest quotes and volatility per instrument.
#[derive(Debug, Default)]
pub struct Book {
    quotes: HashMap<String, HashMap<String, BookQuote>>,
    vol: HashMap<String, Vol>,
}

/// Weight of the newest return: `1 - 2^(-1/100)` (half-life of 100 updates).
fn alpha() -> f64 {
    1.0 - 0.5f64.powf(1.0 / 100.0)
}

impl Book {
    /// An empty book.
    pub fn new() -> Book {
        Book::default()
    }

    /// Store `q` as the latest of (`instrument`, `venue`) and fold its mid into the volatility.
    /// Returns false (and stores nothing) if its sequence is older than the one stored.
    pub fn update(&mut self, instrument: &str, venue: &str, q: BookQuote) -> bool {
        let venues = self.quotes.entry(instrument.to_string()).or_default();
        if let Some(prev) = venues.get(venue) {
            if q.sequence != 0 && q.sequence < prev.sequence {
                return false;
            }
        }
        venues.insert(venue.to_string(), q);
        if q.bid > 0.0 && q.ask > 0.0 {
            let log_mid = ((q.bid + q.ask) / 2.0).ln();
            let vol = self.vol.entry(instrument.to_string()).or_default();
            if let Some(last) = vol.last_log_mid.insert(venue.to_string(), log_mid) {
                let r = log_mid - last;
                let a = alpha();
                vol.variance = (1.0 - a) * vol.variance + a * r * r;
            }
        }
        true
    }

    /// The quotes of `instrument` by venue name.
    pub fn venues(&self, instrument: &str) -> Option<&HashMap<String, BookQuote>> {
        self.quotes.get(instrument)
    }

    /// Volatility of `instrument` in percent per update (0 until two mids from one venue).
    pub fn volatility(&self, instrument: &str) -> f64 {
        self.vol
            .get(instrument)
            .map(|v| v.variance.sqrt() * 100.0)
            .unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(bid: f64, ask: f64, sequence: u64) -> BookQuote {
        BookQuote {
            bid,
            bid_qty: 1.0,
            ask,
            ask_qty: 1.0,
            recv_ns: 0,
            sequence,
        }
    }

    #[test]
    fn stores_latest_and_drops_older_sequences() {
        let mut b = Book::new();
        assert!(b.update("X", "a", q(1.0, 2.0, 5)));
        assert!(!b.update("X", "a", q(9.0, 9.5, 4)));
        assert_eq!(b.venues("X").unwrap()["a"].bid, 1.0);
        assert!(b.update("X", "a", q(1.5, 2.0, 6)));
        assert_eq!(b.venues("X").unwrap()["a"].bid, 1.5);
        assert!(b.venues("Y").is_none());
    }

    #[test]
    fn volatility_is_per_venue_returns_in_percent() {
        let mut b = Book::new();
        b.update("X", "a", q(100.0, 100.0, 0));
        // A different venue's price level is not a return.
        b.update("X", "b", q(200.0, 200.0, 0));
        assert_eq!(b.volatility("X"), 0.0);
        // A 1% move on venue a.
        b.update("X", "a", q(101.0, 101.0, 0));
        let r = (101.0f64 / 100.0).ln();
        let expect = (alpha() * r * r).sqrt() * 100.0;
        assert!((b.volatility("X") - expect).abs() < 1e-12);
    }
}
