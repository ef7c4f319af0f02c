//! What a venue says about an order's fills beyond price and quantity: the fee it charged, the
//! asset it charged it in, and the venue's own order id. Fixed-size `Copy` values, so an answer
//! carries them through the gateway's event buffer and the trade-log ring without allocating.

use super::decimal::{parse_decimal, DecimalError};

/// Decimals kept in a [`Fee`] amount. Twelve covers every venue's published fee precision
/// (Binance and Bybit report 8; OKX's own example carries 11, `-0.00000192834`; Upbit's KRW fees
/// fewer) while an `i64` still holds a fee of up to 9.2e6 units of any asset on one order, far
/// beyond a micro-arbitrage leg's. A fee beyond either is not read (the stage logs its model).
pub const FEE_SCALE: u8 = 12;

/// Longest asset code kept (`USDT`, `KRW`, `BNB`; venue codes are short).
pub const ASSET_CODE_LEN: usize = 12;

/// Longest venue order id kept (Upbit's uuid is 36 bytes, Bybit's and OKX's ids about 20).
pub const VENUE_ORDER_ID_LEN: usize = 48;

/// A short ASCII text of fixed capacity `N`: asset codes and venue order ids as the venue wrote
/// them. Text longer than `N` is refused (`None`), never truncated, so nothing is mislabelled.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShortText<const N: usize> {
    bytes: [u8; N],
    len: u8,
}

impl<const N: usize> ShortText<N> {
    /// The empty text (nothing reported).
    pub const EMPTY: Self = ShortText {
        bytes: [0; N],
        len: 0,
    };

    /// `text` copied, or `None` when it is longer than `N` or holds a byte outside printable
    /// ASCII (what a JSON writer would have to escape is refused too: `"` and `\`).
    pub fn new(text: &[u8]) -> Option<Self> {
        if text.len() > N || text.len() > usize::from(u8::MAX) {
            return None;
        }
        if text
            .iter()
            .any(|&b| !(0x20..0x7f).contains(&b) || b == b'"' || b == b'\\')
        {
            return None;
        }
        let mut bytes = [0; N];
        bytes[..text.len()].copy_from_slice(text);
        Some(ShortText {
            bytes,
            len: text.len() as u8,
        })
    }

    /// The text's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The text (always ASCII by construction).
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// Whether nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<const N: usize> Default for ShortText<N> {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl<const N: usize> std::fmt::Debug for ShortText<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

/// An asset code (`USDT`, `KRW`, `BTC`).
pub type AssetCode = ShortText<ASSET_CODE_LEN>;

/// A venue's own order id (Binance `orderId`, Upbit `uuid`, Bybit `orderId`, OKX `ordId`).
pub type VenueOrderId = ShortText<VENUE_ORDER_ID_LEN>;

/// A fee as the venue reported it: the amount (mantissa at [`FEE_SCALE`], positive when paid)
/// and the asset it was charged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Fee {
    /// Amount paid, mantissa at [`FEE_SCALE`] (a rebate is negative).
    pub amount: i64,
    /// The asset it was paid in.
    pub asset: AssetCode,
}

impl Fee {
    /// Parse a fee amount from decimal text (`"0.00012"`; `negate` for venues that report fees
    /// as negative numbers, OKX) in `asset`. `None` when the amount is not an exact decimal at
    /// [`FEE_SCALE`] or the asset code is not short printable ASCII.
    pub fn parse(amount: &[u8], asset: &[u8], negate: bool) -> Option<Fee> {
        let a = parse_fee_amount(amount).ok()?;
        Some(Fee {
            amount: if negate { a.checked_neg()? } else { a },
            asset: AssetCode::new(asset)?,
        })
    }
}

/// A fee amount in decimal text at [`FEE_SCALE`].
pub fn parse_fee_amount(text: &[u8]) -> Result<i64, DecimalError> {
    parse_decimal(text, FEE_SCALE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_texts_refuse_rather_than_truncate() {
        let a = AssetCode::new(b"USDT").unwrap();
        assert_eq!(a.as_str(), "USDT");
        assert!(AssetCode::new(b"ABCDEFGHIJKLM").is_none(), "13 bytes > 12");
        assert!(AssetCode::new(b"US\"DT").is_none());
        assert!(AssetCode::EMPTY.is_empty());
        let id = VenueOrderId::new(b"cdd92199-2897-4e14-9448-f923320408ad").unwrap();
        assert_eq!(id.as_bytes().len(), 36);
    }

    #[test]
    fn fees_parse_exactly() {
        let f = Fee::parse(b"0.00012", b"BNB", false).unwrap();
        assert_eq!(f.amount, 120_000_000);
        assert_eq!(f.asset.as_str(), "BNB");
        let okx = Fee::parse(b"-0.5", b"USDT", true).unwrap();
        assert_eq!(okx.amount, 500_000_000_000);
        assert!(
            Fee::parse(b"0.0000000000001", b"BTC", false).is_none(),
            "beyond scale 12"
        );
        let okx_doc = Fee::parse(b"-0.00000192834", b"BTC", true).unwrap();
        assert_eq!(okx_doc.amount, 1_928_340);
        assert!(Fee::parse(b"x", b"BTC", false).is_none());
    }
}
