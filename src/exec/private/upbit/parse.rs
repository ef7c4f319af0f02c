//! Reading Upbit's private-stream frames (`format: DEFAULT`) into fixed-size events, without
//! allocating: `myOrder` into a [`MyOrder`] (with its [`MyOrderFill`] on `state: trade`),
//! `myAsset` into one [`MyAsset`] per currency, Upbit's error frame into
//! [`PrivateError::VenueError`]. Upbit sends the frames as binary or text WebSocket messages; both
//! carry the same UTF-8 JSON, so [`UpbitPrivateParser::parse`] takes the payload bytes of either.
//!
//! Numbers are Upbit's `Double`s written as JSON numbers (or, tolerated, as strings) and are read
//! exactly at the market's scales ([`parse_decimal`](crate::model::parse_decimal), exponents
//! included): a value with more decimals than the scale is refused, never rounded. The average
//! price is `executed_funds / executed_volume` (as the REST codec computes it), truncated. Fees
//! (`paid_fee`, `trade_fee`) are binary doubles on the wire (`22.467660028283017`), so they are
//! truncated at [`FEE_SCALE`] instead of refused; balances (doubles too) are truncated at
//! [`BALANCE_SCALE`]. Every refused frame is counted in [`PrivateCounters`] by
//! reason and returned as a [`PrivateError`] carrying the offending text.

use thiserror::Error;

use crate::base::scan::{parse_u64, str_content, ArrIter, ObjIter, ScanError};
use crate::exec::gateway::codec::answer::{avg_price, InstrumentSpec};
use crate::model::{
    parse_decimal, AssetCode, Fee, InstrumentId, OrderId, Price, Qty, ShortText, Side,
    VenueOrderId, FEE_SCALE,
};

/// Scale of the balances read (1e-8 of the asset): the execution stage's `ASSET_SCALE`, written
/// here so this reader depends on nothing of the stage's parameters (a test checks they agree).
pub const BALANCE_SCALE: u8 = 8;

/// Most currencies read from one `myAsset` frame (Upbit sends the currencies an event touched:
/// the two of a market, rarely more). A frame with more is refused, never cut short.
pub const MAX_ASSETS_PER_FRAME: usize = 16;

/// The offending text carried by an error: at most 48 bytes of it, non-printable bytes as `?`.
pub type Snippet = ShortText<48>;

/// An Upbit market the parser knows: its code (`KRW-BTC`), the engine's instrument and scales.
#[derive(Debug, Clone)]
pub struct UpbitMarket {
    /// The engine's id of the instrument.
    pub instrument: InstrumentId,
    /// Upbit's market code and the mantissa scales.
    pub spec: InstrumentSpec,
}

/// An order's state as `myOrder` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderState {
    /// `wait`: resting, nothing new executed.
    Wait,
    /// `watch`: a reserved (stop) order waiting for its trigger.
    Watch,
    /// `trade`: one execution; the frame's `price`/`volume` are that trade's.
    Trade,
    /// `done`: fully executed (final).
    Done,
    /// `cancel`: cancelled, `executed_volume` may be > 0 (final).
    Cancel,
    /// `prevented`: stopped by self-match prevention (final).
    Prevented,
}

impl OrderState {
    /// Whether the order can change no more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderState::Done | OrderState::Cancel | OrderState::Prevented
        )
    }
}

/// One execution of our order (`state: trade`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MyOrderFill {
    /// Upbit's id of the trade (`trade_uuid`): the key that makes a replayed fill harmless.
    pub trade_uuid: VenueOrderId,
    /// The trade's price.
    pub price: Price,
    /// The trade's quantity.
    pub qty: Qty,
    /// This trade's fee (`trade_fee`, in the market's quote currency).
    pub fee: Fee,
    /// Whether we were the maker (`is_maker`).
    pub maker: bool,
}

/// A `myOrder` frame: an order's state after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MyOrder {
    /// The instrument (from `code`).
    pub instrument: InstrumentId,
    /// Our order id, read from `identifier` (the prefix, then the decimal id); `None` when the
    /// order is not the engine's (no identifier, or another prefix).
    pub client: Option<OrderId>,
    /// Upbit's order id (`uuid`).
    pub uuid: VenueOrderId,
    /// `BID` buys, `ASK` sells.
    pub side: Side,
    /// The order's state.
    pub state: OrderState,
    /// Quantity executed so far (`executed_volume`).
    pub executed: Qty,
    /// Average price so far (`executed_funds / executed_volume`; zero with nothing executed).
    pub avg_price: Price,
    /// Fee paid so far (`paid_fee`, in the quote currency).
    pub paid_fee: Fee,
    /// The execution, on `state: trade`.
    pub fill: Option<MyOrderFill>,
}

/// One currency of a `myAsset` frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MyAsset {
    /// The currency (`KRW`, `BTC`).
    pub currency: AssetCode,
    /// Free to order (`balance`), mantissa at [`BALANCE_SCALE`].
    pub free: i64,
    /// Held by open orders (`locked`), mantissa at [`BALANCE_SCALE`].
    pub locked: i64,
}

/// What one frame gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivateEvent {
    /// An order update.
    Order(MyOrder),
    /// A balance after a change.
    Asset(MyAsset),
    /// `{"status":"UP"}`, Upbit's answer to a `PING` text message: the connection is alive.
    Alive,
}

/// Why a frame was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PrivateError {
    /// Not well-formed JSON (truncated, not an object...).
    #[error("malformed frame: {0}")]
    Malformed(#[from] ScanError),
    /// A field the frame's type needs is absent or null.
    #[error("{ty} frame without `{field}`")]
    MissingField {
        /// The frame's type.
        ty: &'static str,
        /// The absent field.
        field: &'static str,
    },
    /// A field whose value cannot be read (not a number at the scale, unknown word, too long).
    #[error("`{field}` cannot be read: {value:?}")]
    BadValue {
        /// The field.
        field: &'static str,
        /// Its raw value.
        value: Snippet,
    },
    /// `myOrder` for a market the parser was not given.
    #[error("myOrder for unknown market {code:?}")]
    UnknownMarket {
        /// The frame's `code`.
        code: Snippet,
    },
    /// A `type` other than `myOrder` / `myAsset`, or none.
    #[error("unknown frame type {ty:?}")]
    UnknownType {
        /// The frame's `type` (empty when absent).
        ty: Snippet,
    },
    /// `myAsset` with more than [`MAX_ASSETS_PER_FRAME`] currencies.
    #[error("myAsset with more than {MAX_ASSETS_PER_FRAME} currencies")]
    TooManyAssets,
    /// Upbit's error frame `{"error":{"name":..,"message":..}}` (e.g. `INVALID_AUTH`).
    #[error("Upbit error {name:?}")]
    VenueError {
        /// The error's `name`.
        name: Snippet,
    },
}

/// Frames read and refused, by kind and reason (the stage exports them as metrics).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrivateCounters {
    /// `myOrder` frames read.
    pub orders: u64,
    /// ... of which carried a fill.
    pub fills: u64,
    /// ... of which were not the engine's orders (`client` is `None`).
    pub foreign_orders: u64,
    /// `myAsset` currencies read.
    pub assets: u64,
    /// `{"status":"UP"}` frames.
    pub alive: u64,
    /// Refused: malformed JSON.
    pub malformed: u64,
    /// Refused: a needed field absent.
    pub missing_field: u64,
    /// Refused: a field unreadable.
    pub bad_value: u64,
    /// Refused: unknown market.
    pub unknown_market: u64,
    /// Refused: unknown frame type.
    pub unknown_type: u64,
    /// Refused: too many currencies in one frame.
    pub too_many_assets: u64,
    /// Upbit error frames.
    pub venue_errors: u64,
}

impl PrivateCounters {
    fn count_error(&mut self, e: &PrivateError) {
        let c = match e {
            PrivateError::Malformed(_) => &mut self.malformed,
            PrivateError::MissingField { .. } => &mut self.missing_field,
            PrivateError::BadValue { .. } => &mut self.bad_value,
            PrivateError::UnknownMarket { .. } => &mut self.unknown_market,
            PrivateError::UnknownType { .. } => &mut self.unknown_type,
            PrivateError::TooManyAssets => &mut self.too_many_assets,
            PrivateError::VenueError { .. } => &mut self.venue_errors,
        };
        *c += 1;
    }
}

/// Reads one connection's frames; built on the cold path, then allocation-free.
#[derive(Debug)]
pub struct UpbitPrivateParser {
    markets: Vec<UpbitMarket>,
    identifier_prefix: Box<[u8]>,
    counters: PrivateCounters,
}

/// The raw values of the fields the parser reads.
#[derive(Default)]
struct Raw<'a> {
    ty: Option<&'a [u8]>,
    code: Option<&'a [u8]>,
    uuid: Option<&'a [u8]>,
    ask_bid: Option<&'a [u8]>,
    state: Option<&'a [u8]>,
    trade_uuid: Option<&'a [u8]>,
    price: Option<&'a [u8]>,
    volume: Option<&'a [u8]>,
    executed_volume: Option<&'a [u8]>,
    executed_funds: Option<&'a [u8]>,
    paid_fee: Option<&'a [u8]>,
    trade_fee: Option<&'a [u8]>,
    is_maker: Option<&'a [u8]>,
    identifier: Option<&'a [u8]>,
    assets: Option<&'a [u8]>,
    error: Option<&'a [u8]>,
    status: Option<&'a [u8]>,
}

/// `text` cut to a [`Snippet`], non-printable bytes (and `"`, `\`) as `?`.
pub fn snippet(text: &[u8]) -> Snippet {
    let mut buf = [0u8; 48];
    let n = text.len().min(buf.len());
    for (d, &s) in buf.iter_mut().zip(&text[..n]) {
        *d = if (0x20..0x7f).contains(&s) && s != b'"' && s != b'\\' {
            s
        } else {
            b'?'
        };
    }
    Snippet::new(&buf[..n]).unwrap_or(Snippet::EMPTY)
}

/// A value's text: a string's content or the raw number; `None` for `null`.
fn text(v: Option<&[u8]>) -> Option<&[u8]> {
    match v {
        None | Some(b"null") => None,
        Some(v) => Some(str_content(v).unwrap_or(v)),
    }
}

fn need<'a>(
    v: Option<&'a [u8]>,
    ty: &'static str,
    field: &'static str,
) -> Result<&'a [u8], PrivateError> {
    text(v).ok_or(PrivateError::MissingField { ty, field })
}

fn bad(field: &'static str, v: &[u8]) -> PrivateError {
    PrivateError::BadValue {
        field,
        value: snippet(v),
    }
}

fn decimal(field: &'static str, v: &[u8], scale: u8) -> Result<i64, PrivateError> {
    parse_decimal(v, scale).map_err(|_| bad(field, v))
}

/// `v` at `scale` with the decimals beyond it dropped (not rounded): for fees, which Upbit
/// writes as binary doubles (`22.467660028283017`) finer than any fee precision. Exponent forms
/// are read exactly.
fn truncated(v: &[u8], scale: u8) -> &[u8] {
    if v.iter().any(|&b| b == b'e' || b == b'E') {
        return v;
    }
    match v.iter().position(|&b| b == b'.') {
        Some(dot) => &v[..v.len().min(dot + 1 + usize::from(scale))],
        None => v,
    }
}

/// A balance at [`BALANCE_SCALE`], decimals beyond it dropped (Upbit's balances are `Double`s:
/// a quote balance after a trade can carry binary noise past 1e-8); one beyond `i64` is refused.
fn balance(field: &'static str, v: &[u8]) -> Result<i64, PrivateError> {
    parse_decimal(truncated(v, BALANCE_SCALE), BALANCE_SCALE).map_err(|_| bad(field, v))
}

fn short<const N: usize>(field: &'static str, v: &[u8]) -> Result<ShortText<N>, PrivateError> {
    ShortText::new(v).ok_or_else(|| bad(field, v))
}

impl UpbitPrivateParser {
    /// A parser for `markets`, reading our order ids from identifiers `<identifier_prefix><id>`
    /// (the REST codec's `identifier_prefix`). Cold path.
    pub fn new(markets: Vec<UpbitMarket>, identifier_prefix: &str) -> Self {
        UpbitPrivateParser {
            markets,
            identifier_prefix: identifier_prefix.as_bytes().into(),
            counters: PrivateCounters::default(),
        }
    }

    /// Frames read and refused so far.
    pub fn counters(&self) -> &PrivateCounters {
        &self.counters
    }

    /// Read one frame (the payload of a text or binary message), handing each event to `on`. A
    /// refused frame hands nothing, is counted, and its reason returned.
    pub fn parse(
        &mut self,
        frame: &[u8],
        on: &mut impl FnMut(PrivateEvent),
    ) -> Result<(), PrivateError> {
        let r = self.parse_inner(frame, on);
        if let Err(e) = &r {
            self.counters.count_error(e);
        }
        r
    }

    fn parse_inner(
        &mut self,
        frame: &[u8],
        on: &mut impl FnMut(PrivateEvent),
    ) -> Result<(), PrivateError> {
        let mut r = Raw::default();
        for member in ObjIter::new(frame) {
            let (k, v) = member?;
            let slot = match k {
                b"type" => &mut r.ty,
                b"code" => &mut r.code,
                b"uuid" => &mut r.uuid,
                b"ask_bid" => &mut r.ask_bid,
                b"state" => &mut r.state,
                b"trade_uuid" => &mut r.trade_uuid,
                b"price" => &mut r.price,
                b"volume" => &mut r.volume,
                b"executed_volume" => &mut r.executed_volume,
                b"executed_funds" => &mut r.executed_funds,
                b"paid_fee" => &mut r.paid_fee,
                b"trade_fee" => &mut r.trade_fee,
                b"is_maker" => &mut r.is_maker,
                b"identifier" => &mut r.identifier,
                b"assets" => &mut r.assets,
                b"error" => &mut r.error,
                b"status" => &mut r.status,
                _ => continue,
            };
            *slot = Some(v);
        }
        if let Some(err) = r.error {
            let mut name: &[u8] = b"";
            for member in ObjIter::new(err) {
                let (k, v) = member?;
                if k == b"name" {
                    name = str_content(v).unwrap_or(v);
                }
            }
            return Err(PrivateError::VenueError {
                name: snippet(name),
            });
        }
        match text(r.ty) {
            Some(b"myOrder") => {
                let order = self.order(&r)?;
                self.counters.orders += 1;
                self.counters.fills += u64::from(order.fill.is_some());
                self.counters.foreign_orders += u64::from(order.client.is_none());
                on(PrivateEvent::Order(order));
                Ok(())
            }
            Some(b"myAsset") => self.assets(&r, on),
            None if text(r.status) == Some(b"UP") => {
                self.counters.alive += 1;
                on(PrivateEvent::Alive);
                Ok(())
            }
            ty => Err(PrivateError::UnknownType {
                ty: snippet(ty.unwrap_or(b"")),
            }),
        }
    }

    fn order(&self, r: &Raw<'_>) -> Result<MyOrder, PrivateError> {
        const TY: &str = "myOrder";
        let code = need(r.code, TY, "code")?;
        let market = self
            .markets
            .iter()
            .find(|m| m.spec.symbol.as_bytes() == code)
            .ok_or_else(|| PrivateError::UnknownMarket {
                code: snippet(code),
            })?;
        let (ps, qs) = (market.spec.price_scale, market.spec.qty_scale);
        // The fee currency is the market's quote: `KRW` of `KRW-BTC`.
        let quote = code.split(|&b| b == b'-').next().unwrap_or(code);
        let fee = |field: &'static str, v: &[u8]| {
            Fee::parse(truncated(v, FEE_SCALE), quote, false).ok_or_else(|| bad(field, v))
        };
        let uuid = need(r.uuid, TY, "uuid")?;
        let side = match need(r.ask_bid, TY, "ask_bid")? {
            b"BID" => Side::Buy,
            b"ASK" => Side::Sell,
            v => return Err(bad("ask_bid", v)),
        };
        let state = match need(r.state, TY, "state")? {
            b"wait" => OrderState::Wait,
            b"watch" => OrderState::Watch,
            b"trade" => OrderState::Trade,
            b"done" => OrderState::Done,
            b"cancel" => OrderState::Cancel,
            b"prevented" => OrderState::Prevented,
            v => return Err(bad("state", v)),
        };
        let ev = need(r.executed_volume, TY, "executed_volume")?;
        let executed = Qty(decimal("executed_volume", ev, qs)?);
        let avg = match text(r.executed_funds) {
            Some(f) => avg_price(f, executed, &market.spec),
            None => Price::ZERO,
        };
        let paid_fee = match text(r.paid_fee) {
            Some(v) => fee("paid_fee", v)?,
            None => Fee::parse(b"0", quote, false).unwrap_or_default(),
        };
        let fill = if state == OrderState::Trade {
            let tu = need(r.trade_uuid, TY, "trade_uuid")?;
            let p = need(r.price, TY, "price")?;
            let v = need(r.volume, TY, "volume")?;
            let tf = need(r.trade_fee, TY, "trade_fee")?;
            let maker = match text(r.is_maker) {
                Some(b"true") => true,
                Some(b"false") | None => false,
                Some(v) => return Err(bad("is_maker", v)),
            };
            Some(MyOrderFill {
                trade_uuid: short("trade_uuid", tu)?,
                price: Price(decimal("price", p, ps)?),
                qty: Qty(decimal("volume", v, qs)?),
                fee: fee("trade_fee", tf)?,
                maker,
            })
        } else {
            None
        };
        let client = text(r.identifier)
            .and_then(|id| id.strip_prefix(&*self.identifier_prefix))
            .and_then(parse_u64)
            .map(OrderId);
        Ok(MyOrder {
            instrument: market.instrument,
            client,
            uuid: short("uuid", uuid)?,
            side,
            state,
            executed,
            avg_price: avg,
            paid_fee,
            fill,
        })
    }

    fn assets(
        &mut self,
        r: &Raw<'_>,
        on: &mut impl FnMut(PrivateEvent),
    ) -> Result<(), PrivateError> {
        const TY: &str = "myAsset";
        let list = r.assets.ok_or(PrivateError::MissingField {
            ty: TY,
            field: "assets",
        })?;
        // Read every currency first, so a bad one refuses the whole frame.
        let mut read = [MyAsset {
            currency: AssetCode::EMPTY,
            free: 0,
            locked: 0,
        }; MAX_ASSETS_PER_FRAME];
        let mut n = 0;
        for item in ArrIter::new(list) {
            let item = item?;
            let (mut cur, mut bal, mut lck) = (None, None, None);
            for member in ObjIter::new(item) {
                let (k, v) = member?;
                match k {
                    b"currency" => cur = Some(v),
                    b"balance" => bal = Some(v),
                    b"locked" => lck = Some(v),
                    _ => {}
                }
            }
            let slot = read.get_mut(n).ok_or(PrivateError::TooManyAssets)?;
            let cur = need(cur, TY, "currency")?;
            *slot = MyAsset {
                currency: short("currency", cur)?,
                free: balance("balance", need(bal, TY, "balance")?)?,
                locked: balance("locked", need(lck, TY, "locked")?)?,
            };
            n += 1;
        }
        self.counters.assets += n as u64;
        for a in &read[..n] {
            on(PrivateEvent::Asset(*a));
        }
        Ok(())
    }
}
