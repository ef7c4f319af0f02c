//! Helpers shared by the `mockex_*` integration tests: a plain blocking tungstenite client (not
//! the engine's, so these tests hold the mock exchange to the venues' protocols on their own) and
//! the engine's parser to check what arrives. Engine venue kinds throughout; [`mock_kind`] maps
//! one to the mock's where a mock API takes it.
#![allow(dead_code)]

pub use super::mock::{engine_kind, mock_kind};

use std::net::TcpStream;
use std::time::{Duration, Instant};

use microarb::ingest::venues::{self, FeedParser, Frame, ParseError, SymbolTable};
use microarb::model::{InstrumentId, VenueId, VenueKind};
use mockex::{
    MockConfig, MockExchange, MockVenue, SimParams, SimQuote, SyntheticMarket, SyntheticSource,
};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// The test client.
pub type Client = WebSocket<MaybeTlsStream<TcpStream>>;

/// Read timeout of test clients: a read that gets nothing this long returns an error.
pub const READ_TIMEOUT: Duration = Duration::from_millis(100);

/// Connect to `url` with an optional incoming message limit.
pub fn connect_with(url: &str, max_message: Option<usize>) -> Client {
    let config = max_message.map(|n| {
        WebSocketConfig::default()
            .max_message_size(Some(n))
            .max_frame_size(Some(n))
    });
    let (ws, _) = tungstenite::client::connect_with_config(url, config, 3).expect("connect");
    match ws.get_ref() {
        MaybeTlsStream::Plain(s) => s.set_read_timeout(Some(READ_TIMEOUT)).expect("timeout"),
        _ => unreachable!("loopback is plain TCP"),
    }
    ws
}

/// Connect to `url`.
pub fn connect(url: &str) -> Client {
    connect_with(url, None)
}

/// Connect to the venue `name` of `ex` the way the engine does: its URL and subscribe messages for
/// `symbol`.
pub fn subscribe(ex: &MockExchange, name: &str, symbol: &str) -> Client {
    let ep = ex.endpoint(name).expect("served venue");
    let kind = engine_kind(ep.kind);
    let url = venues::ws_url(kind, Some(&ep.ws_url), &[symbol]);
    let mut ws = connect(&url);
    for msg in venues::subscribe_messages(kind, &[symbol], "t1") {
        ws.send(Message::Text(msg.into())).expect("subscribe");
    }
    ws
}

/// What a read gave.
#[derive(Debug)]
pub enum Got {
    /// A text or binary payload.
    Data(Vec<u8>, bool),
    /// A control frame or close.
    Other(Message),
    /// Nothing within the read timeout.
    Nothing,
    /// The connection failed.
    Failed(tungstenite::Error),
}

/// One read.
pub fn read(ws: &mut Client) -> Got {
    match ws.read() {
        Ok(Message::Text(t)) => Got::Data(t.as_bytes().to_vec(), false),
        Ok(Message::Binary(b)) => Got::Data(b.to_vec(), true),
        Ok(m) => Got::Other(m),
        Err(tungstenite::Error::Io(e))
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            Got::Nothing
        }
        Err(e) => Got::Failed(e),
    }
}

/// The next data payload within `within`, skipping control frames.
pub fn next_data(ws: &mut Client, within: Duration) -> Option<Vec<u8>> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        match read(ws) {
            Got::Data(d, _) => return Some(d),
            Got::Other(Message::Close(_)) | Got::Failed(_) => return None,
            _ => {}
        }
    }
    None
}

/// The engine's parser for one venue quoting `symbol` at scale 8.
pub fn parser(kind: VenueKind, symbol: &str) -> FeedParser {
    let table = SymbolTable::from_entries([(symbol, InstrumentId(0), 8, 8)]).expect("table");
    FeedParser::new(kind, VenueId(0), table)
}

/// Parse with the engine's parser.
pub fn parse(p: &mut FeedParser, payload: &[u8]) -> Result<Frame, ParseError> {
    p.parse(payload, 1)
}

/// Synthetic params that put a dislocation every 40 updates.
pub fn params() -> SimParams {
    SimParams {
        dislocation_every: 40,
        ..SimParams::default()
    }
}

/// One venue of `kind` named after it, streaming the synthetic market.
pub fn one_venue(kind: VenueKind, max_frames: Option<u64>) -> MockConfig {
    let src = SyntheticSource {
        params: params(),
        max_frames,
        ..SyntheticSource::default()
    };
    MockConfig::synthetic(vec![MockVenue::new(kind.name(), mock_kind(kind))], src)
}

/// The mock's default spelling of BTC/USDT on an engine venue kind.
pub fn default_symbol(kind: VenueKind) -> &'static str {
    MockVenue::default_symbol(mock_kind(kind))
}

/// The generator's first `n` quotes for `venues` venues.
pub fn reference(venues: usize, n: u64) -> (Vec<SimQuote>, SyntheticMarket) {
    let mut m = SyntheticMarket::new(SimParams { venues, ..params() });
    let qs = (0..n).map(|_| m.next_quote()).collect();
    (qs, m)
}

/// Wait until `cond` holds (polling), or panic with `what` after `within`.
pub fn wait_for(within: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}
