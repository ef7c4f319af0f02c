//! Why the REST gateways could not be built from config. Messages name the venue, the key path or
//! the variable, never a key or secret.

use std::io;

use crate::exec::gateway::codec::RequestError;
use crate::exec::secrets::SecretError;
use crate::net::http::PoolError;

/// Why a REST base URL cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum UrlError {
    /// Neither `http://` nor `https://`.
    #[error("{0:?} is not an http:// or https:// URL")]
    Scheme(String),
    /// A path after the authority (or no authority).
    #[error("{0:?} must be a base URL without a path")]
    Path(String),
    /// The host does not resolve.
    #[error("cannot resolve {host:?}: {source}")]
    Resolve {
        /// The authority.
        host: String,
        /// The resolver's error.
        #[source]
        source: io::Error,
    },
    /// The host resolves to nothing.
    #[error("{0:?} resolves to no address")]
    NoAddress(String),
    /// The host did not resolve within the start-up bound ([`crate::net::dns::START_UP`]).
    #[error(transparent)]
    Dns(#[from] crate::net::dns::DnsError),
    /// The TLS client configuration could not be built.
    #[error("TLS: {0}")]
    Tls(#[from] rustls::Error),
}

/// Why the REST gateways could not be built. Names the venue, the key path or the variable,
/// never a key or secret.
#[derive(Debug, thiserror::Error)]
pub enum RestBuildError {
    /// A venue names no usable credential source.
    #[error("rest gateway: venues[{venue}] ({name}): give api_key_env + api_secret_env, or api_secret_file")]
    CredentialSource {
        /// Venue index.
        venue: usize,
        /// Venue name.
        name: String,
    },
    /// A venue's credentials could not be read.
    #[error("rest gateway: venues[{venue}].{key} ({name}): {source}")]
    Credentials {
        /// Venue index.
        venue: usize,
        /// Venue name.
        name: String,
        /// The config key naming the source that failed (`api_passphrase_env`, ...).
        key: &'static str,
        /// What went wrong (never carries a key).
        #[source]
        source: SecretError,
    },
    /// Not one set of credentials per venue.
    #[error("rest gateway: {got} credentials for {venues} venues")]
    CredentialCount {
        /// Credentials given.
        got: usize,
        /// Venues configured.
        venues: usize,
    },
    /// The passphrase is missing (OKX) or given where no venue takes one.
    #[error("rest gateway: venues[{venue}] ({name}): {problem}")]
    Passphrase {
        /// Venue index.
        venue: usize,
        /// Venue name.
        name: String,
        /// What is wrong, naming the key (never a value).
        problem: &'static str,
    },
    /// The venue's REST URL cannot be used.
    #[error("rest gateway: venues[{venue}] ({name}): {source}")]
    Url {
        /// Venue index.
        venue: usize,
        /// Venue name.
        name: String,
        /// Why.
        #[source]
        source: UrlError,
    },
    /// The venue's codec refused its settings or symbols.
    #[error("rest gateway: venues[{venue}] ({name}): {source}")]
    Codec {
        /// Venue index.
        venue: usize,
        /// Venue name.
        name: String,
        /// The codec's refusal.
        #[source]
        source: RequestError,
    },
    /// The nonce generator could not be seeded from the OS.
    #[error("rest gateway: venues[{venue}] ({name}): nonce seed: {source}")]
    Nonce {
        /// Venue index.
        venue: usize,
        /// Venue name.
        name: String,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The connection pool could not be built.
    #[error("rest gateway: venues[{venue}] ({name}): {source}")]
    Pool {
        /// Venue index.
        venue: usize,
        /// Venue name.
        name: String,
        /// The pool's refusal.
        #[source]
        source: PoolError,
    },
    /// The venue's WebSocket API gateway (`order_entry = "ws"`) could not be built.
    #[error("rest gateway: venues[{venue}] ({name}): {source}")]
    Ws {
        /// Venue index.
        venue: usize,
        /// Venue name.
        name: String,
        /// Why.
        #[source]
        source: crate::exec::gateway::ws::WsBuildError,
    },
    /// Some venue had no connection by the deadline.
    #[error("rest gateway: could not connect to every venue's REST API within {timeout_ms} ms")]
    Connect {
        /// `execution.rest.connect_timeout_ms`.
        timeout_ms: u64,
    },
}
