//! Whose order is an open order? Decided from its client id alone, so it holds after a crash.
//!
//! The engine's client ids are `<execution.rest.client_id_prefix><run stamp>x<order id>`
//! ([`crate::exec::gateway::rest::client_prefix`]): the run stamp is the process's start time in
//! seconds, so a restarted engine (even after SIGKILL) places ids that differ from the previous
//! run's. "Known" means placed by *this* process: an id with this run's prefix. Everything else
//! is foreign to this process, because nothing it holds tracks it; an id that carries the
//! configured prefix with another run's stamp is additionally told apart as a previous run's
//! leftover ([`Whose::PreviousRun`]), counted on its own, and handled by the same policy
//! (`execution.reconcile.foreign`).

use crate::model::OrderId;

/// Who placed an order, by its client id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose {
    /// This process: its order id.
    Own(OrderId),
    /// A previous run of the engine (configured prefix, another run's stamp).
    PreviousRun,
    /// Someone else (another program, a person, or no client id at all).
    Foreign,
}

/// The prefixes that classify client ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIds {
    /// `execution.rest.client_id_prefix`.
    pub configured: String,
    /// This run's full prefix (configured prefix, run stamp, `x`).
    pub run: String,
}

impl ClientIds {
    /// Classify `client_id`. An id with this run's prefix whose rest is not an order id is
    /// foreign (the engine never writes one).
    pub fn whose(&self, client_id: &str) -> Whose {
        if let Some(rest) = client_id.strip_prefix(self.run.as_str()) {
            return match rest.parse::<u64>() {
                Ok(id) if !rest.starts_with('+') => Whose::Own(OrderId(id)),
                _ => Whose::Foreign,
            };
        }
        match client_id.strip_prefix(self.configured.as_str()) {
            Some(rest) if is_engine_id(rest) => Whose::PreviousRun,
            _ => Whose::Foreign,
        }
    }
}

/// `<digits>x<digits>`: what follows the configured prefix in an engine's id.
fn is_engine_id(rest: &str) -> bool {
    let Some((stamp, id)) = rest.split_once('x') else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(stamp) && digits(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_classified_by_run() {
        let ids = ClientIds {
            configured: "ma".into(),
            run: "ma1234567x".into(),
        };
        assert_eq!(ids.whose("ma1234567x42"), Whose::Own(OrderId(42)));
        assert_eq!(ids.whose("ma7654321x42"), Whose::PreviousRun);
        assert_eq!(ids.whose("ma1234567xabc"), Whose::Foreign);
        assert_eq!(ids.whose("ma1234567x+4"), Whose::Foreign);
        assert_eq!(ids.whose("manual-1"), Whose::Foreign);
        assert_eq!(ids.whose("ma12x"), Whose::Foreign);
        assert_eq!(ids.whose(""), Whose::Foreign);
    }
}
