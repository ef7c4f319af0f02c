//! Config errors: each names where (file, key path or environment variable) and why.

use thiserror::Error;

/// One problem found in a config.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {file}: {reason}")]
    Io {
        /// The path given.
        file: String,
        /// The OS error.
        reason: String,
    },
    /// The text is not valid TOML.
    #[error("config is not valid TOML{}: {reason}", span_text(.span))]
    Syntax {
        /// What the TOML parser said.
        reason: String,
        /// Byte range of the offending text, when known.
        span: Option<std::ops::Range<usize>>,
    },
    /// A key is unknown, missing, of the wrong type, or has a value the rules refuse.
    #[error("config key `{path}`: {reason}")]
    Field {
        /// Key path, e.g. `venues[1].taker_fee_bps`.
        path: String,
        /// Why it was refused.
        reason: String,
    },
    /// An environment override could not be applied.
    #[error("environment variable {var}: {reason}")]
    Env {
        /// The variable's name.
        var: String,
        /// Why it was refused.
        reason: String,
    },
}

fn span_text(span: &Option<std::ops::Range<usize>>) -> String {
    match span {
        Some(r) => format!(" at bytes {}..{}", r.start, r.end),
        None => String::new(),
    }
}

impl ConfigError {
    /// Shorthand for a [`ConfigError::Field`].
    pub fn field(path: impl Into<String>, reason: impl Into<String>) -> Self {
        ConfigError::Field {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// The key path this error is about, if it is about one.
    pub fn path(&self) -> Option<&str> {
        match self {
            ConfigError::Field { path, .. } => Some(path),
            _ => None,
        }
    }
}

/// Every problem found in one config, in file order; never empty.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", lines(.0))]
pub struct ConfigErrors(pub Vec<ConfigError>);

fn lines(errors: &[ConfigError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

impl ConfigErrors {
    /// A list of one.
    pub fn one(e: ConfigError) -> Self {
        ConfigErrors(vec![e])
    }

    /// True when some error names exactly this key path.
    pub fn has_path(&self, path: &str) -> bool {
        self.0.iter().any(|e| e.path() == Some(path))
    }
}
