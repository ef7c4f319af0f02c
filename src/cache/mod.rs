//! The opportunity cache: a fixed-capacity slab LRU with a TTL per entry, and the dedupe wrapper
//! the strategy stage uses so that the same opportunity is not sent twice while its entry lives.
//!
//! Contract:
//! - [`SlabLru`] is generic over a `Copy` key with a cheap [`CacheHash`] and a `Copy` value. It
//!   allocates once in `new`; `get`, `insert`, `touch`, `remove` and eviction are O(1), allocation-free,
//!   lock-free and clock-free (time is the caller's `now_ns`). It has one owner; its [`CacheStats`]
//!   are plain counters the owner publishes.
//! - [`DedupeCache`] keys it by [`OppKey`] `(instrument, buy venue, sell venue, ask_a, bid_b)` and
//!   picks each entry's TTL from the instrument's volatility with [`TtlBands`] (seed defaults 50 /
//!   100 / 200 ms above 0.05 / above 0.02 / otherwise): a volatile market re-prices sooner, so a
//!   repeat of the same price levels sooner is more likely a new opportunity.
//!
//! Why custom: the seed kept a `Mutex<LruCache<String, Opportunity>>`, paying a lock, a `String`
//! allocation and a node allocation per candidate. `benches/cache.rs` measures this cache against
//! `lru::LruCache` on the same keys.
// `unsafe` only where an item allows it, each block with its `SAFETY:` argument: the SSE2 tag
// group (`group.rs`) and unchecked indexing by positions the cache itself keeps in range
// (`index.rs`, `slab_lru.rs`), which the tests' structural audits check after every operation.
#![deny(unsafe_code)]

mod dedupe;
mod error;
mod group;
mod hash;
mod index;
mod key;
mod slab_lru;
mod stats;
mod ttl;

pub use dedupe::{Dedupe, DedupeCache};
pub use error::CacheError;
pub use hash::{fold_mul, CacheHash};
pub use key::OppKey;
pub use slab_lru::{GetOrInsert, InsertOutcome, SlabLru, MAX_CAPACITY};
pub use stats::CacheStats;
pub use ttl::TtlBands;
