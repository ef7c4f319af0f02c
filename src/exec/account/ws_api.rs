//! [`BinanceWsAccount`]: the account thread's own Binance WebSocket API session
//! (`/ws-api/v3`), logged on once with the venue's Ed25519 key (`session.logon`), then asked
//! `openOrders.status` and `account.status` without per-request signatures: the reconciliation's
//! open-order cross-checks and balance refreshes of a venue whose orders go over the WebSocket API
//! (`order_entry = "ws"`).
//!
//! Why a second session and not the order session: that one belongs to the exec stage's thread
//! (lock-free, zero allocation, answers matched into order legs); sharing it with the account
//! thread would need a lock or a ring pair through the hot loop. Binance allows many connections
//! per key, so the account thread keeps its own, blocking and cold.
//!
//! The `result` of `openOrders.status` and `account.status` carries the fields of the REST
//! answers of `GET /api/v3/openOrders` and `GET /api/v3/account`, and `error` the REST error
//! body's `code` and `msg` (Binance's WebSocket API docs): the answer is handed back as an
//! [`HttpResponse`] with the session's `status`, and the venue module reads it as it reads REST.
//!
//! Connection handling: connect, upgrade and logon on the first call and after any failure; the
//! server's pings are answered by tungstenite while reading; a `{"id":null,"status":401}`
//! (Binance: the key became invalid while logged on) drops the session ([`SessionError::Revoked`])
//! and the next call logs on again (refused while the key stays invalid). Cold path: blocks up to
//! the timeout per call, allocates.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::{ClientConnection, StreamOwned};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use super::error::AccountError;
use super::http::HttpResponse;
use super::request::AccountRequest;
use super::session::{AccountSession, SessionCounters, SessionError};
use crate::config::Config;
use crate::exec::gateway::codec::binance_ws::{
    parse_inbound, retry_after_ms, write_logon, Ed25519Key, LogonParams, RequestId, WsInbound,
    WsMethod, WsRequestWriter, WsSettings,
};
use crate::exec::gateway::codec::InstrumentTable;
use crate::exec::gateway::ws::build::{target, PUBLIC_WS_API_URL};
use crate::exec::secrets::ApiSecret;
use crate::net::http::TlsTarget;

/// How long one blocking read waits before the deadline is looked at again.
const READ_TICK: Duration = Duration::from_millis(20);

/// Where the session connects.
#[derive(Debug, Clone)]
pub struct WsAccountTarget {
    /// The resolved address.
    pub addr: SocketAddr,
    /// The `ws://` / `wss://` URL of the upgrade request (its host is the `Host` header).
    pub url: String,
    /// TLS identity for `wss://`.
    pub tls: Option<TlsTarget>,
}

/// One answer as the session read it.
struct Answer {
    status: u16,
    body: Vec<u8>,
    retry_after_s: Option<u64>,
}

type Socket = WebSocket<MaybeTlsStream<TcpStream>>;

/// The account thread's Binance WebSocket API session. See the module documentation.
pub struct BinanceWsAccount {
    target: WsAccountTarget,
    timeout: Duration,
    key: Ed25519Key,
    api_key: String,
    recv_window_ms: u32,
    writer: WsRequestWriter,
    ws: Option<Socket>,
    seq: u64,
    counters: SessionCounters,
}

impl std::fmt::Debug for BinanceWsAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BinanceWsAccount")
            .field("url", &self.target.url)
            .field("connected", &self.ws.is_some())
            .finish_non_exhaustive()
    }
}

impl BinanceWsAccount {
    /// A session to `target` logging on as `api_key` with `key`, waiting up to `timeout` per call
    /// (connect, upgrade and logon included). Connects on the first call.
    pub fn new(
        target: WsAccountTarget,
        timeout: Duration,
        key: Ed25519Key,
        api_key: String,
        recv_window_ms: u32,
        counters: SessionCounters,
    ) -> Result<Self, SessionError> {
        let writer = WsRequestWriter::new(
            WsSettings {
                recv_window_ms,
                client_id_prefix: String::new(),
                query_rate_limits: false,
            },
            InstrumentTable::default(),
        )?;
        Ok(BinanceWsAccount {
            target,
            timeout,
            key,
            api_key,
            recv_window_ms,
            writer,
            ws: None,
            seq: 0,
            counters,
        })
    }

    /// The session for `cfg.venues[i]` (a Binance venue with `order_entry = "ws"`): its
    /// `ws_api_url` (or Binance's public one), its `ed25519_key_file` and API key (cold path:
    /// DNS, the key file).
    pub fn for_venue(
        cfg: &Config,
        i: usize,
        cred: &ApiSecret,
        timeout: Duration,
        counters: SessionCounters,
    ) -> Result<Self, AccountError> {
        let v = &cfg.venues[i];
        let setup = |why: String| AccountError::Setup {
            venue: v.name.clone(),
            why,
        };
        let url = v.ws_api_url.as_deref().unwrap_or(PUBLIC_WS_API_URL);
        let t = target(cfg, "ws_api_url", url, &mut || {}).map_err(|e| setup(e.to_string()))?;
        let file = v.ed25519_key_file.as_deref().ok_or_else(|| {
            setup("ed25519_key_file is required with order_entry = \"ws\"".into())
        })?;
        let key = Ed25519Key::from_pem_file(std::path::Path::new(file))
            .map_err(|e| setup(format!("ed25519_key_file: {e}")))?;
        let target = WsAccountTarget {
            addr: t.settings.addr,
            url: url.to_owned(),
            tls: t.tls,
        };
        let api_key = String::from_utf8_lossy(cred.expose_key()).into_owned();
        Self::new(
            target,
            timeout,
            key,
            api_key,
            cfg.execution.rest.recv_window_ms,
            counters,
        )
        .map_err(|e| setup(e.to_string()))
    }

    /// Whether a logged-on connection is open.
    pub fn is_connected(&self) -> bool {
        self.ws.is_some()
    }

    fn ms(d: Duration) -> u64 {
        u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
    }

    /// TCP (+ TLS), the upgrade, then `session.logon`.
    fn connect(&mut self, unix_ms: u64) -> Result<(), SessionError> {
        let connect = |e: &dyn std::fmt::Display| SessionError::Connect(e.to_string());
        let tcp =
            TcpStream::connect_timeout(&self.target.addr, self.timeout).map_err(|e| connect(&e))?;
        tcp.set_nodelay(true).map_err(|e| connect(&e))?;
        tcp.set_read_timeout(Some(self.timeout))
            .map_err(|e| connect(&e))?;
        tcp.set_write_timeout(Some(self.timeout))
            .map_err(|e| connect(&e))?;
        let stream = match &self.target.tls {
            Some(t) => {
                let conn = ClientConnection::new(Arc::clone(&t.config), t.name.clone())
                    .map_err(|e| connect(&e))?;
                MaybeTlsStream::Rustls(StreamOwned::new(conn, tcp))
            }
            None => MaybeTlsStream::Plain(tcp),
        };
        let (ws, _) =
            tungstenite::client::client_with_config(self.target.url.as_str(), stream, None)
                .map_err(|e| connect(&e))?;
        let tcp = match ws.get_ref() {
            MaybeTlsStream::Plain(s) => s,
            MaybeTlsStream::Rustls(s) => s.get_ref(),
            _ => return Err(SessionError::Connect("unexpected stream kind".into())),
        };
        tcp.set_read_timeout(Some(READ_TICK))
            .map_err(|e| connect(&e))?;
        self.ws = Some(ws);
        self.seq += 1;
        let mut json = Vec::with_capacity(256);
        let params = LogonParams {
            api_key: self.api_key.as_bytes(),
            timestamp_ms: unix_ms,
            recv_window_ms: self.recv_window_ms,
        };
        write_logon(&self.key, params, self.seq, &mut json)?;
        let id = RequestId {
            method: WsMethod::Logon,
            number: self.seq,
        };
        let a = self.round_trip(json, id)?;
        if a.status != 200 {
            self.ws = None;
            self.counters.logon_refusals.inc();
            return Err(SessionError::LogonRefused {
                status: a.status,
                detail: String::from_utf8_lossy(&a.body).into_owned(),
            });
        }
        self.counters.logons.inc();
        Ok(())
    }

    /// Send `json` and read frames until the answer with `id`; any failure drops the connection.
    fn round_trip(&mut self, json: Vec<u8>, id: RequestId) -> Result<Answer, SessionError> {
        let r = self.round_trip_inner(json, id);
        if r.is_err() {
            if let Some(mut ws) = self.ws.take() {
                let _ = ws.close(None);
                let _ = ws.flush();
            }
        }
        r
    }

    fn round_trip_inner(&mut self, json: Vec<u8>, id: RequestId) -> Result<Answer, SessionError> {
        let deadline = Instant::now() + self.timeout;
        let timeout_ms = Self::ms(self.timeout);
        let socket = |e: tungstenite::Error| SessionError::Socket(Box::new(e));
        let ws = self
            .ws
            .as_mut()
            .ok_or(socket(tungstenite::Error::AlreadyClosed))?;
        let text = String::from_utf8(json)
            .map_err(|_| socket(tungstenite::Error::Utf8("request is not UTF-8".into())))?;
        ws.send(Message::text(text)).map_err(socket)?;
        loop {
            if Instant::now() >= deadline {
                return Err(SessionError::Timeout(timeout_ms));
            }
            let msg = match ws.read() {
                Ok(m) => m,
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    continue
                }
                Err(e) => return Err(socket(e)),
            };
            let payload = match &msg {
                Message::Text(t) => t.as_bytes(),
                Message::Binary(b) => b.as_ref(),
                Message::Close(_) => return Err(socket(tungstenite::Error::ConnectionClosed)),
                // Pings are answered by tungstenite inside `read`.
                _ => continue,
            };
            match parse_inbound(payload)? {
                WsInbound::Answer(env) if env.id == Some(id) => {
                    let body = env.result.or(env.error).unwrap_or_default().to_vec();
                    let retry_after_s = env.error.and_then(retry_after_s);
                    return Ok(Answer {
                        status: env.status,
                        body,
                        retry_after_s,
                    });
                }
                WsInbound::Answer(env) if env.id.is_none() && env.status == 401 => {
                    self.counters.revocations.inc();
                    return Err(SessionError::Revoked);
                }
                // Another request's late answer, or a pushed event: not this call's.
                _ => {}
            }
        }
    }
}

/// The wait a 429 / 418 error asks for, in whole seconds (rounded up), as a REST `Retry-After`
/// would say it.
fn retry_after_s(error: &[u8]) -> Option<u64> {
    retry_after_ms(error).map(|ms| ms.div_ceil(1000))
}

impl AccountSession for BinanceWsAccount {
    fn takes(&self, req: &AccountRequest) -> bool {
        matches!(
            req,
            AccountRequest::OpenOrders { .. } | AccountRequest::Balances
        )
    }

    fn exchange(
        &mut self,
        req: &AccountRequest,
        unix_ms: u64,
    ) -> Result<HttpResponse, SessionError> {
        if self.ws.is_none() {
            self.connect(unix_ms)?;
        }
        self.seq += 1;
        let mut json = Vec::with_capacity(WsRequestWriter::FRAME_CAPACITY);
        let method = match req {
            AccountRequest::OpenOrders { symbol, .. } => {
                let symbol = symbol.as_deref().map(str::as_bytes);
                self.writer
                    .write_open_orders_of(symbol, self.seq, unix_ms, &mut json)?;
                WsMethod::OpenOrders
            }
            AccountRequest::Balances => {
                self.writer.write_account(self.seq, unix_ms, &mut json);
                WsMethod::Account
            }
            other => return Err(SessionError::NotTaken(other.name())),
        };
        let id = RequestId {
            method,
            number: self.seq,
        };
        let a = self.round_trip(json, id)?;
        self.counters.calls.inc();
        let headers = a
            .retry_after_s
            .map(|s| vec![("Retry-After".to_owned(), s.to_string().into_bytes())])
            .unwrap_or_default();
        Ok(HttpResponse {
            status: a.status,
            headers,
            body: a.body,
        })
    }

    fn counters(&self) -> &SessionCounters {
        &self.counters
    }
}
