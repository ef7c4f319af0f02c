//! Protocol facts dispatched by [`VenueKind`]: where to connect, what to send after connecting, and
//! how to keep the connection alive. Cold path (strings are built once per connection).
//!
//! Binance subscribes through the combined-stream URL, so it needs no message after connecting;
//! the other venues take one or more subscribe messages. Per-venue builders with more options
//! (Upbit's key format, Binance's live `SUBSCRIBE`) live in the venue modules.

use super::keepalive::KeepAlive;
use super::{binance, bybit, okx, upbit};
use crate::model::VenueKind;

/// The URL to connect to for `symbols` (venue spellings), from `base` or the venue's default
/// endpoint ([`VenueKind::default_ws_url`]).
pub fn ws_url(kind: VenueKind, base: Option<&str>, symbols: &[&str]) -> String {
    let base = base.unwrap_or(kind.default_ws_url());
    match kind {
        VenueKind::Binance => binance::combined_url(base, symbols),
        VenueKind::Upbit | VenueKind::Bybit | VenueKind::Okx => base.to_owned(),
    }
}

/// The text messages to send once connected. `request_id` makes them unique per connection (Upbit
/// ticket, Bybit `req_id` prefix). Upbit is asked for the DEFAULT format; its parser takes both.
pub fn subscribe_messages(kind: VenueKind, symbols: &[&str], request_id: &str) -> Vec<String> {
    match kind {
        VenueKind::Binance => Vec::new(),
        VenueKind::Upbit => vec![upbit::subscribe_message(
            symbols,
            request_id,
            upbit::Format::Default,
        )],
        VenueKind::Bybit => bybit::subscribe_messages(symbols, request_id),
        VenueKind::Okx => vec![okx::subscribe_message(symbols)],
    }
}

/// The venue's keep-alive rule.
pub const fn keep_alive(kind: VenueKind) -> KeepAlive {
    match kind {
        VenueKind::Binance => binance::KEEP_ALIVE,
        VenueKind::Upbit => upbit::KEEP_ALIVE,
        VenueKind::Bybit => bybit::KEEP_ALIVE,
        VenueKind::Okx => okx::KEEP_ALIVE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::venues::ClientPing;

    #[test]
    fn facts_per_kind() {
        assert_eq!(
            ws_url(VenueKind::Binance, None, &["BTCUSDT"]),
            "wss://stream.binance.com:9443/stream?streams=btcusdt@bookTicker"
        );
        assert_eq!(
            ws_url(VenueKind::Okx, Some("ws://127.0.0.1:9/okx"), &["BTC-USDT"]),
            "ws://127.0.0.1:9/okx"
        );
        assert!(subscribe_messages(VenueKind::Binance, &["BTCUSDT"], "1").is_empty());
        for kind in [VenueKind::Upbit, VenueKind::Bybit, VenueKind::Okx] {
            let msgs = subscribe_messages(kind, &["X"], "id");
            assert_eq!(msgs.len(), 1);
            assert!(serde_json::from_str::<serde_json::Value>(&msgs[0]).is_ok());
        }
        assert_eq!(
            keep_alive(VenueKind::Binance).client_ping,
            ClientPing::AnswerServerPings
        );
        assert_eq!(
            keep_alive(VenueKind::Okx).client_ping,
            ClientPing::Text("ping")
        );
        assert_eq!(
            keep_alive(VenueKind::Upbit).client_ping,
            ClientPing::Text("PING")
        );
        assert_eq!(keep_alive(VenueKind::Bybit).interval_ms, 20_000);
    }
}
