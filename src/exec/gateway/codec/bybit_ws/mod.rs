//! Bybit v5 WebSocket session codec: order entry on the trade socket
//! (`wss://stream.bybit.com/v5/trade`) and the account's pushes on the private stream
//! (`wss://stream.bybit.com/v5/private`): the bytes of the requests and the reading of the
//! answers and pushes, with no connection logic.
//!
//! Why a session: `auth` signs the connection once (`hex(HMAC-SHA256(secret, "GET/realtime" +
//! expires))`), after which `order.create` and `order.cancel` carry only a timestamp header, so
//! the per-order signing cost is zero. A create's answer is an acknowledgement, never a fill: the
//! order's fate arrives on the private stream (`order`, `execution`) or from a status query.
//! Layers, one concept per file:
//! - [`auth`]: the `auth` request and its signature (cold path, once per connection).
//! - [`request_id`]: the `reqId`, which carries our order id so an answer matches back.
//! - [`requests`]: `order.create`, `order.cancel`, `ping` into a pre-sized buffer (hot path, no
//!   allocation; the order object is the REST codec's).
//! - [`answer`]: op answers and pushes told apart; an order answer into a [`RestAnswer`]
//!   (hot path, zero-copy).
//! - [`events`]: the `order`, `execution` and `wallet` pushes (zero-copy).
//! - [`dedupe`]: each final order state and each execution counted once (fixed-size).
//!
//! [`RestAnswer`]: super::answer::RestAnswer

pub mod answer;
pub mod auth;
pub mod dedupe;
pub mod events;
pub mod request_id;
pub mod requests;

pub use answer::{
    auth_result, parse_inbound, read_order_answer, AuthResult, BybitInbound, OpAnswer, Push,
    WsError,
};
pub use auth::{auth_signature, write_auth, WsSocket};
pub use dedupe::{DedupeError, SeenSet, StreamDedupe};
pub use events::{CoinIter, CoinText, ExecFill, Execution, OrderUpdate, Topic, WalletAccount};
pub use request_id::{RequestId, WsOp};
pub use requests::{write_ping, BybitWsSettings, BybitWsWriter};

#[cfg(test)]
mod answer_tests;
#[cfg(test)]
mod tests;
