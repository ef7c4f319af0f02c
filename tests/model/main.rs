//! The model's value types: fixed-point decimals, property-tested.

#[path = "../common/mod.rs"]
mod common;

mod decimal;
