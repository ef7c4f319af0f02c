//! Order bytes: each leg encoded in its venue's own order request form, into a fixed buffer.
//!
//! The encoding is the last step before an order leaves the process, so the end of it is where
//! `tick_to_order` stops (DESIGN section 7). It must not allocate: symbols are copied into fixed
//! arrays when the encoder is built, decimals are written by [`format_decimal`] into a stack
//! scratch, and the request lands in an [`OrderBuf`] owned by the stage. A request that would not
//! fit is an error ([`EncodeError::TooLong`]), never a truncated order.
//!
//! Forms (every leg is an IOC limit order; the client order id is `ma<id>`, which every venue
//! accepts: OKX allows only letters and digits):
//!
//! - Binance `POST /api/v3/order`, query form:
//!   `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.5&price=25000.1&newClientOrderId=ma7`
//!   (the REST gateway appends `timestamp` and the signature).
//! - Upbit `POST /v1/orders`, JSON:
//!   `{"market":"USDT-BTC","side":"bid","ord_type":"limit","price":"25000.1","volume":"0.5","time_in_force":"ioc","identifier":"ma7"}`.
//!   Upbit's plain limit order rests on the book; IOC is its `time_in_force` option for
//!   `ord_type` `limit` (VENUES.md does not list it; it is in Upbit's order API, and the mock
//!   exchange must accept it). An engine must never leave a leg resting, so it is always sent.
//! - Bybit v5 `POST /v5/order/create`:
//!   `{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.5","price":"25000.1","timeInForce":"IOC","orderLinkId":"ma7"}`.
//! - OKX v5 `POST /api/v5/trade/order` (IOC is an order type there):
//!   `{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"ioc","px":"25000.1","sz":"0.5","clOrdId":"ma7"}`.

use thiserror::Error;

use crate::config::Config;
use crate::model::{format_decimal, InstrumentId, Order, Side, VenueId, VenueKind, MAX_VENUES};

/// Capacity of one encoded order request.
pub const ORDER_BUF: usize = 320;
/// Longest venue symbol the encoder keeps.
pub const MAX_SYMBOL: usize = 32;

/// One encoded order request.
#[derive(Clone, Copy)]
pub struct OrderBuf {
    bytes: [u8; ORDER_BUF],
    len: usize,
}

impl OrderBuf {
    /// An empty buffer.
    pub const fn new() -> OrderBuf {
        OrderBuf {
            bytes: [0; ORDER_BUF],
            len: 0,
        }
    }

    /// The encoded request.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl Default for OrderBuf {
    fn default() -> Self {
        OrderBuf::new()
    }
}

impl std::fmt::Debug for OrderBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "OrderBuf({:?})",
            String::from_utf8_lossy(self.as_bytes())
        )
    }
}

/// Why an order could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EncodeError {
    /// The instrument has no symbol on that venue (or the ids are out of range).
    #[error("instrument {instrument:?} has no symbol on venue {venue:?}")]
    NoSymbol {
        /// Instrument.
        instrument: InstrumentId,
        /// Venue.
        venue: VenueId,
    },
    /// The request does not fit [`ORDER_BUF`] bytes.
    #[error("order request longer than {ORDER_BUF} bytes")]
    TooLong,
    /// A symbol in the config is longer than [`MAX_SYMBOL`] (cold path).
    #[error("symbol {symbol:?} is longer than {MAX_SYMBOL} bytes")]
    SymbolTooLong {
        /// The symbol.
        symbol: String,
    },
}

#[derive(Debug, Clone, Copy)]
struct Symbol {
    bytes: [u8; MAX_SYMBOL],
    len: u8,
}

/// Encodes legs for every (instrument, venue) of a config. Built once; `encode` allocates nothing.
#[derive(Debug, Clone)]
pub struct OrderEncoder {
    kinds: [VenueKind; MAX_VENUES],
    symbols: Vec<Option<Symbol>>,
    scales: Vec<(u8, u8)>,
}

struct W<'a> {
    buf: &'a mut [u8; ORDER_BUF],
    at: usize,
}

impl W<'_> {
    #[inline]
    fn put(&mut self, b: &[u8]) -> Result<(), EncodeError> {
        let end = self.at + b.len();
        if end > ORDER_BUF {
            return Err(EncodeError::TooLong);
        }
        self.buf[self.at..end].copy_from_slice(b);
        self.at = end;
        Ok(())
    }

    #[inline]
    fn decimal(&mut self, m: i64, scale: u8) -> Result<(), EncodeError> {
        let mut tmp = [0u8; 48];
        let text = format_decimal(m, scale, &mut tmp);
        self.put(text)
    }
}

impl OrderEncoder {
    /// `kinds[venue]`, `symbols[instrument][venue]` (None: not traded there), `scales[instrument]`
    /// = (price scale, qty scale). Cold path.
    pub fn new(
        kinds: &[VenueKind],
        symbols: &[Vec<Option<String>>],
        scales: &[(u8, u8)],
    ) -> Result<OrderEncoder, EncodeError> {
        let mut k = [VenueKind::Binance; MAX_VENUES];
        for (i, kind) in kinds.iter().take(MAX_VENUES).enumerate() {
            k[i] = *kind;
        }
        let mut table = vec![None; symbols.len() * MAX_VENUES];
        for (i, row) in symbols.iter().enumerate() {
            for (v, s) in row.iter().take(MAX_VENUES).enumerate() {
                let Some(s) = s else { continue };
                if s.len() > MAX_SYMBOL {
                    return Err(EncodeError::SymbolTooLong { symbol: s.clone() });
                }
                let mut bytes = [0u8; MAX_SYMBOL];
                bytes[..s.len()].copy_from_slice(s.as_bytes());
                table[i * MAX_VENUES + v] = Some(Symbol {
                    bytes,
                    len: s.len() as u8,
                });
            }
        }
        Ok(OrderEncoder {
            kinds: k,
            symbols: table,
            scales: scales.to_vec(),
        })
    }

    /// From a validated config. Cold path.
    pub fn from_config(cfg: &Config) -> Result<OrderEncoder, EncodeError> {
        let kinds: Vec<VenueKind> = cfg.venues.iter().map(|v| v.kind).collect();
        let symbols: Vec<Vec<Option<String>>> = cfg
            .instruments
            .iter()
            .map(|i| {
                cfg.venues
                    .iter()
                    .map(|v| i.symbols.get(&v.name).cloned())
                    .collect()
            })
            .collect();
        let scales: Vec<(u8, u8)> = cfg
            .instruments
            .iter()
            .map(|i| (i.price_scale, i.qty_scale))
            .collect();
        OrderEncoder::new(&kinds, &symbols, &scales)
    }

    /// Whether the instrument trades on the venue (has a symbol there).
    pub fn has_symbol(&self, instrument: InstrumentId, venue: VenueId) -> bool {
        self.symbol(instrument, venue).is_some()
    }

    fn symbol(&self, instrument: InstrumentId, venue: VenueId) -> Option<&Symbol> {
        if venue.index() >= MAX_VENUES {
            return None;
        }
        self.symbols
            .get(instrument.index() * MAX_VENUES + venue.index())?
            .as_ref()
    }

    /// Encode one leg into `out` in its venue's form.
    #[inline]
    pub fn encode(&self, order: &Order, out: &mut OrderBuf) -> Result<(), EncodeError> {
        let no_symbol = EncodeError::NoSymbol {
            instrument: order.instrument,
            venue: order.venue,
        };
        let sym = self
            .symbol(order.instrument, order.venue)
            .ok_or(no_symbol.clone())?;
        let &(ps, qs) = self.scales.get(order.instrument.index()).ok_or(no_symbol)?;
        let sym = &sym.bytes[..usize::from(sym.len)];
        let buy = order.side == Side::Buy;
        let id = order.id.0 as i64;
        let mut w = W {
            buf: &mut out.bytes,
            at: 0,
        };
        out.len = 0;
        match self.kinds[order.venue.index()] {
            VenueKind::Binance => {
                w.put(b"symbol=")?;
                w.put(sym)?;
                w.put(if buy { b"&side=BUY" } else { b"&side=SELL" })?;
                w.put(b"&type=LIMIT&timeInForce=IOC&quantity=")?;
                w.decimal(order.qty.0, qs)?;
                w.put(b"&price=")?;
                w.decimal(order.px.0, ps)?;
                w.put(b"&newClientOrderId=ma")?;
                w.decimal(id, 0)?;
            }
            VenueKind::Upbit => {
                w.put(b"{\"market\":\"")?;
                w.put(sym)?;
                w.put(if buy {
                    b"\",\"side\":\"bid\""
                } else {
                    b"\",\"side\":\"ask\""
                })?;
                w.put(b",\"ord_type\":\"limit\",\"price\":\"")?;
                w.decimal(order.px.0, ps)?;
                w.put(b"\",\"volume\":\"")?;
                w.decimal(order.qty.0, qs)?;
                w.put(b"\",\"time_in_force\":\"ioc\",\"identifier\":\"ma")?;
                w.decimal(id, 0)?;
                w.put(b"\"}")?;
            }
            VenueKind::Bybit => {
                w.put(b"{\"category\":\"spot\",\"symbol\":\"")?;
                w.put(sym)?;
                w.put(if buy {
                    b"\",\"side\":\"Buy\""
                } else {
                    b"\",\"side\":\"Sell\""
                })?;
                w.put(b",\"orderType\":\"Limit\",\"qty\":\"")?;
                w.decimal(order.qty.0, qs)?;
                w.put(b"\",\"price\":\"")?;
                w.decimal(order.px.0, ps)?;
                w.put(b"\",\"timeInForce\":\"IOC\",\"orderLinkId\":\"ma")?;
                w.decimal(id, 0)?;
                w.put(b"\"}")?;
            }
            VenueKind::Okx => {
                w.put(b"{\"instId\":\"")?;
                w.put(sym)?;
                w.put(if buy {
                    b"\",\"tdMode\":\"cash\",\"side\":\"buy\""
                } else {
                    b"\",\"tdMode\":\"cash\",\"side\":\"sell\""
                })?;
                w.put(b",\"ordType\":\"ioc\",\"px\":\"")?;
                w.decimal(order.px.0, ps)?;
                w.put(b"\",\"sz\":\"")?;
                w.decimal(order.qty.0, qs)?;
                w.put(b"\",\"clOrdId\":\"ma")?;
                w.decimal(id, 0)?;
                w.put(b"\"}")?;
            }
        }
        out.len = w.at;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OppId, OrderId, Price, Qty, TimeInForce};

    fn encoder() -> OrderEncoder {
        let kinds = [
            VenueKind::Binance,
            VenueKind::Upbit,
            VenueKind::Bybit,
            VenueKind::Okx,
        ];
        let syms = vec![vec![
            Some("BTCUSDT".to_string()),
            Some("USDT-BTC".to_string()),
            Some("BTCUSDT".to_string()),
            None,
        ]];
        OrderEncoder::new(&kinds, &syms, &[(8, 8)]).unwrap()
    }

    fn order(venue: u8, side: Side) -> Order {
        Order {
            id: OrderId(7),
            opp: OppId(1),
            px: Price(2_500_010_000_000),
            qty: Qty(50_000_000),
            sent_ts_ns: 0,
            recv_ts_ns: 0,
            instrument: InstrumentId(0),
            venue: VenueId(venue),
            side,
            tif: TimeInForce::Ioc,
        }
    }

    fn text(e: &OrderEncoder, o: &Order) -> String {
        let mut b = OrderBuf::new();
        e.encode(o, &mut b).unwrap();
        String::from_utf8(b.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn each_venue_form() {
        let e = encoder();
        assert_eq!(
            text(&e, &order(0, Side::Buy)),
            "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.5&price=25000.1&newClientOrderId=ma7"
        );
        assert_eq!(
            text(&e, &order(1, Side::Sell)),
            r#"{"market":"USDT-BTC","side":"ask","ord_type":"limit","price":"25000.1","volume":"0.5","time_in_force":"ioc","identifier":"ma7"}"#
        );
        assert_eq!(
            text(&e, &order(2, Side::Buy)),
            r#"{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.5","price":"25000.1","timeInForce":"IOC","orderLinkId":"ma7"}"#
        );
        let v: serde_json::Value = serde_json::from_str(&text(&e, &order(1, Side::Buy))).unwrap();
        assert_eq!(v["side"], "bid");
    }

    #[test]
    fn okx_form_and_refusals() {
        let kinds = [VenueKind::Okx];
        let e = OrderEncoder::new(&kinds, &[vec![Some("BTC-USDT".into())]], &[(8, 8)]).unwrap();
        assert_eq!(
            text(&e, &order(0, Side::Sell)),
            r#"{"instId":"BTC-USDT","tdMode":"cash","side":"sell","ordType":"ioc","px":"25000.1","sz":"0.5","clOrdId":"ma7"}"#
        );
        let mut b = OrderBuf::new();
        assert_eq!(
            encoder().encode(&order(3, Side::Buy), &mut b),
            Err(EncodeError::NoSymbol {
                instrument: InstrumentId(0),
                venue: VenueId(3)
            })
        );
        assert!(matches!(
            OrderEncoder::new(&kinds, &[vec![Some("X".repeat(40))]], &[(8, 8)]),
            Err(EncodeError::SymbolTooLong { .. })
        ));
        // The longest possible numbers still fit.
        let mut o = order(1, Side::Buy);
        o.px = Price(i64::MIN);
        o.qty = Qty(i64::MIN);
        o.id = OrderId(u64::MAX >> 1);
        assert!(encoder().encode(&o, &mut b).is_ok());
    }
}
