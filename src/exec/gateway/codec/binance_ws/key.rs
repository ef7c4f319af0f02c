//! The Ed25519 private key of a Binance session, from a PKCS#8 PEM file that only its owner may
//! read or write (the same rule as the `key=`/`secret=` file: [`check_owner_only`]).
//!
//! Binance's key pages hand out the private key as `-----BEGIN PRIVATE KEY-----` (PKCS#8 v1,
//! RFC 8410: no public key inside), which `ring` reads with
//! `Ed25519KeyPair::from_pkcs8_maybe_unchecked`; v2 files (with the public key) are checked too.
//! The PEM's base64 is decoded here (ring takes DER only). Cold path: read once at start-up; the
//! file's bytes and the decoded DER are wiped after parsing, and `Debug` prints `****`.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ring::signature::{Ed25519KeyPair, KeyPair as _};
use thiserror::Error;

use crate::exec::secrets::{check_owner_only, SecretError};

const BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
const END: &str = "-----END PRIVATE KEY-----";

/// Why an Ed25519 key file could not be loaded (never carries key material).
#[derive(Debug, Error)]
pub enum KeyError {
    /// The file could not be read, or group/others may read or write it.
    #[error(transparent)]
    File(#[from] SecretError),
    /// No `BEGIN PRIVATE KEY` ... `END PRIVATE KEY` block (an encrypted or RSA key, or not PEM).
    #[error("key file {path}: no unencrypted PKCS#8 block ({BEGIN} ... {END})")]
    NotPem {
        /// The file.
        path: PathBuf,
    },
    /// The block's body is not base64.
    #[error("key file {path}: the PEM body is not base64 ({reason})")]
    Base64 {
        /// The file.
        path: PathBuf,
        /// The decoder's complaint.
        reason: String,
    },
    /// The DER is not an Ed25519 PKCS#8 key (ring's reason, e.g. `WrongAlgorithm`).
    #[error("key file {path}: not an Ed25519 PKCS#8 private key ({reason})")]
    NotEd25519 {
        /// The file.
        path: PathBuf,
        /// ring's reason.
        reason: String,
    },
}

/// An Ed25519 signing key: signs the `session.logon` payload.
pub struct Ed25519Key {
    pair: Ed25519KeyPair,
}

impl std::fmt::Debug for Ed25519Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ed25519Key(****)")
    }
}

impl Ed25519Key {
    /// Load from a PEM file that only its owner may read or write (cold path).
    pub fn from_pem_file(path: &Path) -> Result<Self, KeyError> {
        let io = |e: std::io::Error| SecretError::Io {
            path: path.to_path_buf(),
            reason: e.kind().to_string(),
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        check_owner_only(path, &meta)?;
        let mut bytes = std::fs::read(path).map_err(io)?;
        let key = Self::from_pem(path, &bytes);
        bytes.fill(0);
        key
    }

    /// From PEM text; `path` only names the source in errors (cold path).
    pub fn from_pem(path: &Path, pem: &[u8]) -> Result<Self, KeyError> {
        let not_pem = || KeyError::NotPem {
            path: path.to_path_buf(),
        };
        let text = std::str::from_utf8(pem).map_err(|_| not_pem())?;
        let start = text.find(BEGIN).ok_or_else(not_pem)? + BEGIN.len();
        let len = text[start..].find(END).ok_or_else(not_pem)?;
        let mut b64: Vec<u8> = text[start..start + len]
            .bytes()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        let der = STANDARD.decode(&b64);
        b64.fill(0);
        let mut der = der.map_err(|e| KeyError::Base64 {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let key = Self::from_pkcs8_der(path, &der);
        der.fill(0);
        key
    }

    /// From PKCS#8 DER (v1 or v2); `path` only names the source in errors.
    pub fn from_pkcs8_der(path: &Path, der: &[u8]) -> Result<Self, KeyError> {
        let pair =
            Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(|e| KeyError::NotEd25519 {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        Ok(Ed25519Key { pair })
    }

    /// The 64-byte Ed25519 signature of `payload`.
    pub fn sign(&self, payload: &[u8]) -> [u8; 64] {
        let sig = self.pair.sign(payload);
        let mut out = [0u8; 64];
        out.copy_from_slice(sig.as_ref());
        out
    }

    /// The 32-byte public key (what Binance's key page registers), to check a file against it.
    pub fn public_key(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }
}
