//! Venue adapters: protocol facts and zero-allocation parsers for Binance, Upbit, Bybit and OKX.
//!
//! Contract of every parser (`binance::parse`, `upbit::parse`, `bybit::parse`, `okx::parse`, and the
//! [`FeedParser`] that dispatches by [`VenueKind`](crate::model::VenueKind)):
//! - input is one WebSocket payload (text, or Upbit's binary frame holding UTF-8 JSON) plus the
//!   local receive time, which is stamped on the quote as given (time is an argument, never read);
//! - output is a [`Frame`]: a [`Quote`](crate::model::Quote) of the venue's top of book, or a
//!   recognised non-quote frame ([`SkipKind`]: subscribe answers, keep-alive answers, other
//!   channels, unknown symbols, venue error messages, stale sequence numbers); or a [`ParseError`]
//!   naming the field that failed;
//! - no allocation, no panic, no `f64`: prices and sizes are parsed from the frame's decimal text at
//!   the instrument's scale ([`SymbolTable`]) or refused.
//!
//! Protocol facts (URL, subscribe messages, keep-alive) are built on the cold path and may allocate.
//! Sources: each venue's own API documentation, named in its file; the real venue captures are
//! the conformance tests (`tests/ingest/venues_captures.rs`).
#![forbid(unsafe_code)]

pub mod binance;
pub mod bybit;
mod feed;
pub(crate) mod fields;
mod frame;
mod keepalive;
pub mod okx;
mod protocol;
mod seq;
mod symbols;
pub mod upbit;

pub use crate::base::scan::{ScanError, ScanErrorKind};
pub use feed::FeedParser;
pub use frame::{Frame, ParseError, SkipKind};
pub use keepalive::{ClientPing, KeepAlive};
pub use protocol::{keep_alive, subscribe_messages, ws_url};
pub use seq::{SeqCheck, SeqGuard};
pub use symbols::{SymbolError, SymbolInfo, SymbolTable, MAX_SYMBOL_LEN};
