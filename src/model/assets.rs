//! Assets named by the instruments: `BTC/USDT` is base `BTC`, quote `USDT` (`-` and `_` also
//! split). Asset ids are assigned densely in order of first appearance, on the cold path.
//!
//! One function, [`assign_assets`], serves both the config check (`check-config`) and the
//! execution stage's build (`ExecParams::from_config`), so the two refuse exactly the same
//! configs with the same message: a name that does not split, or more distinct assets than the
//! risk book's cap [`MAX_ASSETS`].

use std::collections::HashMap;

use thiserror::Error;

use super::ids::MAX_INSTRUMENTS;

/// Most assets one engine tracks: the risk book's per-venue balance table is sized from the
/// config's asset count at start-up, never above this. As many as instruments, so a config of
/// [`MAX_INSTRUMENTS`] instruments sharing one quote asset always fits.
pub const MAX_ASSETS: usize = MAX_INSTRUMENTS;

/// Why the instruments' assets could not be assigned (cold path, config or stage build).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AssetError {
    /// An instrument name does not say its base and quote asset.
    #[error("instruments[{index}].name {name:?} must be BASE/QUOTE (or BASE-QUOTE, BASE_QUOTE)")]
    InstrumentName {
        /// Instrument index.
        index: usize,
        /// The name.
        name: String,
    },
    /// More distinct assets than [`MAX_ASSETS`].
    #[error("{count} distinct assets in the instrument names; at most {MAX_ASSETS}")]
    TooMany {
        /// Distinct assets named.
        count: usize,
    },
}

/// The assets of a config's instruments, ids dense from 0.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assets {
    /// Asset names by id, each with whether it is some instrument's quote asset.
    pub names: Vec<(String, bool)>,
    /// Each instrument's (base, quote) asset ids, in instrument order.
    pub of_instrument: Vec<(u16, u16)>,
}

/// `BASE/QUOTE` (or `-`, `_`) split at the first separator; `None` when either side is empty.
pub fn split_instrument_name(name: &str) -> Option<(&str, &str)> {
    let at = name.find(['/', '-', '_'])?;
    let (b, q) = (&name[..at], &name[at + 1..]);
    (!b.is_empty() && !q.is_empty()).then_some((b, q))
}

/// Assign asset ids to the instruments named `names` (in order). Refuses the first name that does
/// not split, or, after counting every distinct asset, more than [`MAX_ASSETS`]. Cold path.
pub fn assign_assets<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Assets, AssetError> {
    let mut out = Assets::default();
    let mut ids: HashMap<&'a str, usize> = HashMap::new();
    let mut id = |asset: &'a str, quote: bool, out: &mut Assets| {
        let next = out.names.len();
        let i = *ids.entry(asset).or_insert(next);
        if i == next {
            out.names.push((asset.to_string(), quote));
        }
        out.names[i].1 |= quote;
        i
    };
    for (index, name) in names.into_iter().enumerate() {
        let (b, q) = split_instrument_name(name).ok_or_else(|| AssetError::InstrumentName {
            index,
            name: name.to_string(),
        })?;
        let (b, q) = (id(b, false, &mut out), id(q, true, &mut out));
        // Ids past the cap are refused below, before any is used.
        out.of_instrument.push((
            b.min(usize::from(u16::MAX)) as u16,
            q.min(usize::from(u16::MAX)) as u16,
        ));
    }
    if out.names.len() > MAX_ASSETS {
        return Err(AssetError::TooMany {
            count: out.names.len(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_are_dense_in_order_of_first_appearance() {
        let a = assign_assets(["BTC/USDT", "ETH-USDT", "ETH_BTC"]).unwrap();
        let names: Vec<_> = a.names.iter().map(|(n, q)| (n.as_str(), *q)).collect();
        assert_eq!(names, [("BTC", true), ("USDT", true), ("ETH", false)]);
        assert_eq!(a.of_instrument, [(0, 1), (2, 1), (2, 0)]);
        assert_eq!(split_instrument_name("BTCUSDT"), None);
        assert_eq!(split_instrument_name("/USDT"), None);
    }

    #[test]
    fn a_bad_name_and_too_many_assets_are_refused_with_the_value() {
        assert_eq!(
            assign_assets(["BTC/USDT", "BTCUSDT"]),
            Err(AssetError::InstrumentName {
                index: 1,
                name: "BTCUSDT".into()
            })
        );
        let names: Vec<String> = (0..MAX_ASSETS).map(|i| format!("C{i}/USDT")).collect();
        let err = assign_assets(names.iter().map(String::as_str)).unwrap_err();
        assert_eq!(
            err,
            AssetError::TooMany {
                count: MAX_ASSETS + 1
            }
        );
        assert!(err.to_string().contains(&format!("at most {MAX_ASSETS}")));
        assert!(assign_assets(names[1..].iter().map(String::as_str)).is_ok());
    }
}
