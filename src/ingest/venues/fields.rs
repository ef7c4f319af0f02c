//! Small typed readers over raw JSON value slices, shared by the adapters so each turns "missing",
//! "wrong type" and "bad decimal" into the same [`ParseError`] with the venue's field name.

use super::frame::ParseError;
use crate::base::scan::{parse_u64, str_content};
use crate::model::{parse_decimal, Scale};

/// The field's raw value, or [`ParseError::MissingField`].
#[inline]
pub(crate) fn required<'a>(
    v: Option<&'a [u8]>,
    field: &'static str,
) -> Result<&'a [u8], ParseError> {
    v.ok_or(ParseError::MissingField { field })
}

/// The content of a string value, or [`ParseError::WrongType`].
#[inline]
pub(crate) fn string<'a>(v: &'a [u8], field: &'static str) -> Result<&'a [u8], ParseError> {
    str_content(v).ok_or(ParseError::WrongType { field })
}

/// A decimal carried as a JSON string (`"25.3519"`), exactly at `scale`.
#[inline]
pub(crate) fn decimal_str(v: &[u8], field: &'static str, scale: Scale) -> Result<i64, ParseError> {
    parse_decimal(string(v, field)?, scale).map_err(ParseError::decimal(field))
}

/// A decimal carried as a JSON number (`4627000.0`, `1.5e-5`) or, leniently, a string, exactly at
/// `scale`: the number's text is parsed, never an `f64`.
#[inline]
pub(crate) fn decimal_num(v: &[u8], field: &'static str, scale: Scale) -> Result<i64, ParseError> {
    let text = str_content(v).unwrap_or(v);
    parse_decimal(text, scale).map_err(ParseError::decimal(field))
}

/// An unsigned integer carried as a JSON number or a string of digits (`"1597026383085"`).
#[inline]
pub(crate) fn uint(v: &[u8], field: &'static str) -> Result<u64, ParseError> {
    parse_u64(str_content(v).unwrap_or(v)).ok_or(ParseError::Integer { field })
}

/// A unix-ms timestamp as unix ns (`i64`, as [`Quote::exch_ts_ns`](crate::model::Quote)).
#[inline]
pub(crate) fn ms_to_ns(ms: u64, field: &'static str) -> Result<i64, ParseError> {
    ms.checked_mul(1_000_000)
        .and_then(|ns| i64::try_from(ns).ok())
        .ok_or(ParseError::Integer { field })
}

/// A book level's raw `(price, size)` values.
pub(crate) type Level<'a> = (&'a [u8], &'a [u8]);

/// First level `[price, size, ...]` of a book side array (`[["17440.00","40.833"]]`) as raw values;
/// `None` when the side is empty.
#[inline]
pub(crate) fn first_level<'a>(
    side: &'a [u8],
    field: &'static str,
) -> Result<Option<Level<'a>>, ParseError> {
    match crate::base::scan::first_element(side)? {
        None => Ok(None),
        Some(level) => level_pair(level, field).map(Some),
    }
}

/// `[price, size, ...]` as its first two raw values.
#[inline]
pub(crate) fn level_pair<'a>(
    level: &'a [u8],
    field: &'static str,
) -> Result<Level<'a>, ParseError> {
    let mut it = crate::base::scan::ArrIter::new(level);
    let px = it.next().ok_or(ParseError::WrongType { field })??;
    let qty = it.next().ok_or(ParseError::WrongType { field })??;
    Ok((px, qty))
}
