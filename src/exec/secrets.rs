//! API credentials: loaded from the environment or from a file only its owner can read, and never
//! printed.
//!
//! An [`ApiSecret`] holds a venue's API key and secret, and for OKX its API passphrase (a second
//! secret the venue checks on every request). Its `Debug` and `Display` print
//! `ApiSecret(****)`, it serializes as `"****"`, and its errors name the variable or the file (and
//! the file's mode) but never the value, so neither a log line, a panic message, an error chain nor
//! a JSON report can carry a key. The bytes are zeroed on drop. The only way to read them is the
//! explicit [`ApiSecret::expose_key`] / [`ApiSecret::expose_secret`] /
//! [`ApiSecret::expose_passphrase`], for the signer.
//!
//! Sources:
//! - environment: two variables, e.g. `MICROARB_BINANCE_API_KEY` / `MICROARB_BINANCE_API_SECRET`,
//!   and a third for a passphrase (`MICROARB_OKX_API_PASSPHRASE`);
//! - file: two lines, `key=...` and `secret=...`, and an optional `passphrase=...` (blank lines and
//!   `#` comments allowed). Whether a venue needs the passphrase is its caller's rule. On Unix the
//!   file must not be readable or writable by group or others (`mode & 0o077 == 0`, i.e. `chmod
//!   600`), as ssh does for private keys: a key file others can read is a key others have.
//!
//! Cold path: credentials are loaded once at start-up.

use std::path::{Path, PathBuf};

use thiserror::Error;

/// Why credentials could not be loaded. Never carries a key or secret.
#[derive(Debug, Error)]
pub enum SecretError {
    /// An environment variable is not set (or not UTF-8).
    #[error("environment variable {var} is not set")]
    MissingEnv {
        /// Its name.
        var: String,
    },
    /// An environment variable is set but empty.
    #[error("environment variable {var} is empty")]
    EmptyEnv {
        /// Its name.
        var: String,
    },
    /// The file could not be read.
    #[error("cannot read credentials file {path}: {reason}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error, as text.
        reason: String,
    },
    /// The file is readable or writable by group or others.
    #[error("credentials file {path} has mode {mode:o}; it must be owner-only (chmod 600)")]
    Permissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A line of the file is not `key=...`, `secret=...`, `passphrase=...`, a comment or blank, or
    /// a field is missing.
    #[error("credentials file {path}: {problem} (line {line})")]
    Format {
        /// The file.
        path: PathBuf,
        /// 1-based line number (0: the file as a whole).
        line: usize,
        /// What is wrong, without the line's content.
        problem: &'static str,
    },
}

/// A venue API key and secret (and passphrase, for OKX). Prints as `ApiSecret(****)`; zeroed on
/// drop.
pub struct ApiSecret {
    key: Box<[u8]>,
    secret: Box<[u8]>,
    passphrase: Option<Box<[u8]>>,
}

impl ApiSecret {
    /// From two values (already loaded by the caller). Empty values are refused by the loaders,
    /// not here.
    pub fn new(key: &str, secret: &str) -> ApiSecret {
        ApiSecret {
            key: key.as_bytes().into(),
            secret: secret.as_bytes().into(),
            passphrase: None,
        }
    }

    /// The same credentials with `passphrase` (already loaded by the caller).
    pub fn with_passphrase(mut self, passphrase: &str) -> ApiSecret {
        self.passphrase = Some(passphrase.as_bytes().into());
        self
    }

    /// From environment variables `key_var` and `secret_var`.
    pub fn from_env(key_var: &str, secret_var: &str) -> Result<ApiSecret, SecretError> {
        let get = |var: &str| match std::env::var(var) {
            Ok(v) if v.is_empty() => Err(SecretError::EmptyEnv { var: var.into() }),
            Ok(v) => Ok(v),
            Err(_) => Err(SecretError::MissingEnv { var: var.into() }),
        };
        let mut key = get(key_var)?;
        let mut secret = get(secret_var)?;
        let s = ApiSecret::new(&key, &secret);
        wipe_string(&mut key);
        wipe_string(&mut secret);
        Ok(s)
    }

    /// From environment variables `key_var`, `secret_var` and `passphrase_var` (OKX).
    pub fn from_env_with_passphrase(
        key_var: &str,
        secret_var: &str,
        passphrase_var: &str,
    ) -> Result<ApiSecret, SecretError> {
        let s = ApiSecret::from_env(key_var, secret_var)?;
        let mut p = match std::env::var(passphrase_var) {
            Ok(v) if v.is_empty() => {
                return Err(SecretError::EmptyEnv {
                    var: passphrase_var.into(),
                })
            }
            Ok(v) => v,
            Err(_) => {
                return Err(SecretError::MissingEnv {
                    var: passphrase_var.into(),
                })
            }
        };
        let s = s.with_passphrase(&p);
        wipe_string(&mut p);
        Ok(s)
    }

    /// From a `key=` / `secret=` file that only its owner may read or write.
    pub fn from_file(path: &Path) -> Result<ApiSecret, SecretError> {
        let io = |e: std::io::Error| SecretError::Io {
            path: path.to_path_buf(),
            reason: e.kind().to_string(),
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        check_owner_only(path, &meta)?;
        let mut bytes = std::fs::read(path).map_err(io)?;
        let parsed = parse(path, &bytes);
        bytes.fill(0);
        parsed
    }

    /// The key, for the signer and the auth header. Do not log it.
    pub fn expose_key(&self) -> &[u8] {
        &self.key
    }

    /// The secret, for the signer. Do not log it.
    pub fn expose_secret(&self) -> &[u8] {
        &self.secret
    }

    /// The passphrase (OKX), for the signer's header; `None` when none was loaded. Do not log it.
    pub fn expose_passphrase(&self) -> Option<&[u8]> {
        self.passphrase.as_deref()
    }
}

fn wipe_string(s: &mut String) {
    let mut b = std::mem::take(s).into_bytes();
    b.fill(0);
}

/// Refuse a secrets file that group or others may read or write (`mode & 0o077 != 0`): shared by
/// every loader of key material (the `key=`/`secret=` file, the Ed25519 PEM), so one rule guards
/// them all. A no-op off unix, where the mode bits do not exist.
pub fn check_owner_only(path: &Path, meta: &std::fs::Metadata) -> Result<(), SecretError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(SecretError::Permissions {
                path: path.to_path_buf(),
                mode,
            });
        }
    }
    #[cfg(not(unix))]
    let _ = (path, meta);
    Ok(())
}

fn parse(path: &Path, bytes: &[u8]) -> Result<ApiSecret, SecretError> {
    let bad = |line, problem| SecretError::Format {
        path: path.to_path_buf(),
        line,
        problem,
    };
    let mut key: Option<&[u8]> = None;
    let mut secret: Option<&[u8]> = None;
    let mut passphrase: Option<&[u8]> = None;
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = raw.trim_ascii();
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        let Some(eq) = line.iter().position(|&b| b == b'=') else {
            return Err(bad(i + 1, "expected key=..., secret=... or passphrase=..."));
        };
        let (name, value) = (line[..eq].trim_ascii(), line[eq + 1..].trim_ascii());
        if value.is_empty() {
            return Err(bad(i + 1, "empty value"));
        }
        if std::str::from_utf8(value).is_err() {
            return Err(bad(i + 1, "value is not UTF-8"));
        }
        match name {
            b"key" if key.is_none() => key = Some(value),
            b"secret" if secret.is_none() => secret = Some(value),
            b"passphrase" if passphrase.is_none() => passphrase = Some(value),
            b"key" | b"secret" | b"passphrase" => return Err(bad(i + 1, "field given twice")),
            _ => {
                return Err(bad(
                    i + 1,
                    "unknown field (expected key, secret or passphrase)",
                ))
            }
        }
    }
    match (key, secret) {
        (Some(k), Some(s)) => Ok(ApiSecret {
            key: k.into(),
            secret: s.into(),
            passphrase: passphrase.map(Into::into),
        }),
        (None, _) => Err(bad(0, "no key= line")),
        (_, None) => Err(bad(0, "no secret= line")),
    }
}

impl Drop for ApiSecret {
    fn drop(&mut self) {
        self.key.fill(0);
        self.secret.fill(0);
        if let Some(p) = self.passphrase.as_mut() {
            p.fill(0);
        }
    }
}

impl std::fmt::Debug for ApiSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiSecret(****)")
    }
}

impl std::fmt::Display for ApiSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiSecret(****)")
    }
}

impl serde::Serialize for ApiSecret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("****")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    const SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

    fn dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!("microarb-secrets-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[cfg(unix)]
    fn write(name: &str, text: &str, mode: u32) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let p = dir().join(name);
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        p
    }

    #[cfg(unix)]
    #[test]
    fn owner_only_file_loads_and_others_are_refused_by_mode() {
        let text = format!("# binance\nkey = {KEY}\n\nsecret={SECRET}\n");
        let ok = write("ok.cred", &text, 0o600);
        let s = ApiSecret::from_file(&ok).unwrap();
        assert_eq!(s.expose_key(), KEY.as_bytes());
        assert_eq!(s.expose_secret(), SECRET.as_bytes());
        let open = write("open.cred", &text, 0o644);
        let e = ApiSecret::from_file(&open).unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, SecretError::Permissions { mode: 0o644, .. }));
        assert!(msg.contains("open.cred") && msg.contains("644"), "{msg}");
        assert!(!msg.contains(KEY));
    }

    #[cfg(unix)]
    #[test]
    fn a_passphrase_line_and_variable_load_and_never_print() {
        const PASS: &str = "Passphrase42!";
        let p = write(
            "okx.cred",
            &format!("key={KEY}\nsecret={SECRET}\npassphrase = {PASS}\n"),
            0o600,
        );
        let s = ApiSecret::from_file(&p).unwrap();
        assert_eq!(s.expose_passphrase(), Some(PASS.as_bytes()));
        assert!(!format!("{s:?} {s}").contains(PASS));
        let plain = write(
            "plain.cred",
            &format!("key={KEY}\nsecret={SECRET}\n"),
            0o600,
        );
        assert_eq!(
            ApiSecret::from_file(&plain).unwrap().expose_passphrase(),
            None
        );
        let twice = write(
            "twice.cred",
            &format!("key={KEY}\nsecret={SECRET}\npassphrase={PASS}\npassphrase={PASS}\n"),
            0o600,
        );
        let e = ApiSecret::from_file(&twice).unwrap_err();
        assert!(matches!(e, SecretError::Format { line: 4, .. }), "{e:?}");
        assert!(!format!("{e} {e:?}").contains(PASS));
        std::env::set_var("MICROARB_TEST_PASS_KEY", KEY);
        std::env::set_var("MICROARB_TEST_PASS_SECRET", SECRET);
        std::env::set_var("MICROARB_TEST_PASS_PASS", PASS);
        let s = ApiSecret::from_env_with_passphrase(
            "MICROARB_TEST_PASS_KEY",
            "MICROARB_TEST_PASS_SECRET",
            "MICROARB_TEST_PASS_PASS",
        )
        .unwrap();
        assert_eq!(s.expose_passphrase(), Some(PASS.as_bytes()));
        let e = ApiSecret::from_env_with_passphrase(
            "MICROARB_TEST_PASS_KEY",
            "MICROARB_TEST_PASS_SECRET",
            "MICROARB_TEST_PASS_NONE",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "environment variable MICROARB_TEST_PASS_NONE is not set"
        );
    }

    #[cfg(unix)]
    #[test]
    fn format_errors_name_the_line_not_its_content() {
        for (text, line) in [
            (format!("key={KEY}\n{SECRET}\n"), 2),
            (format!("key={KEY}\nkey={KEY}\n"), 2),
            (format!("key={KEY}\n"), 0),
            (format!("token={KEY}\n"), 1),
        ] {
            let p = write("bad.cred", &text, 0o600);
            let e = ApiSecret::from_file(&p).unwrap_err();
            assert!(
                matches!(e, SecretError::Format { line: l, .. } if l == line),
                "{e:?}"
            );
            assert!(!format!("{e} {e:?}").contains(KEY));
            assert!(!format!("{e} {e:?}").contains(SECRET));
        }
        let missing = ApiSecret::from_file(&dir().join("nope")).unwrap_err();
        assert!(matches!(missing, SecretError::Io { .. }));
    }

    #[test]
    fn env_loading_names_variables_only() {
        std::env::set_var("MICROARB_TEST_SECRETS_KEY", KEY);
        std::env::set_var("MICROARB_TEST_SECRETS_SECRET", SECRET);
        let s = ApiSecret::from_env("MICROARB_TEST_SECRETS_KEY", "MICROARB_TEST_SECRETS_SECRET")
            .unwrap();
        assert_eq!(s.expose_key(), KEY.as_bytes());
        let e = ApiSecret::from_env("MICROARB_TEST_SECRETS_KEY", "MICROARB_TEST_SECRETS_NONE")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "environment variable MICROARB_TEST_SECRETS_NONE is not set"
        );
        std::env::set_var("MICROARB_TEST_SECRETS_EMPTY", "");
        assert!(matches!(
            ApiSecret::from_env("MICROARB_TEST_SECRETS_EMPTY", "MICROARB_TEST_SECRETS_KEY"),
            Err(SecretError::EmptyEnv { .. })
        ));
    }

    #[test]
    fn the_secret_never_appears_in_debug_display_errors_or_a_report() {
        let s = ApiSecret::new(KEY, SECRET);
        let cfg = crate::config::Config::from_toml_str(
            crate::config::DEMO_TOML,
            &crate::config::Machine {
                cores: 2,
                check_cores: false,
            },
        )
        .unwrap();
        let report = serde_json::json!({
            "config": serde_json::to_value(&cfg).unwrap(),
            "credentials": { "binance": &s },
        });
        let errors = [
            SecretError::MissingEnv { var: "K".into() }.to_string(),
            format!(
                "{:?}",
                SecretError::Permissions {
                    path: "/x".into(),
                    mode: 0o644
                }
            ),
        ];
        let texts = [
            format!("{s:?}"),
            format!("{s}"),
            format!("{s:#?}"),
            format!("{:?}", Some(&s)),
            serde_json::to_string(&report).unwrap(),
            errors.join(" "),
        ];
        assert_eq!(texts[0], "ApiSecret(****)");
        assert_eq!(report["credentials"]["binance"], "****");
        for t in texts {
            assert!(!t.contains(KEY), "key leaked in {t}");
            assert!(!t.contains(SECRET), "secret leaked in {t}");
            assert!(!t.contains(&KEY[..16]), "key prefix leaked in {t}");
        }
    }
}
