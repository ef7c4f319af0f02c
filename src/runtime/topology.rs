//! Which stages share a thread and where it runs, when the config does not say.
//!
//! - 4 or more cores: one dedicated core per stage (1, 2, 3), core 0 left to the OS, the
//!   telemetry thread and interrupts.
//! - 2 or 3 cores: one pipeline thread running every stage on the last core; the telemetry thread
//!   (and, in the demo, the mock venues) share the rest.
//! - 1 core: one unpinned pipeline thread.

use crate::config::{RuntimeConfig, StageName, ThreadConfig};

/// The default threads for a machine with `cores` cores.
pub fn default_threads(cores: usize) -> Vec<ThreadConfig> {
    if cores >= 4 {
        StageName::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| ThreadConfig {
                name: s.name().to_string(),
                stages: vec![*s],
                core: Some(i + 1),
                idle: None,
            })
            .collect()
    } else {
        vec![ThreadConfig {
            name: "pipeline".to_string(),
            stages: StageName::ALL.to_vec(),
            core: if cores >= 2 { Some(cores - 1) } else { None },
            idle: None,
        }]
    }
}

/// The config's threads, or the default topology when it lists none.
pub fn effective_threads(rt: &RuntimeConfig, cores: usize) -> Vec<ThreadConfig> {
    if rt.threads.is_empty() {
        default_threads(cores)
    } else {
        rt.threads.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_place_every_stage_once() {
        for cores in 1..=16 {
            let t = default_threads(cores);
            let mut all: Vec<StageName> = t.iter().flat_map(|t| t.stages.clone()).collect();
            all.sort();
            assert_eq!(all, StageName::ALL.to_vec(), "cores={cores}");
            for th in &t {
                if let Some(c) = th.core {
                    assert!(c < cores);
                }
            }
        }
        assert_eq!(default_threads(2)[0].core, Some(1));
        assert_eq!(default_threads(8).len(), 3);
    }
}
