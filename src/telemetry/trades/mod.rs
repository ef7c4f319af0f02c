//! The `--trades FILE` output: one JSON line per order sent (`kind: "order"`), per fill reported
//! (`kind: "fill"`: price, quantity, fee and fee asset as the venue reported them, or the modelled
//! fee for the paper venue) and per order's final state (`kind: "final"`); and from the same
//! records the report's `trades` object (realized P&L per instrument and per quote asset, fees per
//! asset, residual positions by venue and asset).
//!
//! Hot -> cold like the `--opps` log: the execution stage pushes fixed-size [`TradeRecord`]s on an
//! SPSC ring ([`TradeTx`], never allocating, a full ring counted in `trades_log.dropped`); the
//! writer thread ([`TradeLog::spawn_writer`]) formats, writes and accounts. The writer also
//! watches the kill switch through a [`KillHook`]: when it turns on, the orders it knows to be
//! still open are handed to the hook (the pipeline's cancels every one at its venue).

mod book;
mod format;
mod record;
mod writer;

pub use book::{decimal_text, to_book, OpenOrder, TradeBook, BOOK_SCALE};
pub use format::TradeNames;
pub use record::{FinalState, LegRole, TradeKind, TradeRecord, TradeTx};
pub use writer::{KillHook, TradeLog, TRADE_RING};
