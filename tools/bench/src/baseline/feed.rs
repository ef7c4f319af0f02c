//! One tokio task per venue connection, reading with tokio-tungstenite, as seed 000's design
//! runs its feeds.
//!
//! Contract of [`run_venue`]: connect to the venue's URL, send its subscribe messages, then read
//! frames until the stop signal; each data frame (text, or Upbit's binary JSON) is stamped with
//! the monotonic receive time right after it is read and handed to
//! [`Orchestrator::on_frame`](crate::engine::Orchestrator::on_frame). The venue's keep-alive is
//! sent on a timer (text pings for OKX, Bybit, Upbit); Binance's server pings are answered by
//! tungstenite. A dropped or failed connection is retried with doubling backoff
//! (`delay = min(delay * 2, max)`, reset after a session that delivered data).

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use microarb::ingest::venues::{keep_alive, ClientPing};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

use crate::engine::Orchestrator;
use crate::parse::BybitTops;
use crate::spec::VenueSpec;

/// What a venue task needs besides the shared state.
#[derive(Debug, Clone)]
pub struct FeedSpec {
    /// The venue.
    pub venue: VenueSpec,
    /// WebSocket URL (with Binance's combined streams).
    pub url: String,
    /// Text messages to send after connecting.
    pub subscribe: Vec<String>,
    /// First reconnect delay.
    pub backoff_initial: Duration,
    /// Largest reconnect delay.
    pub backoff_max: Duration,
}

/// Why a session ended.
enum SessionEnd {
    /// The stop signal.
    Stop,
    /// Connection failed or closed; whether it had delivered data.
    Dropped { had_data: bool },
}

/// Run one venue's feed until `stop` turns true.
pub async fn run_venue(orch: Arc<Orchestrator>, feed: FeedSpec, mut stop: watch::Receiver<bool>) {
    let mut delay = feed.backoff_initial;
    loop {
        if *stop.borrow() {
            return;
        }
        match session(&orch, &feed, &mut stop).await {
            SessionEnd::Stop => return,
            SessionEnd::Dropped { had_data } => {
                orch.stats.write().await.venue(&feed.venue.name).disconnects += 1;
                if had_data {
                    delay = feed.backoff_initial;
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stop.changed() => return,
        }
        delay = (delay * 2).min(feed.backoff_max);
    }
}

async fn session(
    orch: &Arc<Orchestrator>,
    feed: &FeedSpec,
    stop: &mut watch::Receiver<bool>,
) -> SessionEnd {
    let connect = tokio_tungstenite::connect_async(feed.url.as_str());
    let mut ws = tokio::select! {
        r = connect => match r {
            Ok((ws, _response)) => ws,
            Err(_) => return SessionEnd::Dropped { had_data: false },
        },
        _ = stop.changed() => return SessionEnd::Stop,
    };
    orch.stats.write().await.venue(&feed.venue.name).opens += 1;
    for msg in &feed.subscribe {
        if ws.send(Message::text(msg.clone())).await.is_err() {
            return SessionEnd::Dropped { had_data: false };
        }
    }
    let ka = keep_alive(feed.venue.kind);
    let ping: Option<Message> = match ka.client_ping {
        ClientPing::AnswerServerPings => None,
        ClientPing::ControlFrame => Some(Message::Ping(Vec::new().into())),
        ClientPing::Text(t) => Some(Message::text(t)),
    };
    let period = Duration::from_millis(ka.interval_ms.max(1));
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    let mut bybit = BybitTops::default();
    let mut had_data = false;
    loop {
        tokio::select! {
            next = ws.next() => {
                let recv_ns = orch.now_ns();
                match next {
                    Some(Ok(Message::Text(t))) => {
                        had_data = true;
                        orch.on_frame(&feed.venue, t.as_bytes(), recv_ns, &mut bybit).await;
                    }
                    Some(Ok(Message::Binary(b))) => {
                        had_data = true;
                        orch.on_frame(&feed.venue, &b, recv_ns, &mut bybit).await;
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                        return SessionEnd::Dropped { had_data };
                    }
                    Some(Ok(_)) => {}
                }
            }
            _ = ticker.tick() => {
                if let Some(p) = &ping {
                    if ws.send(p.clone()).await.is_err() {
                        return SessionEnd::Dropped { had_data };
                    }
                }
            }
            _ = stop.changed() => {
                let _ = ws.close(None).await;
                return SessionEnd::Stop;
            }
        }
    }
}
