//! One order answer ([`RestAnswer`]) as the [`GatewayEvent`]s the execution stage reads: the
//! report (or `Accepted` for an order the venue holds without its fate), then the rate-limit
//! facts the answer carried (Binance usage, Upbit `Remaining-Req`, Bybit's limit status) and a
//! ban. Written once for every gateway that reads answers (the REST router, the WebSocket
//! sessions), so they cannot tell the stage different things about the same answer.

use super::codec::{AnswerKind, RestAnswer};
use super::GatewayEvent;
use crate::exec::limits::rate_headers::BinanceUsage;
use crate::exec::limits::EndpointGroup;

/// The most events one answer gives: the report, its venue's own limit fact (an answer carries
/// one venue's headers), a ban.
pub const PER_ANSWER: usize = 3;

/// Hand `a`'s events to `push`: `group` is the endpoint group its request was charged to (the
/// order group, or the status query's), `unix_ns` the wall-clock time of the answer.
pub fn answer_events(
    a: &RestAnswer,
    group: EndpointGroup,
    unix_ns: u64,
    push: &mut impl FnMut(GatewayEvent),
) {
    let venue = a.report.venue;
    push(if a.kind == AnswerKind::Accepted {
        GatewayEvent::Accepted(a.report)
    } else {
        GatewayEvent::Report(a.report)
    });
    let usage = BinanceUsage {
        used_weight_1m: a.binance_weight_1m,
        order_count_10s: a.binance_orders_10s,
        order_count_1d: a.binance_orders_1d,
    };
    if usage != BinanceUsage::default() {
        push(GatewayEvent::BinanceUsage {
            venue,
            usage,
            unix_ns,
        });
    }
    if let Some(sec) = a.upbit_remaining_sec {
        push(GatewayEvent::UpbitRemaining { venue, group, sec });
    }
    if let Some(remaining) = a.bybit_limit.remaining {
        push(GatewayEvent::BybitLimit {
            venue,
            group,
            remaining,
            reset_unix_ms: a.bybit_limit.reset_unix_ms,
            unix_ns,
        });
    }
    if a.kind == AnswerKind::Banned {
        push(GatewayEvent::Banned {
            venue,
            retry_after_ms: a.retry_after_ms,
        });
    }
}
