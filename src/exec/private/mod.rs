//! Venues' private streams: the account's own order and balance updates pushed by the venue
//! (Upbit's `/websocket/v1/private` first), read into fixed-size events without allocating.
//!
//! Why here and not in `ingest`: the stream is signed with the exec stage's API keys (the same JWT
//! signer as the REST order codec) and its events belong to the order tracker and risk book, so it
//! lives beside the gateways. Only the wire side (subscription, auth header, parsers) exists so
//! far; wiring the events into the stage is a later slice.

pub mod upbit;
