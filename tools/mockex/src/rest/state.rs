//! The REST side's state, shared by its accept and connection threads (`rest`)
//! and the request handler (`rest_handler`): credentials, each venue's
//! limiter, orders and fault requests, and one parsed request. Its own file so that the server
//! loop and the handler both depend on it and never on each other.

use std::collections::VecDeque;
use std::sync::Mutex;

use super::faults::RestFaultState;
use super::limits::{Limiter, RestLimits};
use super::orders::OrderBook;
use crate::config::ApiCredentials;
use crate::venue_kind::VenueKind;

/// Order placements whose arrival time [`RestVenue::received`] remembers (the latest ones).
pub(crate) const RECEIVED_LOG: usize = 100_000;

/// One REST venue's state, shared by its connection threads.
pub(crate) struct RestVenue {
    /// Fault requests.
    pub faults: RestFaultState,
    /// Rate limits.
    pub limiter: Mutex<Limiter>,
    /// Orders taken.
    pub book: Mutex<OrderBook>,
    /// When each order placement request arrived (unix ns, the latest [`RECEIVED_LOG`], oldest
    /// first), whatever its answer: what a test checks "nothing reached the venue then" against.
    pub received: Mutex<VecDeque<u64>>,
}

impl RestVenue {
    /// Remember that an order placement arrived at `unix_ns`.
    pub fn note_received(&self, unix_ns: u64) {
        let mut r = lock(&self.received);
        if r.len() == RECEIVED_LOG {
            r.pop_front();
        }
        r.push_back(unix_ns);
    }
}

/// The REST side: credentials and per-venue state (None for venues without REST).
pub(crate) struct RestSide {
    creds: ApiCredentials,
    /// Indexed like the config's venues.
    pub venues: Vec<Option<RestVenue>>,
}

impl RestSide {
    /// State for every Binance or Upbit venue of `kinds`.
    pub fn new(creds: ApiCredentials, kinds: &[VenueKind], limits: RestLimits) -> RestSide {
        let venues = kinds
            .iter()
            .map(|&k| {
                has_rest(k).then(|| RestVenue {
                    faults: RestFaultState::default(),
                    limiter: Mutex::new(Limiter::new(k, limits)),
                    book: Mutex::new(OrderBook::default()),
                    received: Mutex::new(VecDeque::new()),
                })
            })
            .collect();
        RestSide { creds, venues }
    }

    /// The credentials requests are verified with.
    pub fn creds(&self) -> &ApiCredentials {
        &self.creds
    }
}

/// Whether the mock serves REST order endpoints for venues of `kind` (Binance and Upbit), so a
/// caller can pick the venues it may trade over REST before starting the mock.
pub const fn has_rest(kind: VenueKind) -> bool {
    matches!(kind, VenueKind::Binance | VenueKind::Upbit)
}

/// Lock `m`, taking the data of a poisoned lock as it is (a panicked connection thread leaves
/// nothing half-written that the others could not use).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// One parsed request (owned: the buffer is drained after it).
pub(crate) struct Request {
    /// `GET`, `POST`...
    pub method: String,
    /// The target's path.
    pub path: String,
    /// The target's query string (after `?`).
    pub query: Vec<u8>,
    /// `X-MBX-APIKEY`.
    pub api_key: Option<Vec<u8>>,
    /// `Authorization`.
    pub authorization: Option<Vec<u8>>,
    /// The body (Content-Length bytes).
    pub body: Vec<u8>,
}
