//! Per-venue counters of the mock exchange, so a test can assert what the server saw and did.
//! Written by the venue's threads with `Relaxed` atomics; [`VenueStats`] is a snapshot.

use std::sync::atomic::{AtomicU64, Ordering};

macro_rules! counters {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// Live counters of one venue (shared by its accept, source and connection threads).
        #[derive(Debug, Default)]
        pub(crate) struct VenueCounters {
            $(pub $name: AtomicU64,)*
        }

        /// A snapshot of one venue's counters.
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct VenueStats {
            /// The venue's name.
            pub name: String,
            $($(#[$doc])* pub $name: u64,)*
        }

        impl VenueCounters {
            /// Copy every counter.
            pub fn snapshot(&self, name: &str) -> VenueStats {
                VenueStats {
                    name: name.to_owned(),
                    $($name: self.$name.load(Ordering::Relaxed),)*
                }
            }
        }
    };
}

counters! {
    /// TCP connections accepted.
    connections_accepted,
    /// Connections whose WebSocket handshake completed.
    handshakes,
    /// Connections open now.
    connections_open,
    /// Subscribe requests seen (a Binance combined-stream URL counts as one).
    subscribes,
    /// Data frames written to connections (one per frame per connection).
    frames_sent,
    /// Frames a connection's queue had no room for (paced source only).
    frames_dropped,
    /// Frames discarded by a connection while stalled.
    frames_discarded,
    /// Client keep-alive pings answered (text pings; Upbit's control pings too).
    pings_answered,
    /// Client keep-alive pings left unanswered by [`Fault::IgnorePings`](super::Fault::IgnorePings).
    pings_ignored,
    /// Binance server pings sent.
    server_pings_sent,
    /// Pongs received from clients.
    pongs_received,
    /// Binance connections that missed the pong deadline.
    pong_timeouts,
    /// Malformed frames sent by fault injection.
    garbage_sent,
    /// Oversized frames sent by fault injection.
    oversized_sent,
    /// Connections closed by [`Fault::DropConnections`](super::Fault::DropConnections).
    dropped_by_fault,
    /// Client messages the venue did not understand (answered with the venue's error format).
    bad_requests,
    /// REST: connections accepted.
    rest_connections,
    /// REST: requests received (orders, status queries and anything else).
    rest_requests,
    /// REST: order placements received (`POST /api/v3/order`, `POST /v1/orders`,
    /// `POST /v5/order/create`, `POST /api/v5/trade/order`).
    rest_orders,
    /// REST: status queries received (`GET /api/v3/order`, `GET /v1/order`,
    /// `GET /v5/order/realtime` with an order id, `GET /api/v5/trade/order`).
    rest_status_queries,
    /// REST: cancels received.
    rest_cancels,
    /// REST: open-orders lists received.
    rest_open_orders,
    /// REST: balance queries received.
    rest_balances,
    /// REST: instrument-rules queries received.
    rest_rules,
    /// REST: server-time queries received.
    rest_time,
    /// REST: public top-of-book queries received.
    rest_books,
    /// REST: orders that executed some quantity on arrival.
    rest_fills,
    /// REST: IOC orders that expired with nothing executed.
    rest_expired,
    /// REST: GTC orders that rested on the book with nothing executed on arrival.
    rest_rested,
    /// REST: executions of resting orders on later quotes.
    rest_resting_fills,
    /// REST: rate-limit refusals sent (HTTP 429, Bybit's 10006; limits and storms).
    rest_429s,
    /// REST: bans answered (418 for a request inside a 429's Retry-After or during a ban; Bybit's
    /// 403 IP ban).
    rest_418s,
    /// REST: requests with a bad signature or token (Binance -1022, Upbit `jwt_verification`,
    /// Bybit 10004, OKX 50113 / 50106).
    rest_bad_signatures,
    /// REST: requests with a timestamp outside the venue's window (Binance -1021, Bybit 10002,
    /// OKX 50102).
    rest_stale_timestamps,
    /// REST: requests with an unknown or missing API key (-2015, `invalid_access_key`).
    rest_unknown_keys,
    /// REST: Upbit tokens whose query_hash did not match (`invalid_query_payload`).
    rest_bad_query_hashes,
    /// REST: OKX requests with a missing or wrong passphrase (50104, 50105).
    rest_bad_passphrases,
    /// REST: orders refused (bad parameters, duplicate id, or the reject fault).
    rest_rejects,
    /// REST: of `rest_rejects`, orders refused for breaking the instrument's trading rules (price
    /// off its tick, quantity off its step or under the minimum, notional under the minimum), as
    /// each venue refuses them (Binance -1013, Bybit 170134/170137/170136/170140, OKX 51000 /
    /// 51121 / 51020, Upbit `invalid_price` / `under_min_total_*`).
    rest_rule_rejects,
    /// REST: 5xx answers sent by fault injection.
    rest_5xx,
    /// REST: requests left unanswered by fault injection.
    rest_unanswered,
    /// Binance WebSocket API sessions (`/ws-api/v3`) opened.
    ws_api_sessions,
    /// `session.logon`s that authenticated a session.
    ws_api_logons,
    /// `session.logon`s refused (unknown key, bad signature, stale timestamp, no Ed25519 key).
    ws_api_logon_refusals,
    /// WebSocket API requests read (every method, logons included).
    ws_api_requests,
    /// Requests that need an authenticated session and came before `session.logon` (refused).
    ws_api_unauthenticated,
    /// Frames that were not a JSON request `{"id","method","params"}` (answered -1102/-1000).
    ws_api_bad_frames,
    /// User-data events pushed (`executionReport`, `outboundAccountPosition`).
    ws_api_events_pushed,
    /// Sessions the mock ended by a fault (dropped mid-request) or by expiry.
    ws_api_sessions_ended,
    /// `openOrders.status` requests of logged-on sessions (counted in `rest_open_orders` too: one
    /// pipeline serves both transports).
    ws_api_open_orders,
    /// `account.status` requests of logged-on sessions (counted in `rest_balances` too).
    ws_api_balances,
    /// Sessions de-authenticated because their Ed25519 key was revoked while logged on
    /// (`WsApiConfig::revoke_key_on_place`), each answered `{"id":null,"status":401,...}`.
    ws_api_revocations,
    /// Bybit trade sockets (`/v5/trade`) and private streams (`/v5/private`) opened.
    bybit_ws_sessions,
    /// Bybit `auth`s that authenticated a socket.
    bybit_ws_auths,
    /// Bybit `auth`s refused (unknown key, bad signature, expired `expires`, malformed args,
    /// repeated).
    bybit_ws_auth_refusals,
    /// Bybit socket frames read (every op, `auth` and `ping` included).
    bybit_ws_requests,
    /// Bybit ops that need an authenticated socket and came before `auth` (refused).
    bybit_ws_unauthenticated,
    /// Bybit frames that were no JSON op, or an op or topic the mock does not serve (answered
    /// 10001 / 10404 or `success: false`).
    bybit_ws_bad_frames,
    /// Bybit trade-socket requests refused for a `reqId` the socket already used (20006).
    bybit_ws_duplicate_req_ids,
    /// Bybit trade-socket requests refused by the system-level frequency protection (10429).
    bybit_ws_system_limited,
    /// Bybit private-stream `subscribe`s accepted (pushes flow from then on).
    bybit_ws_subscribes,
    /// Bybit `ping`s answered with a pong.
    bybit_ws_pongs,
    /// Bybit pushes sent (`order`, `execution`, `wallet` messages, duplicates included).
    bybit_ws_pushed,
    /// Bybit sockets the mock closed: a fault (dropped mid-order), expiry or idle cut-off.
    bybit_ws_sessions_ended,
    /// Upbit private streams (`/websocket/v1/private`) opened.
    upbit_private_streams,
    /// Upbit private streams refused for a missing or bad token (`INVALID_AUTH`, then closed).
    upbit_private_auth_refusals,
    /// Subscription requests taken on Upbit private streams.
    upbit_private_subscribes,
    /// Requests refused on Upbit private streams (`WRONG_FORMAT`, `NO_TICKET`, `NO_TYPE`,
    /// `INVALID_PARAM`).
    upbit_private_bad_requests,
    /// Data frames pushed on Upbit private streams (`myOrder`, `myAsset`; duplicates included).
    upbit_private_pushed,
    /// Upbit private streams dropped by the `drop_after_pushes` fault.
    upbit_private_dropped,
    /// Upbit private streams closed for being idle.
    upbit_private_idle_closes,
    /// OKX private WebSocket sessions (`/ws/v5/private`) opened.
    okx_ws_sessions,
    /// OKX `login`s that authenticated a session.
    okx_ws_logins,
    /// OKX `login`s refused (key, passphrase, timestamp, signature, malformed).
    okx_ws_login_refusals,
    /// OKX private WebSocket text frames read (ops, logins, subscriptions and `ping`s).
    okx_ws_requests,
    /// OKX `order` / `cancel-order` / `subscribe` before a login (refused 60011).
    okx_ws_unauthenticated,
    /// OKX frames that were not a JSON op the mock knows (answered 60012 / 60019 / 60013).
    okx_ws_bad_frames,
    /// OKX text `ping`s answered `pong`.
    okx_ws_pings,
    /// OKX channel pushes sent (`orders` and `account`, a duplicate counted again).
    okx_ws_pushes,
    /// OKX `order` ops whose answer the lose-answer fault dropped.
    okx_ws_answers_lost,
    /// OKX connections closed for sending nothing for the idle timeout (code 4004).
    okx_ws_idle_closes,
    /// OKX sessions the mock ended by a fault (dropped mid-order) or by expiry.
    okx_ws_sessions_ended,
}

impl VenueCounters {
    /// Add one to `c`.
    #[inline]
    pub fn inc(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// Add `n` to `c`.
    #[inline]
    pub fn add(c: &AtomicU64, n: u64) {
        c.fetch_add(n, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_copies_counters() {
        let c = VenueCounters::default();
        VenueCounters::inc(&c.frames_sent);
        VenueCounters::add(&c.frames_sent, 4);
        let s = c.snapshot("okx");
        assert_eq!(
            (s.name.as_str(), s.frames_sent, s.subscribes),
            ("okx", 5, 0)
        );
    }
}
