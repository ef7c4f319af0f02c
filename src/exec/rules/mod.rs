//! Venue trading rules per (venue, instrument) on the order path: price tick (or Upbit's price
//! bands), quantity step, minimum quantity and minimum notional, as fixed-point values at the
//! instrument's scales.
//!
//! Where they come from: with the REST gateway, each trading venue's public instrument endpoint
//! at start-up (Binance `exchangeInfo` filters, Bybit `instruments-info`, OKX `public/instruments`,
//! Upbit's order-chance with its published KRW/USDT price bands; [`crate::exec::startup::rules`]),
//! with `instruments[].rules.<venue>` overrides that may only be coarser; with the paper gateway,
//! the overrides alone over [`InstrumentRules::PASS`].
//!
//! What they do: every limit price is on tick and inside the slippage buffer ([`tick`]),
//! quantities floor to the step, and an arbitrage whose legs would fall under a minimum is refused
//! before any leg is sent ([`table`]). [`convert`] turns the venue's exact decimals and the
//! config's text into the table's entries on the cold path.
#![forbid(unsafe_code)]

pub mod convert;
pub mod table;
pub mod tick;

pub use convert::{from_venue, with_override, Names, RulesError};
pub use table::{HedgeUnfit, InstrumentRules, LegPlan, RulesTable};
pub use tick::{Band, TickTable, MAX_BANDS};

#[cfg(test)]
mod tests;
