//! Venue codecs: the exact signed HTTP/1.1 request bytes (request line, headers, body) for an
//! order or a status query, one module per venue kind, written into a caller-owned buffer that
//! is reserved at construction and reused (allocation-free in steady state), and each venue reads
//! its answers ([`RestVenue`]).
//!
//! Both gateways use these: the REST gateway writes the bytes into the connection's buffer and
//! hands them to the socket; the paper gateway signs the same way with a throwaway key, so its
//! `tick_to_order` covers the same work. Layers, bottom up: [`encode`] (hex, base64url,
//! decimals), [`nonce`] (uuid v4), [`jwt`] (Upbit token), [`instruments`] (symbols and scales),
//! [`answer`] (what a response says), then the venues.
#![forbid(unsafe_code)]

pub mod answer;
pub mod binance;
pub mod binance_ws;
pub mod bybit;
pub mod bybit_ws;
pub mod encode;
pub mod fees;
pub mod instruments;
pub mod jwt;
pub mod nonce;
pub mod okx;
pub mod okx_ws;
pub mod tagged_id;
pub mod upbit;

pub use answer::{AnswerKind, InstrumentSpec, RequestError, RestAnswer, RestVenue};
pub use binance::{BinanceCodec, BinanceSettings};
pub use bybit::{BybitCodec, BybitSettings};
pub use instruments::InstrumentTable;
pub use okx::{OkxCodec, OkxSettings};
pub use upbit::{UpbitCodec, UpbitSettings};

use crate::model::{Order, VenueKind};
use nonce::UuidGen;

/// The codec of one venue, of whichever kind.
#[derive(Debug)]
pub enum VenueCodec {
    /// Binance: HMAC-SHA256 hex over the form body, `X-MBX-APIKEY`.
    Binance(BinanceCodec),
    /// Upbit: JWT HS256 with a SHA-512 `query_hash`.
    Upbit(UpbitCodec),
    /// Bybit v5: `X-BAPI-*` headers, hex HMAC-SHA256.
    Bybit(BybitCodec),
    /// OKX v5: `OK-ACCESS-*` headers, Base64 HMAC-SHA256.
    Okx(OkxCodec),
}

/// Key, secret and passphrase of the paper venues' codecs: they sign like a live venue, and no
/// venue ever sees the result.
const PAPER_KEY: &[u8] = b"paper-key";
const PAPER_SECRET: &[u8] = b"paper-secret";
const PAPER_PASSPHRASE: &[u8] = b"paper";

impl VenueCodec {
    /// A codec of `kind` with a throwaway key (the paper gateway's), client ids `ma<id>`. Cold
    /// path.
    pub fn paper(
        kind: VenueKind,
        instruments: InstrumentTable,
        seed: u64,
    ) -> Result<Self, RequestError> {
        let host = "paper.invalid".to_string();
        let prefix = "ma".to_string();
        Ok(match kind {
            VenueKind::Binance => VenueCodec::Binance(BinanceCodec::new(
                BinanceSettings {
                    host,
                    recv_window_ms: 5000,
                    client_id_prefix: prefix,
                },
                PAPER_KEY,
                PAPER_SECRET,
                instruments,
            )?),
            VenueKind::Upbit => VenueCodec::Upbit(UpbitCodec::new(
                UpbitSettings {
                    host,
                    identifier_prefix: prefix,
                    ioc: true,
                },
                PAPER_KEY,
                PAPER_SECRET,
                instruments,
                UuidGen::from_seed(seed),
            )?),
            VenueKind::Bybit => VenueCodec::Bybit(BybitCodec::new(
                BybitSettings {
                    host,
                    recv_window_ms: 5000,
                    client_id_prefix: prefix,
                },
                PAPER_KEY,
                PAPER_SECRET,
                instruments,
            )?),
            VenueKind::Okx => VenueCodec::Okx(OkxCodec::new(
                OkxSettings {
                    host,
                    client_id_prefix: prefix,
                },
                PAPER_KEY,
                PAPER_SECRET,
                PAPER_PASSPHRASE,
                instruments,
            )?),
        })
    }

    /// The complete signed order request into `out` (cleared first).
    #[inline]
    pub fn write_request(
        &mut self,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        match self {
            VenueCodec::Binance(c) => c.write_request(order, unix_ms, out),
            VenueCodec::Upbit(c) => c.write_request(order, unix_ms, out),
            VenueCodec::Bybit(c) => c.write_request(order, unix_ms, out),
            VenueCodec::Okx(c) => c.write_request(order, unix_ms, out),
        }
    }

    /// [`write_request`](Self::write_request)'s bytes for a warm-up, the codec left as it was
    /// ([`RestVenue::rehearse`]).
    #[inline]
    pub fn rehearse(
        &mut self,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        match self {
            VenueCodec::Binance(c) => c.rehearse(order, unix_ms, out),
            VenueCodec::Upbit(c) => c.rehearse(order, unix_ms, out),
            VenueCodec::Bybit(c) => c.rehearse(order, unix_ms, out),
            VenueCodec::Okx(c) => c.rehearse(order, unix_ms, out),
        }
    }

    /// The complete signed status query for `order` into `out` (cleared first).
    #[inline]
    pub fn write_status_request(
        &mut self,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        match self {
            VenueCodec::Binance(c) => c.write_status_request(order, unix_ms, out),
            VenueCodec::Upbit(c) => c.write_status_request(order, unix_ms, out),
            VenueCodec::Bybit(c) => c.write_status_request(order, unix_ms, out),
            VenueCodec::Okx(c) => c.write_status_request(order, unix_ms, out),
        }
    }

    /// One HTTP response to an order or status query for `order`, read by the venue's codec.
    pub fn parse_answer(
        &self,
        order: &Order,
        status: u16,
        headers: &[httparse::Header<'_>],
        body: &[u8],
        now_ns: u64,
    ) -> RestAnswer {
        match self {
            VenueCodec::Binance(c) => c.parse_answer(order, status, headers, body, now_ns),
            VenueCodec::Upbit(c) => c.parse_answer(order, status, headers, body, now_ns),
            VenueCodec::Bybit(c) => c.parse_answer(order, status, headers, body, now_ns),
            VenueCodec::Okx(c) => c.parse_answer(order, status, headers, body, now_ns),
        }
    }
}
