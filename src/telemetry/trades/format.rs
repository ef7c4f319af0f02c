//! One JSON line per trade record (docs/architecture.md, "Trade log"): the writer thread's
//! formatting, on the cold path. Decimals are strings at the instrument's scale (fees at
//! [`FEE_SCALE`]), exactly as the engine holds them.

use std::io::Write;

use super::record::{FinalState, TradeKind, TradeRecord};
use crate::config::Config;
use crate::model::{format_decimal, Side, TimeInForce, FEE_SCALE};

/// Names and scales the lines need, taken from the config once.
#[derive(Debug, Clone)]
pub struct TradeNames {
    venues: Vec<String>,
    instruments: Vec<(String, u8, u8)>,
    client_prefix: String,
}

impl TradeNames {
    /// From `cfg`; `client_prefix` is what the gateway puts before the order id in the client
    /// order id it sends (empty for the paper venue).
    pub fn of(cfg: &Config, client_prefix: &str) -> TradeNames {
        TradeNames {
            venues: cfg.venues.iter().map(|v| v.name.clone()).collect(),
            instruments: cfg
                .instruments
                .iter()
                .map(|i| (i.name.clone(), i.price_scale, i.qty_scale))
                .collect(),
            client_prefix: client_prefix.to_string(),
        }
    }

    /// Venue `i`'s name (`?` when unknown).
    pub fn venue(&self, i: usize) -> String {
        self.venues.get(i).cloned().unwrap_or_else(|| "?".into())
    }

    /// Instrument `i`'s name (`?` when unknown).
    pub fn instrument(&self, i: usize) -> String {
        self.instruments
            .get(i)
            .map_or_else(|| "?".into(), |x| x.0.clone())
    }

    /// Instrument `i`'s (price, qty) scale ((8, 8) when unknown).
    pub fn scales(&self, i: usize) -> (u8, u8) {
        self.instruments.get(i).map_or((8, 8), |x| (x.1, x.2))
    }

    /// The client order id the venue saw for engine order `id`.
    pub fn client_id(&self, id: u64) -> String {
        format!("{}{id}", self.client_prefix)
    }

    /// Write `r` as one line.
    pub fn write_line(&self, out: &mut impl Write, r: &TradeRecord) -> std::io::Result<()> {
        let o = &r.order;
        let (ps, qs) = self.scales(o.instrument.index());
        let dec = |m: i64, s: u8| {
            let mut b = [0u8; 48];
            String::from_utf8_lossy(format_decimal(m, s, &mut b)).into_owned()
        };
        let side = match o.side {
            Side::Buy => "buy",
            Side::Sell => "sell",
        };
        let mut line = serde_json::json!({
            "kind": match r.kind {
                TradeKind::Order => "order",
                TradeKind::Fill => "fill",
                TradeKind::Final => "final",
            },
            "time": r.unix_ns,
            "venue": self.venue(o.venue.index()),
            "instrument": self.instrument(o.instrument.index()),
            "order_id": o.id.0,
            "client_id": self.client_id(o.id.0),
            "opp": o.opp.0,
            "role": r.role.name(),
            "side": side,
        });
        let voi = (!r.venue_order_id.is_empty()).then(|| r.venue_order_id.as_str());
        match r.kind {
            TradeKind::Order => {
                line["px"] = dec(o.px.0, ps).into();
                line["qty"] = dec(o.qty.0, qs).into();
                line["tif"] = match o.tif {
                    TimeInForce::Ioc => "ioc",
                }
                .into();
            }
            TradeKind::Fill => {
                line["venue_order_id"] = voi.into();
                line["px"] = dec(r.px.0, ps).into();
                line["qty"] = dec(r.qty.0, qs).into();
                line["fee"] = dec(r.fee.amount, FEE_SCALE).into();
                line["fee_asset"] = r.fee.asset.as_str().into();
                line["fee_source"] = if r.fee_modelled { "model" } else { "venue" }.into();
            }
            TradeKind::Final => {
                line["venue_order_id"] = voi.into();
                line["state"] = r.state.name().into();
                if let FinalState::Rejected { code } = r.state {
                    line["code"] = code.into();
                }
                line["filled_qty"] = dec(r.qty.0, qs).into();
                line["avg_px"] = dec(r.px.0, ps).into();
            }
        }
        writeln!(out, "{line}")
    }
}
