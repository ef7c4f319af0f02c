//! Ingest: from venue bytes to [`Quote`](crate::model::Quote)s.
//!
//! This module holds the venue adapters ([`venues`]): per venue its URL, subscribe messages,
//! keep-alive rule and a zero-allocation parser from one WebSocket payload to a quote. The socket
//! side (mio event loop, WebSocket client, reconnect, feed health) is built on top of it: it reads a
//! frame, hands the payload with its receive time to a [`venues::FeedParser`], and pushes the
//! resulting quote into the strategy ring, counting every skip and error by kind.

pub mod venues;
