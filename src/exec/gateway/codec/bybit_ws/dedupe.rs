//! Count each fill once: a fixed-size memory of the keys already seen on the private stream.
//!
//! Why: Bybit can push an order's final state twice (a cancel racing the last fill ends in a
//! second `Filled` / `PartiallyFilledCanceled` for the same `orderLinkId`), and a reconnect can
//! replay an `execution` with an `execId` already booked. Booking either twice doubles a position.
//! [`StreamDedupe`] remembers the last [`SeenSet::CAPACITY`] final orders and executions in two
//! rings of inline keys: no allocation, no hashing (the exact bytes are compared, so two ids never
//! collide), and the oldest key is forgotten first. The capacity bounds how far back a duplicate
//! is caught; a duplicate arrives within seconds, while a few hundred orders are far more than are
//! in flight at once.
//!
//! ```
//! use microarb::exec::gateway::codec::bybit_ws::StreamDedupe;
//! let mut d = StreamDedupe::new();
//! assert_eq!(d.first_final(b"ma42"), Ok(true));
//! assert_eq!(d.first_final(b"ma42"), Ok(false), "the racing second Filled");
//! assert_eq!(d.first_exec(b"7e2ae69c-4edf-5800-a352-893d52b446aa"), Ok(true));
//! ```

use thiserror::Error;

/// Longest key kept (Bybit's `orderLinkId` is at most 36 characters, an `execId` a 36-character
/// uuid).
pub const KEY_MAX: usize = 47;

/// Why a key cannot be remembered (the caller counts it and books by its own judgement).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum DedupeError {
    /// An empty key (an order without `orderLinkId`, an execution without `execId`) would match
    /// every other empty key.
    #[error("empty dedupe key")]
    Empty,
    /// Longer than [`KEY_MAX`] bytes.
    #[error("dedupe key of {0} bytes is longer than {KEY_MAX}")]
    TooLong(usize),
}

#[derive(Clone, Copy)]
struct Key {
    len: u8,
    bytes: [u8; KEY_MAX],
}

impl Key {
    const EMPTY: Key = Key {
        len: 0,
        bytes: [0; KEY_MAX],
    };

    fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

/// The last [`SeenSet::CAPACITY`] distinct keys, oldest forgotten first.
#[derive(Clone)]
pub struct SeenSet {
    keys: [Key; SeenSet::CAPACITY],
    next: usize,
}

impl std::fmt::Debug for SeenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeenSet")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl Default for SeenSet {
    fn default() -> Self {
        Self::new()
    }
}

impl SeenSet {
    /// Keys remembered.
    pub const CAPACITY: usize = 256;

    /// An empty set (about 12 KiB, inline).
    pub const fn new() -> Self {
        SeenSet {
            keys: [Key::EMPTY; SeenSet::CAPACITY],
            next: 0,
        }
    }

    /// `Ok(true)` the first time `key` is offered (it is remembered), `Ok(false)` when it is
    /// among the last [`Self::CAPACITY`] keys remembered.
    pub fn first_time(&mut self, key: &[u8]) -> Result<bool, DedupeError> {
        if key.is_empty() {
            return Err(DedupeError::Empty);
        }
        if key.len() > KEY_MAX {
            return Err(DedupeError::TooLong(key.len()));
        }
        if self.keys.iter().any(|k| k.as_bytes() == key) {
            return Ok(false);
        }
        let slot = &mut self.keys[self.next % Self::CAPACITY];
        slot.bytes[..key.len()].copy_from_slice(key);
        // KEY_MAX < 256, checked above.
        slot.len = key.len() as u8;
        self.next = (self.next + 1) % Self::CAPACITY;
        Ok(true)
    }
}

/// The private stream's two dedupe memories: final order states by `orderLinkId`, executions by
/// `execId`.
#[derive(Debug, Clone, Default)]
pub struct StreamDedupe {
    finals: SeenSet,
    execs: SeenSet,
}

impl StreamDedupe {
    /// Both memories empty.
    pub const fn new() -> Self {
        StreamDedupe {
            finals: SeenSet::new(),
            execs: SeenSet::new(),
        }
    }

    /// Whether this is the first *final* `order` update for `order_link_id` (call it only for a
    /// final state; non-final updates are not remembered).
    pub fn first_final(&mut self, order_link_id: &[u8]) -> Result<bool, DedupeError> {
        self.finals.first_time(order_link_id)
    }

    /// Whether this is the first `execution` with `exec_id`.
    pub fn first_exec(&mut self, exec_id: &[u8]) -> Result<bool, DedupeError> {
        self.execs.first_time(exec_id)
    }
}
