//! `[[instruments]]`: names, scales, lots, and the venue symbols that must name known venues.
//!
//! Every limit the stage builders enforce on instruments is checked here with the builder's own
//! message, so `check-config` refuses exactly what `run` and `replay` would: the instrument cap
//! (the detector's), names that split into assets and the asset cap (the risk book's, through the
//! same [`assign_assets`]), symbol length and case-insensitive duplicates per venue (ingest's
//! symbol tables) and bytes that would need url-encoding (the order codecs').

use std::collections::{BTreeMap, BTreeSet};

use crate::config::check::Check;
use crate::config::schema::{Config, InstrumentConfig};
use crate::model::{
    assign_assets, base_symbol, is_unreserved, AssetError, MAX_INSTRUMENTS, MAX_SCALE,
    MAX_SYMBOL_LEN,
};

/// Check every instrument against the venues named in `venue_names`.
pub(in crate::config) fn instruments(k: &mut Check, c: &Config, venue_names: &BTreeSet<&str>) {
    if c.instruments.is_empty() {
        k.fail("instruments", "at least one instrument is required");
    }
    if c.instruments.len() > MAX_INSTRUMENTS {
        k.fail(
            "instruments",
            format!(
                "{} instruments; need 1..={MAX_INSTRUMENTS}",
                c.instruments.len()
            ),
        );
    }
    match assign_assets(c.instruments.iter().map(|i| i.name.as_str())) {
        Ok(_) => {}
        Err(e @ AssetError::InstrumentName { index, .. }) => {
            k.fail(format!("instruments[{index}].name"), e.to_string());
        }
        Err(e @ AssetError::TooMany { .. }) => k.fail("instruments", e.to_string()),
    }
    // (venue, upper-cased symbol without depth suffix): the key ingest's table looks up.
    let mut keys_seen: BTreeSet<(&str, Vec<u8>)> = BTreeSet::new();
    let mut instrument_names = BTreeSet::new();
    let mut symbols_seen: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (i, ins) in c.instruments.iter().enumerate() {
        let p = format!("instruments[{i}]");
        if ins.name.is_empty() {
            k.fail(format!("{p}.name"), "must not be empty");
        }
        if !instrument_names.insert(ins.name.as_str()) {
            k.fail(
                format!("{p}.name"),
                format!("duplicate instrument name {:?}", ins.name),
            );
        }
        for (key, scale) in [
            ("price_scale", ins.price_scale),
            ("qty_scale", ins.qty_scale),
        ] {
            if scale > MAX_SCALE {
                k.fail(
                    format!("{p}.{key}"),
                    format!("at most {MAX_SCALE} (got {scale})"),
                );
            }
        }
        if ins.qty_scale <= MAX_SCALE {
            k.positive_amount(&format!("{p}.lot"), &ins.lot, ins.qty_scale);
        }
        if let (Some(mn), true) = (&ins.max_notional, ins.price_scale <= MAX_SCALE) {
            k.positive_amount(&format!("{p}.max_notional"), mn, ins.price_scale);
        }
        if ins.symbols.is_empty() {
            k.fail(
                format!("{p}.symbols"),
                "must map at least one venue to a symbol",
            );
        }
        for (venue, symbol) in &ins.symbols {
            let sp = format!("{p}.symbols.{venue}");
            if !venue_names.contains(venue.as_str()) {
                k.fail(
                    &sp,
                    format!("names unknown venue {venue:?} (not in [[venues]])"),
                );
            }
            if symbol.is_empty() || symbol.bytes().any(|b| b.is_ascii_whitespace() || b == b'"') {
                k.fail(
                    &sp,
                    format!("symbol must be non-empty without spaces or quotes (got {symbol:?})"),
                );
            }
            if let Some(&byte) = symbol
                .as_bytes()
                .iter()
                .find(|&&b| !is_unreserved(b) && !b.is_ascii_whitespace() && b != b'"')
            {
                k.fail(
                    &sp,
                    format!("symbol holds byte {byte:#04x}, which would need url-encoding"),
                );
            }
            let key = base_symbol(symbol.as_bytes());
            if key.len() > MAX_SYMBOL_LEN {
                k.fail(
                    &sp,
                    format!("venue symbol {symbol:?} is longer than {MAX_SYMBOL_LEN} bytes"),
                );
            }
            let fresh_key = keys_seen.insert((venue.as_str(), key.to_ascii_uppercase()));
            if let Some(other) = symbols_seen.insert((venue.as_str(), symbol.as_str()), i) {
                k.fail(
                    &sp,
                    format!(
                        "symbol {symbol:?} on {venue:?} is already used by instruments[{other}]"
                    ),
                );
            } else if !fresh_key && !key.is_empty() {
                k.fail(&sp, format!("venue symbol {symbol:?} appears twice"));
            }
        }
        rules_overrides(k, &p, ins);
    }
}

/// `instruments[i].rules.<venue>`: each names a venue the instrument has a symbol on, and each
/// value is a positive decimal exact at its scale (tick and `min_notional` at `price_scale`, step
/// and `min_qty` at `qty_scale`). Whether it is as coarse as the venue's own is checked at
/// start-up, against the venue's answer (`exec::startup::rules`).
fn rules_overrides(k: &mut Check, p: &str, ins: &InstrumentConfig) {
    for (venue, o) in &ins.rules {
        let rp = format!("{p}.rules.{venue}");
        if !ins.symbols.contains_key(venue) {
            k.fail(
                &rp,
                format!("names venue {venue:?}, which has no symbol in {p}.symbols"),
            );
        }
        for (key, v, scale) in [
            ("tick", &o.tick, ins.price_scale),
            ("step", &o.step, ins.qty_scale),
            ("min_qty", &o.min_qty, ins.qty_scale),
            ("min_notional", &o.min_notional, ins.price_scale),
        ] {
            if let (Some(v), true) = (v, scale <= MAX_SCALE) {
                k.positive_amount(&format!("{rp}.{key}"), v, scale);
            }
        }
    }
}
