//! [`AccountClient`]: one venue's account API as blocking calls. Each call writes the signed
//! request ([`AccountVenue`]), sends it on a fresh connection ([`BlockingHttp`]) and reads the
//! answer; paged answers are followed, Upbit's one-market rules are asked market by market.
//!
//! With a [`AccountSession`] set ([`AccountClient::set_session`]), the calls it takes go on it
//! first and on REST only when it fails (counted); the answer is read by the same venue module.
//!
//! Cold path: reads the wall clock (the signed timestamps), allocates, blocks up to the timeout
//! per exchange. Never retries: a cancel or a query that failed is reported, and the caller
//! decides (a cancel whose answer was lost may still have happened).

use std::time::{SystemTime, UNIX_EPOCH};

use super::error::AccountError;
use super::http::{BlockingHttp, ExchangeError};
use super::request::{AccountAnswer, AccountRequest};
use super::session::AccountSession;
use super::types::{Balance, CancelOutcome, OpenOrder, ServerTime, VenueRules};
use super::venue::AccountVenue;
use crate::base::ClockOffsets;

/// Most pages of open orders followed in one [`AccountClient::open_orders`] (50 to 100 orders a
/// page): a venue that keeps answering a next page is cut off, not followed forever.
pub const MAX_PAGES: usize = 40;

/// One venue's account API.
pub struct AccountClient {
    name: String,
    venue: Box<dyn AccountVenue + Send>,
    http: BlockingHttp,
    one_market_rules: bool,
    /// Added to the wall clock signed into requests, ms (the venue's measured clock offset).
    clock_offset_ms: i64,
    /// The live offsets and this venue's index in them, when set: read at every signed call,
    /// so a long-lived client (the account thread's) follows the `clock-sync` thread.
    live_offset: Option<(ClockOffsets, usize)>,
    /// Where the calls it takes go instead of REST (Binance's WebSocket API session).
    session: Option<Box<dyn AccountSession>>,
    /// Why the session last failed a call (the call then went on REST), until taken.
    session_error: Option<String>,
}

impl std::fmt::Debug for AccountClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountClient")
            .field("name", &self.name)
            .field("http", &self.http)
            .finish_non_exhaustive()
    }
}

/// Wall-clock unix ms (the timestamp the venues' signatures carry).
pub fn unix_ms_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl AccountClient {
    /// Venue `name`'s API through `venue`, over `http`. `one_market_rules`: the venue answers
    /// rules for one market per request (Upbit).
    pub fn new(
        name: &str,
        venue: Box<dyn AccountVenue + Send>,
        http: BlockingHttp,
        one_market_rules: bool,
    ) -> Self {
        AccountClient {
            name: name.to_string(),
            venue,
            http,
            one_market_rules,
            clock_offset_ms: 0,
            live_offset: None,
            session: None,
            session_error: None,
        }
    }

    /// Sign timestamps `offset_ms` off the host's wall clock from now on: the venue's measured
    /// `server - local` offset (`exec::startup::server_time`), so a host whose clock drifted is
    /// not refused (Binance -1021, Bybit 10002, OKX 50102).
    pub fn set_clock_offset_ms(&mut self, offset_ms: i64) {
        self.clock_offset_ms = offset_ms;
        self.live_offset = None;
    }

    /// Sign timestamps with venue `venue`'s entry of `offsets`, read at every call: the REST
    /// router's offsets, which the `clock-sync` thread keeps measuring.
    pub fn follow_clock_offsets(&mut self, offsets: ClockOffsets, venue: usize) {
        self.live_offset = Some((offsets, venue));
    }

    /// Send the calls `session` takes on it from now on (open orders and balances on Binance's
    /// WebSocket API session); a call that fails there is counted and sent on REST.
    pub fn set_session(&mut self, session: Box<dyn AccountSession>) {
        self.session = Some(session);
    }

    /// The session, when one is set.
    pub fn session(&self) -> Option<&dyn AccountSession> {
        self.session.as_deref()
    }

    /// Why the session last failed a call (which then went on REST), once.
    pub fn take_session_error(&mut self) -> Option<String> {
        self.session_error.take()
    }

    /// The venue's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Send one request and read its answer.
    pub fn call(&mut self, req: &AccountRequest) -> Result<AccountAnswer, AccountError> {
        let mut bytes = Vec::with_capacity(1024);
        let offset_ms = match &self.live_offset {
            Some((offsets, venue)) => offsets.get_ms(*venue),
            None => self.clock_offset_ms,
        };
        let unix_ms = unix_ms_now().saturating_add_signed(offset_ms);
        if let Some(s) = self.session.as_mut().filter(|s| s.takes(req)) {
            match s.exchange(req, unix_ms) {
                Ok(resp) => return self.venue.parse_answer(req, &resp),
                // A query: asking again over REST changes nothing at the venue.
                Err(e) => {
                    s.counters().fallbacks.inc();
                    self.session_error = Some(e.to_string());
                }
            }
        }
        self.venue.write_request(req, unix_ms, &mut bytes)?;
        let resp = self.http.exchange(&bytes).map_err(|e| match e {
            ExchangeError::Timeout => AccountError::Timeout {
                venue: self.name.clone(),
                request: req.name(),
                timeout_ms: u64::try_from(self.http.timeout().as_millis()).unwrap_or(u64::MAX),
            },
            other => AccountError::Transport {
                venue: self.name.clone(),
                request: req.name(),
                reason: other.to_string(),
            },
        })?;
        self.venue.parse_answer(req, &resp)
    }

    fn mismatch(&self, req: &AccountRequest) -> AccountError {
        AccountError::Unreadable {
            venue: self.name.clone(),
            request: req.name(),
            status: 0,
            detail: "the venue module answered another kind of request".into(),
        }
    }

    /// Cancel the order placed with `client_id` on `symbol`.
    pub fn cancel(&mut self, symbol: &str, client_id: &str) -> Result<CancelOutcome, AccountError> {
        let req = AccountRequest::Cancel {
            symbol: symbol.to_string(),
            client_id: client_id.to_string(),
        };
        match self.call(&req)? {
            AccountAnswer::Cancel(c) => Ok(c),
            _ => Err(self.mismatch(&req)),
        }
    }

    /// Every open order on `symbol` (or on every symbol), following the venue's pages up to
    /// [`MAX_PAGES`] (an error beyond that, rather than a silently short list).
    pub fn open_orders(&mut self, symbol: Option<&str>) -> Result<Vec<OpenOrder>, AccountError> {
        let mut all = Vec::new();
        let mut cursor = None;
        for _ in 0..MAX_PAGES {
            let req = AccountRequest::OpenOrders {
                symbol: symbol.map(str::to_string),
                cursor: cursor.take(),
            };
            match self.call(&req)? {
                AccountAnswer::OpenOrders { orders, next } => {
                    all.extend(orders);
                    match next {
                        Some(n) => cursor = Some(n),
                        None => return Ok(all),
                    }
                }
                _ => return Err(self.mismatch(&req)),
            }
        }
        Err(AccountError::BadRequest {
            venue: self.name.clone(),
            request: "open orders",
            why: format!("more than {MAX_PAGES} pages of open orders; narrow it to one symbol"),
        })
    }

    /// Every balance the venue reports.
    pub fn balances(&mut self) -> Result<Vec<Balance>, AccountError> {
        match self.call(&AccountRequest::Balances)? {
            AccountAnswer::Balances(b) => Ok(b),
            _ => Err(self.mismatch(&AccountRequest::Balances)),
        }
    }

    /// Trading rules of `symbols` (and Binance's published rate limits). Upbit is asked once per
    /// symbol.
    pub fn rules(&mut self, symbols: &[String]) -> Result<VenueRules, AccountError> {
        let batches: Vec<Vec<String>> = if self.one_market_rules {
            symbols.iter().map(|s| vec![s.clone()]).collect()
        } else {
            vec![symbols.to_vec()]
        };
        let mut out = VenueRules::default();
        for symbols in batches {
            let req = AccountRequest::Rules { symbols };
            match self.call(&req)? {
                AccountAnswer::Rules(r) => {
                    out.instruments.extend(r.instruments);
                    out.rate_limits.extend(r.rate_limits);
                }
                _ => return Err(self.mismatch(&req)),
            }
        }
        Ok(out)
    }

    /// The venue's clock.
    pub fn server_time(&mut self) -> Result<ServerTime, AccountError> {
        match self.call(&AccountRequest::Time)? {
            AccountAnswer::Time(t) => Ok(t),
            _ => Err(self.mismatch(&AccountRequest::Time)),
        }
    }
}
