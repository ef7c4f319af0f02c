//! A small seedable random generator ([`Rng`]) for jitter and simulations. The synthetic market
//! that used to live here now belongs to the mock exchange tool.
#![forbid(unsafe_code)]

mod rng;

pub use rng::Rng;
