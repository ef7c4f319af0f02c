//! The problem collector every validation rule writes into: a rule records a failure with its
//! key path and reason and goes on, so an operator sees every problem of a file at once.

use super::error::{ConfigError, ConfigErrors};
use super::money::DecimalText;

pub(super) struct Check {
    pub(super) errors: Vec<ConfigError>,
}

impl Check {
    pub(super) fn fail(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        self.errors.push(ConfigError::field(path, reason));
    }

    /// A bp value: finite, within `[lo, hi)`, and a whole number of hundredths of a bp.
    pub(super) fn bps(&mut self, path: &str, v: f64, lo: f64, hi: f64) {
        if !v.is_finite() || v < lo || v >= hi {
            self.fail(
                path,
                format!("must be at least {lo} and below {hi} bp (got {v})"),
            );
        } else if ((v * 100.0).round() - v * 100.0).abs() > 1e-6 {
            self.fail(path, format!("resolution is 0.01 bp (got {v})"));
        }
    }

    pub(super) fn positive_amount(&mut self, path: &str, v: &DecimalText, scale: u8) {
        match v.at_scale(scale) {
            Ok(m) if m > 0 => {}
            Ok(_) => self.fail(path, format!("must be above zero (got \"{}\")", v.0)),
            Err(e) => self.fail(
                path,
                format!("\"{}\" is not an exact decimal at scale {scale}: {e}", v.0),
            ),
        }
    }

    pub(super) fn range_u64(&mut self, path: &str, v: u64, lo: u64, hi: u64) {
        if v < lo || v > hi {
            self.fail(path, format!("must be between {lo} and {hi} (got {v})"));
        }
    }
}

impl Check {
    /// A collector with no problems yet.
    pub(super) fn new() -> Check {
        Check { errors: Vec::new() }
    }

    /// `Ok` when no rule failed, else every failure in the order found.
    pub(super) fn finish(self) -> Result<(), ConfigErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ConfigErrors(self.errors))
        }
    }
}
