//! The execution stage: its rules on a fake clock over the paper venue, the accounting property,
//! and the REST gateways against the mock exchange.

#[path = "../common/mod.rs"]
mod common;

mod account_mockex;
mod accounting;
mod ccxt_account_vectors;
mod ccxt_vectors;
mod clock_sync_mockex;
mod rest_bybit_okx;
mod rest_mockex;
mod rules_answers;
mod rules_mockex;
mod stage;
mod trades_mockex;
mod truth_mockex;
mod upbit_private;
mod ws_binance_account;
mod ws_binance_mockex;
mod ws_bybit_mockex;
mod ws_okx_mockex;
mod ws_upbit_mockex;
