//! Upbit's private WebSocket stream (`/websocket/v1/private`, docs.upbit.com "WebSocket 사용 및
//! 에러 안내" / WebSocket guide, "인증" / authentication, "내 주문 및 체결 (MyOrder)", global-docs
//! "My Asset", "연결 관리" / connection management) on the Upbit venue's feed port, when
//! [`MockConfig::api`](crate::MockConfig::api) is set: one stream per connection, on the
//! connection's own thread. Orders stay on REST; this stream only pushes.
//!
//! - Authentication: the upgrade request's `Authorization: Bearer <JWT>`, checked with the REST
//!   side's own Upbit check (`auth::verify_upbit`: HS256 over the secret, `access_key`, a
//!   `nonce`; no parameters, so no `query_hash`). Upbit answers a missing or bad token with the
//!   error frame `{"error":{"name":"INVALID_AUTH","message":"인증 정보가 올바르지 않습니다."}}`
//!   ("인증 정보 누락 또는 인증 토큰 검증 실패", an error "after connecting, to a request"): the
//!   upgrade succeeds, the first request is answered with it, and then the mock closes the
//!   connection (the close is our reading; the docs say only that the request fails).
//! - The subscription request (`request`): `myOrder` (optional `codes`), `myAsset`, a `format`;
//!   no answer on success, Upbit's error frame otherwise (the connection stays).
//! - Pushes (`frames`): for every order of the venue's account (the REST side's key) that is
//!   placed, executes (on arrival or resting on a later quote) or is cancelled, one `myOrder` per
//!   change (`wait`, `trade`, `done` / `cancel`), then one `myAsset` with the balances of the
//!   assets it trades. Every frame is binary, as Upbit sends them (its examples decode the
//!   message bytes as UTF-8).
//! - Keep-alive: ping control frames are answered with pongs; a `PING` text is answered
//!   `{"status":"UP"}`, and then again every
//!   [`UpbitPrivateConfig::status_interval`](crate::UpbitPrivateConfig); a connection with nothing
//!   received or sent for [`UpbitPrivateConfig::idle_timeout`](crate::UpbitPrivateConfig) is
//!   closed.
//! - Faults ([`UpbitPrivateConfig`](crate::UpbitPrivateConfig)): drop the stream after the n-th
//!   pushed frame; push every final `myOrder` twice.

mod frames;
mod request;

use std::net::{Shutdown, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use tungstenite::{Bytes, Message, WebSocket};

use super::auth::verify_upbit;
use super::private_hub::PrivateUpdate;
use super::state::{lock, RestSide};
use crate::shared::{Shared, VenueShared};
use crate::stats::VenueCounters;
use request::Subscription;

/// The path the private stream is served on.
pub(crate) const PATH: &str = "/websocket/v1/private";

/// How long a read waits before the loop turns (pushes, keep-alive, stop).
const READ_TICK: Duration = Duration::from_millis(2);

/// Upbit's answer to a missing or bad token.
const INVALID_AUTH: &str =
    r#"{"error":{"name":"INVALID_AUTH","message":"인증 정보가 올바르지 않습니다."}}"#;

/// Upbit's answer to a `PING` text.
const STATUS_UP: &str = r#"{"status":"UP"}"#;

/// Why the stream ended (the reason only shows in the counters).
struct End;

struct Stream<'a> {
    shared: &'a Shared,
    side: &'a RestSide,
    vs: &'a VenueShared,
    ws: WebSocket<TcpStream>,
    authed: bool,
    sub: Option<Subscription>,
    rx: Option<Receiver<Arc<PrivateUpdate>>>,
    /// Host ns of the latest frame received or sent (the idle timeout's origin).
    last_activity_ns: u64,
    /// When the next `{"status":"UP"}` is due (after a `PING` text).
    status_due_ns: Option<u64>,
    /// `myAsset` frames written (their `asset_uuid`).
    asset_frames: u64,
}

/// Serve one private stream on venue `vi` (the upgrade carried `authorization`) until it ends
/// or the exchange stops.
pub(crate) fn serve(
    shared: &Shared,
    vi: usize,
    ws: WebSocket<TcpStream>,
    authorization: Option<Vec<u8>>,
) {
    let Some(side) = shared.rest.as_deref() else {
        let mut ws = ws;
        let _ = ws.close(None);
        let _ = ws.flush();
        return;
    };
    let Some(venue) = side.venues[vi].as_ref() else {
        return;
    };
    let vs = &shared.venues[vi];
    VenueCounters::inc(&vs.counters.upbit_private_streams);
    if ws.get_ref().set_nonblocking(false).is_err()
        || ws.get_ref().set_read_timeout(Some(READ_TICK)).is_err()
    {
        return;
    }
    let authed = verify_upbit(side.creds(), authorization.as_deref(), b"").is_ok();
    if authed {
        let nonce = authorization
            .as_deref()
            .and_then(nonce_of)
            .unwrap_or_default();
        lock(&venue.private_nonces).push(nonce);
    }
    let mut s = Stream {
        shared,
        side,
        vs,
        ws,
        authed,
        sub: None,
        rx: None,
        last_activity_ns: shared.now_ns(),
        status_due_ns: None,
        asset_frames: 0,
    };
    let _ = s.run(vi);
}

/// The `nonce` of a verified `Bearer <JWT>`.
fn nonce_of(authorization: &[u8]) -> Option<String> {
    let token = authorization.strip_prefix(b"Bearer ")?;
    let payload = token.split(|&b| b == b'.').nth(1)?;
    let json = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&json).ok()?;
    v.get("nonce")?.as_str().map(str::to_owned)
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Stream<'_> {
    fn run(&mut self, vi: usize) -> Result<(), End> {
        let c = &self.vs.counters;
        let cfg = &self.side.upbit_private;
        loop {
            let now = self.shared.now_ns();
            if self.shared.stopping() {
                return self.close();
            }
            if now.saturating_sub(self.last_activity_ns) >= nanos(cfg.idle_timeout) {
                VenueCounters::inc(&c.upbit_private_idle_closes);
                return self.close();
            }
            if self.status_due_ns.is_some_and(|t| now >= t) {
                self.status_due_ns = Some(now + nanos(cfg.status_interval));
                self.send(STATUS_UP.to_owned())?;
            }
            self.push_pending()?;
            let msg = match self.ws.read() {
                Ok(m) => m,
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    continue
                }
                Err(_) => return Err(End),
            };
            self.last_activity_ns = self.shared.now_ns();
            let text = match &msg {
                Message::Text(t) => t.as_str().to_owned(),
                Message::Binary(b) => String::from_utf8_lossy(b).into_owned(),
                Message::Ping(_) => {
                    // tungstenite queued the pong; it leaves with this flush.
                    VenueCounters::inc(&c.pings_answered);
                    let _ = self.ws.flush();
                    continue;
                }
                Message::Pong(_) => {
                    VenueCounters::inc(&c.pongs_received);
                    continue;
                }
                Message::Close(_) => {
                    let _ = self.ws.flush();
                    return Err(End);
                }
                Message::Frame(_) => continue,
            };
            self.on_text(text.trim(), vi)?;
        }
    }

    fn on_text(&mut self, text: &str, vi: usize) -> Result<(), End> {
        let c = &self.vs.counters;
        if text == "PING" {
            VenueCounters::inc(&c.pings_answered);
            let now = self.shared.now_ns();
            self.status_due_ns = Some(now + nanos(self.side.upbit_private.status_interval));
            return self.send(STATUS_UP.to_owned());
        }
        if !self.authed {
            VenueCounters::inc(&c.upbit_private_auth_refusals);
            self.send(INVALID_AUTH.to_owned())?;
            return self.close();
        }
        match request::parse(text) {
            Ok(sub) => {
                VenueCounters::inc(&c.upbit_private_subscribes);
                if self.rx.is_none() {
                    if let Some(v) = self.side.venues[vi].as_ref() {
                        self.rx = Some(v.subscribe_private());
                    }
                }
                self.sub = Some(sub);
                Ok(())
            }
            Err(r) => {
                VenueCounters::inc(&c.upbit_private_bad_requests);
                let body = serde_json::json!({"error":{"name":r.name,"message":r.message}});
                self.send(body.to_string())
            }
        }
    }

    /// Write the frames of every update that arrived since the last turn.
    fn push_pending(&mut self) -> Result<(), End> {
        loop {
            let Some(rx) = self.rx.as_ref() else {
                return Ok(());
            };
            let u = match rx.try_recv() {
                Ok(u) => u,
                Err(TryRecvError::Empty) => return Ok(()),
                Err(TryRecvError::Disconnected) => {
                    self.rx = None;
                    return Ok(());
                }
            };
            self.push(&u)?;
        }
    }

    fn push(&mut self, u: &PrivateUpdate) -> Result<(), End> {
        let Some(sub) = self.sub.clone() else {
            return Ok(());
        };
        let scales = self.shared.scales;
        let copies = |final_: bool| {
            if final_ && self.side.upbit_private.duplicate_finals {
                2
            } else {
                1
            }
        };
        for e in &u.events {
            if !sub.wants_order(&e.order().symbol) {
                continue;
            }
            let frame = frames::my_order(e, u, scales, sub.format);
            for _ in 0..copies(e.is_final()) {
                self.push_frame(frame.clone())?;
            }
        }
        // Balances move with any order of the account, whichever markets `myOrder` filters.
        if sub.assets && !u.assets.is_empty() {
            self.asset_frames += 1;
            let frame = frames::my_asset(u, self.asset_frames, sub.format);
            self.push_frame(frame)?;
        }
        Ok(())
    }

    /// Send one data frame, counting it; the drop fault acts after it.
    fn push_frame(&mut self, frame: String) -> Result<(), End> {
        let c = &self.vs.counters;
        self.send(frame)?;
        VenueCounters::inc(&c.upbit_private_pushed);
        let nth = self.side.private_pushes.fetch_add(1, Ordering::AcqRel) + 1;
        if Some(nth) == self.side.upbit_private.drop_after_pushes {
            VenueCounters::inc(&c.upbit_private_dropped);
            let _ = self.ws.get_ref().shutdown(Shutdown::Both);
            return Err(End);
        }
        Ok(())
    }

    /// Send `text` as a binary frame (Upbit's frames are binary).
    fn send(&mut self, text: String) -> Result<(), End> {
        self.ws
            .send(Message::Binary(Bytes::from(text.into_bytes())))
            .map_err(|_| End)?;
        self.last_activity_ns = self.shared.now_ns();
        Ok(())
    }

    fn close(&mut self) -> Result<(), End> {
        let _ = self.ws.close(None);
        let _ = self.ws.flush();
        Err(End)
    }
}
