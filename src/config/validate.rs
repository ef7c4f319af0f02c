//! Every rule a config must pass before anything starts, as one named step per section
//! ([`rules`](super::rules)). Rules collect all problems rather than stopping at the first, so an
//! operator fixes a file in one go.

use super::check::Check;
use super::error::ConfigErrors;
use super::machine::Machine;
use super::rules;
use super::schema::Config;

/// Check every value and cross-reference of `c`.
pub fn validate(c: &Config, machine: &Machine) -> Result<(), ConfigErrors> {
    let mut k = Check::new();
    let venue_names = rules::venues(&mut k, c);
    rules::instruments(&mut k, c, &venue_names);
    rules::ingest(&mut k, c);
    rules::strategy(&mut k, c);
    rules::execution(&mut k, c);
    rules::paper(&mut k, c);
    rules::rest(&mut k, c);
    rules::reconcile(&mut k, c);
    rules::limits(&mut k, c);
    rules::risk(&mut k, c);
    rules::runtime(&mut k, c, machine);
    rules::telemetry(&mut k, c);
    k.finish()
}
