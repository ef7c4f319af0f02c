//! A small seedable random generator ([`Rng`]) for jitter and simulations. The synthetic market
//! that used to live here is now the mock exchange's (tools/mockex).
#![forbid(unsafe_code)]

mod rng;

pub use rng::Rng;
