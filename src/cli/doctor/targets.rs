//! What doctor checks the host for: the cores the engine's threads pin, and the rest.

use std::collections::BTreeSet;

use microarb::config::ThreadConfig;

/// The cores a topology pins, and the host's other cores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    /// Cores some thread pins to.
    pub pinned: BTreeSet<usize>,
    /// `name=core` for each thread (`name=unpinned` when it has none), for the header line.
    pub threads: Vec<String>,
}

impl Targets {
    /// The targets of a list of threads.
    pub fn of(threads: &[ThreadConfig]) -> Targets {
        Targets {
            pinned: threads.iter().filter_map(|t| t.core).collect(),
            threads: threads
                .iter()
                .map(|t| match t.core {
                    Some(c) => format!("{}={c}", t.name),
                    None => format!("{}=unpinned", t.name),
                })
                .collect(),
        }
    }

    /// True when `cpu` is pinned.
    pub fn is_pinned(&self, cpu: usize) -> bool {
        self.pinned.contains(&cpu)
    }
}
