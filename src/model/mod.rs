//! The engine's vocabulary: fixed-point money, typed ids, and the small `Copy` messages that travel
//! through the rings (`Quote` -> `Opportunity` -> `Order` -> `ExecReport`).
//!
//! Contract: every type here is plain data. Nothing allocates, nothing reads a clock, and money is
//! never an `f64`: prices and quantities are `i64` mantissas whose scale belongs to the instrument.
#![forbid(unsafe_code)]

mod assets;
mod decimal;
mod exec_report;
mod fill;
mod ids;
mod opportunity;
mod order;
mod outcome;
mod price;
mod quote;
mod symbol;
mod venue_kind;

pub use assets::{assign_assets, split_instrument_name, AssetError, Assets, MAX_ASSETS};
pub use decimal::{format_decimal, parse_decimal, DecimalError, MAX_SCALE};
pub use exec_report::{ExecReport, ExecStatus};
pub use fill::{
    parse_fee_amount, AssetCode, Fee, ShortText, VenueOrderId, ASSET_CODE_LEN, FEE_SCALE,
    VENUE_ORDER_ID_LEN,
};
pub use ids::{InstrumentId, OppId, OrderId, VenueId, MAX_INSTRUMENTS, MAX_VENUES};
pub use opportunity::{Bps, Opportunity};
pub use order::{Order, Side, TimeInForce};
pub use outcome::{Outcome, RejectReason, OUTCOME_COUNT};
pub use price::{notional, Price, Qty, Scale};
pub use quote::{Quote, QuoteSource};
pub use symbol::{base_symbol, is_unreserved, MAX_SYMBOL_LEN};
pub use venue_kind::VenueKind;
