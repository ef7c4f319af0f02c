//! Credentials for a run against the mock exchange's REST side: fresh random ones, and the
//! owner-only `key=` / `secret=` file the engine's config points at (`venues[].api_secret_file`,
//! read by the engine's `ApiSecret::from_file`).
//!
//! `soak --gateway rest` and the REST tests both need them, so they live here rather than
//! in each caller. The file is created owner-only from the start (mode 0600 on Unix, never a
//! moment readable by others) and must not exist yet, so a stale or planted file is never reused.
//! Cold path.

use std::io::Write;
use std::path::{Path, PathBuf};

use ring::rand::{SecureRandom, SystemRandom};
use thiserror::Error;

use super::config::ApiCredentials;

/// Why credentials could not be generated or written. Never carries the key or the secret.
#[derive(Debug, Error)]
pub enum CredentialsError {
    /// The system's random source failed.
    #[error("the system random source failed")]
    Random,
    /// The credentials file could not be created or written.
    #[error("cannot write credentials file {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

/// `n` random bytes from the system's source, as lowercase hex.
fn random_hex(rng: &SystemRandom, n: usize) -> Result<String, CredentialsError> {
    let mut bytes = vec![0u8; n];
    rng.fill(&mut bytes).map_err(|_| CredentialsError::Random)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl ApiCredentials {
    /// Fresh credentials for one run: a 32-hex-digit key and a 64-hex-digit secret from the
    /// system's random source, so no run's credentials are known in advance. No passphrase (add
    /// one with [`ApiCredentials::with_passphrase`] for OKX).
    pub fn generate() -> Result<ApiCredentials, CredentialsError> {
        let rng = SystemRandom::new();
        Ok(ApiCredentials {
            key: random_hex(&rng, 16)?,
            secret: random_hex(&rng, 32)?,
            passphrase: String::new(),
        })
    }

    /// Write these credentials to a new file at `path` that only its owner can read or write
    /// (mode 0600 on Unix, set at creation), in the format `ApiSecret::from_file` reads
    /// (`key=`, `secret=`, and `passphrase=` only when there is one). Fails when `path` already
    /// exists.
    pub fn write_file(&self, path: &Path) -> Result<(), CredentialsError> {
        let err = |source| CredentialsError::Write {
            path: path.to_path_buf(),
            source,
        };
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(path).map_err(err)?;
        let mut text = format!("key={}\nsecret={}\n", self.key, self.secret);
        if !self.passphrase.is_empty() {
            text.push_str(&format!("passphrase={}\n", self.passphrase));
        }
        f.write_all(text.as_bytes()).map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine reading this file back is checked by the root package's
    /// `tests/mockex_engine_units.rs`; here, the file's format and mode.
    #[test]
    fn generated_credentials_go_to_a_new_owner_only_file() {
        let a = ApiCredentials::generate().expect("random");
        let b = ApiCredentials::generate().expect("random");
        assert_ne!(a, b, "fresh per run");
        assert_eq!((a.key.len(), a.secret.len()), (32, 64));
        assert!(a
            .key
            .bytes()
            .chain(a.secret.bytes())
            .all(|c| c.is_ascii_hexdigit()));
        let dir = std::env::temp_dir().join(format!("mockex-apicreds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("creds");
        let _ = std::fs::remove_file(&path);
        a.write_file(&path).expect("written");
        let text = std::fs::read_to_string(&path).expect("readable by its owner");
        assert_eq!(text, format!("key={}\nsecret={}\n", a.key, a.secret));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(
            matches!(b.write_file(&path), Err(CredentialsError::Write { .. })),
            "an existing file is not overwritten"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
