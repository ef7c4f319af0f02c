//! The host as doctor sees it: every read of `/proc` and `/sys` goes through a root directory
//! ("/" on a real host, a fixture tree in tests). Nothing is ever written.

use std::path::{Path, PathBuf};

/// A file doctor could not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file (or a directory above it) does not exist.
    #[error("{0}: absent")]
    Missing(PathBuf),
    /// It exists but could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file, under the root.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A read-only view of a host's `/proc` and `/sys` under a root directory.
#[derive(Debug, Clone)]
pub struct Host {
    root: PathBuf,
}

impl Host {
    /// The host whose filesystem starts at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Host {
        Host { root: root.into() }
    }

    /// True when the root is the real `/` (this machine).
    pub fn is_real(&self) -> bool {
        self.root == Path::new("/")
    }

    /// `rel` (an absolute host path such as `/proc/swaps`) under the root.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel.trim_start_matches('/'))
    }

    /// The contents of `rel`.
    pub fn read(&self, rel: &str) -> Result<String, ReadError> {
        let path = self.path(rel);
        std::fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::Missing(PathBuf::from(rel)),
            _ => ReadError::Io {
                path: PathBuf::from(rel),
                source: e,
            },
        })
    }

    /// The first line of `rel`, trimmed.
    pub fn read_line(&self, rel: &str) -> Result<String, ReadError> {
        self.read(rel)
            .map(|s| s.lines().next().unwrap_or("").trim().to_string())
    }

    /// True when `rel` exists.
    pub fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }

    /// Names of the entries of directory `rel`, sorted.
    pub fn list(&self, rel: &str) -> Result<Vec<String>, ReadError> {
        let path = self.path(rel);
        let dir = std::fs::read_dir(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::Missing(PathBuf::from(rel)),
            _ => ReadError::Io {
                path: PathBuf::from(rel),
                source: e,
            },
        })?;
        let mut names: Vec<String> = dir
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Ok(names)
    }

    /// CPU numbers with a `/sys/devices/system/cpu/cpuN` directory, ascending.
    pub fn listed_cpus(&self) -> Vec<usize> {
        let mut cpus: Vec<usize> = self
            .list("/sys/devices/system/cpu")
            .unwrap_or_default()
            .iter()
            .filter_map(|n| n.strip_prefix("cpu"))
            .filter_map(|n| n.parse().ok())
            .collect();
        cpus.sort_unstable();
        cpus
    }

    /// Whether CPU `n` is online: `Some(true)` when its `online` file says 1 or it has none but
    /// exists (cpu0 usually cannot go offline), `None` when it does not exist.
    pub fn cpu_online(&self, n: usize) -> Option<bool> {
        if !self.exists(&format!("/sys/devices/system/cpu/cpu{n}")) {
            return None;
        }
        match self.read_line(&format!("/sys/devices/system/cpu/cpu{n}/online")) {
            Ok(s) => Some(s != "0"),
            Err(_) => Some(true),
        }
    }
}
