//! The reliability scenarios: bad input, API degradation, feed storms, market shock and a
//! realistic trading pattern; degradation and the trading pattern run once on the fake-clock
//! rig over the paper venue and once against the mock exchange's REST endpoints.

#[path = "../common/mod.rs"]
mod common;

mod bad_input;
mod degradation;
mod feed_storms;
mod shock;
mod trading_pattern;

use common::gateway::{max_in_window, SEC};

#[test]
fn window_counting() {
    assert_eq!(max_in_window(&[], SEC), 0);
    assert_eq!(max_in_window(&[0, SEC - 1, SEC], SEC), 2);
    assert_eq!(max_in_window(&[5, 1, 3, 2 * SEC], SEC), 3);
}
