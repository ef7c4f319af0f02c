//! The REST side's state, shared by its accept and connection threads (`rest`), the request
//! handler (`handler`) and the source thread (resting orders cross on its quotes): credentials,
//! each venue's limiter, orders and fault requests, and one parsed request. Its own file so that
//! the server loop and the handler both depend on it and never on each other.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use super::book::Book;
use super::faults::RestFaultState;
use super::limits::{Limiter, RestLimits};
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
    pub book: Mutex<Book>,
    /// True while some order rests on the book (lets the source skip the lock otherwise).
    pub resting: AtomicBool,
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

    /// Record whether `book` has resting orders.
    pub fn note_resting(&self, book: &Book) {
        self.resting.store(book.has_open(), Ordering::Release);
    }
}

/// The REST side: credentials and per-venue state (None for venues without REST).
pub(crate) struct RestSide {
    creds: ApiCredentials,
    /// Indexed like the config's venues.
    pub venues: Vec<Option<RestVenue>>,
}

impl RestSide {
    /// State for every venue of `kinds` the mock serves REST for.
    pub fn new(creds: ApiCredentials, kinds: &[VenueKind], limits: RestLimits) -> RestSide {
        let venues = kinds
            .iter()
            .map(|&k| {
                has_rest(k).then(|| RestVenue {
                    faults: RestFaultState::default(),
                    limiter: Mutex::new(Limiter::new(k, limits)),
                    book: Mutex::new(Book::default()),
                    resting: AtomicBool::new(false),
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

/// Whether the mock serves REST endpoints for venues of `kind`: every kind (Binance, Upbit, Bybit
/// and OKX), so a caller can still ask before starting the mock.
pub const fn has_rest(kind: VenueKind) -> bool {
    matches!(
        kind,
        VenueKind::Binance | VenueKind::Upbit | VenueKind::Bybit | VenueKind::Okx
    )
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
    /// Every header, names lower-cased, in order.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body (Content-Length bytes).
    pub body: Vec<u8>,
}

impl Request {
    /// The first header called `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The path with `?query` when there is one (what OKX signs).
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, String::from_utf8_lossy(&self.query))
        }
    }
}
