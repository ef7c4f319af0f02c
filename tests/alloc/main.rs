//! The zero-allocation tests, a module per stage, in one binary with one counting global
//! allocator (`common::alloc`). A global allocator is process state, so these share no binary
//! with other tests; inside this one every test holds `common::alloc::serial()`, so only one
//! counts at a time.

#[path = "../common/mod.rs"]
mod common;

#[global_allocator]
static GLOBAL: common::alloc::Counting = common::alloc::Counting;

mod binance_ws;
mod bybit_ws;
mod cache;
mod detector;
mod ingest;
mod okx_ws;
mod rest;
mod rest_answers;
mod rest_poll;
mod runtime;
mod upbit_private;
mod venues;
mod warm_write;
mod ws_bybit_session;
mod ws_session;
mod ws_session_okx;
mod ws_upbit;
