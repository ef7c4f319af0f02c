//! [`AccountSession`]: an authenticated connection an [`AccountClient`](super::AccountClient)
//! sends some of its calls on instead of signed HTTP requests (Binance's WebSocket API, where
//! `openOrders.status` and `account.status` need no per-request signature once the session has
//! logged on). The session moves bytes and hands back the venue's answer shaped as an
//! [`HttpResponse`], so the venue module ([`AccountVenue::parse_answer`]) reads it exactly as it
//! reads the REST answer: one reader for both paths.
//!
//! Contract: a session takes only the requests [`AccountSession::takes`] says; a call that fails
//! on it ([`SessionError`]) is counted and sent on REST instead by the client (a query, never an
//! order: asking twice changes nothing at the venue).
//!
//! [`AccountVenue::parse_answer`]: super::AccountVenue::parse_answer

use thiserror::Error;

use super::http::HttpResponse;
use super::request::AccountRequest;
use crate::base::Counter;
use crate::exec::gateway::codec::binance_ws::WsError;
use crate::exec::gateway::codec::RequestError;
use crate::telemetry::Registry;

/// Why a call on a session produced no answer (the client then asks over REST).
#[derive(Debug, Error)]
pub enum SessionError {
    /// The TCP connect, the TLS handshake or the WebSocket upgrade failed.
    #[error("connect: {0}")]
    Connect(String),
    /// The venue refused the session's logon.
    #[error("logon refused (status {status}): {detail}")]
    LogonRefused {
        /// The answer's HTTP-like status.
        status: u16,
        /// The venue's error object as it sent it.
        detail: String,
    },
    /// The venue took the session's authentication away (a key revoked while logged on).
    #[error("the venue revoked the session (key invalid since the logon)")]
    Revoked,
    /// No answer before the deadline.
    #[error("no answer within {0} ms")]
    Timeout(u64),
    /// The socket failed or the peer closed it.
    #[error("socket: {0}")]
    Socket(#[source] Box<tungstenite::Error>),
    /// A frame could not be read as an answer.
    #[error("unreadable frame: {0}")]
    Unreadable(#[from] WsError),
    /// A request this session does not take ([`AccountSession::takes`] said so).
    #[error("{0} is not asked on this session")]
    NotTaken(&'static str),
    /// The request could not be written (a symbol that needs escaping, a bad key).
    #[error("request: {0}")]
    Request(#[from] RequestError),
}

/// What an account session did, on `/metrics` as `exec.reconcile.session.<venue>.<name>`.
#[derive(Debug, Clone, Default)]
pub struct SessionCounters {
    /// Calls answered on the session.
    pub calls: Counter,
    /// Calls that failed on the session and went on REST instead.
    pub fallbacks: Counter,
    /// Logons the venue accepted (one per connection).
    pub logons: Counter,
    /// Logons refused.
    pub logon_refusals: Counter,
    /// Sessions the venue de-authenticated while logged on.
    pub revocations: Counter,
}

impl SessionCounters {
    /// Register them for venue `venue` (cold path).
    pub fn register(reg: &mut Registry, venue: &str) -> SessionCounters {
        let mut c = |n: &str| reg.counter(&format!("exec.reconcile.session.{venue}.{n}"));
        SessionCounters {
            calls: c("calls"),
            fallbacks: c("fallbacks"),
            logons: c("logons"),
            logon_refusals: c("logon_refusals"),
            revocations: c("revocations"),
        }
    }
}

/// An authenticated connection that answers some account calls. See the module documentation.
pub trait AccountSession: Send + std::fmt::Debug {
    /// Whether `req` goes on this session.
    fn takes(&self, req: &AccountRequest) -> bool;

    /// Send `req` (timestamped `unix_ms`, the venue's clock) and wait for its answer, connecting
    /// and logging on first when the session is down.
    fn exchange(
        &mut self,
        req: &AccountRequest,
        unix_ms: u64,
    ) -> Result<HttpResponse, SessionError>;

    /// Its counters.
    fn counters(&self) -> &SessionCounters;
}
