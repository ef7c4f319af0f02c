//! OKX v5 private WebSocket (`wss://ws.okx.com:8443/ws/v5/private`) session codec: the bytes of the
//! login and of the `order` / `cancel-order` ops, and the reading of everything the session
//! receives, with no connection logic.
//!
//! Why a session: one `login` (HMAC-SHA256 over `timestamp + "GET" + "/users/self/verify"`,
//! timestamp in seconds) authenticates the connection; after it an order op carries no signature,
//! and its answer reports OKX's own gateway times (`inTime` / `outTime`, microseconds), so the
//! venue's share of an order's latency is measured, not guessed. Ops name the instrument by the
//! numeric `instIdCode` (held in the [`InstrumentTable`] beside the symbol). Layers, one concept
//! per file:
//! - [`login`]: the login message, signed by the REST codec's own key (cold path, once per
//!   session), and what a login answer means ([`LoginError`]).
//! - [`request_id`]: the op `id`, which carries our order id so an answer matches back.
//! - [`requests`]: the `order` / `cancel-order` writers into a pre-sized buffer (hot path).
//! - [`keepalive`]: OKX's text `ping` / `pong` when the connection is idle.
//! - [`answer`]: classify a frame; an op answer into a [`RestAnswer`] read by the REST codec's
//!   own body reader, with `inTime` / `outTime` (hot path, zero-copy).
//! - [`events`]: the `orders` channel (fills) and the `account` channel (balances), zero-copy.
//!
//! [`InstrumentTable`]: super::InstrumentTable
//! [`RestAnswer`]: super::answer::RestAnswer

pub mod answer;
pub mod events;
pub mod keepalive;
pub mod login;
pub mod request_id;
pub mod requests;

pub use answer::{
    parse_inbound, read_op_answer, OkxInbound, OkxWsAnswer, OkxWsError, OpEnvelope, Push,
};
pub use events::{AccountUpdate, BalanceIter, OkxBalance, OrderUpdate, OrderUpdates};
pub use keepalive::{is_pong, Keepalive, KeepaliveAction, PING, PONG};
pub use login::{login_result, write_login, LoginError};
pub use request_id::{OkxOp, OkxRequestId};
pub use requests::{OkxWsSettings, OkxWsWriter};

#[cfg(test)]
mod answer_tests;
#[cfg(test)]
mod tests;
