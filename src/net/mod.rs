//! Network pieces shared by the stages that hold sockets (ingest's WebSocket feeds and execution's
//! REST sessions): the TLS client configuration and URL parsing. Cold path: built at start-up.
//! Imports no stage (see `docs/architecture.md`, "Layers").

pub mod tls;
pub mod url;
