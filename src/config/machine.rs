//! The machine a config will run on: how many cores it has, and whether pinning is checked.

/// What the validator needs to know of the machine it will run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Machine {
    /// Cores the machine has (pinning to a core at or above this is refused).
    pub cores: usize,
    /// False under `--no-pin`: cores are then not checked, since nothing is pinned.
    pub check_cores: bool,
}

impl Machine {
    /// This machine, pinning as configured.
    pub fn this(check_cores: bool) -> Machine {
        Machine {
            cores: machine_cores(),
            check_cores,
        }
    }
}

/// Cores this machine has: the largest of what the scheduler lets us use and what sysfs lists.
pub fn machine_cores() -> usize {
    let allowed = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let listed = std::fs::read_dir("/sys/devices/system/cpu")
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .filter(|e| {
                    let name = e.file_name();
                    let name = name.to_string_lossy();
                    name.len() > 3
                        && name.starts_with("cpu")
                        && name[3..].bytes().all(|b| b.is_ascii_digit())
                })
                .count()
        })
        .unwrap_or(0);
    allowed.max(listed)
}
