//! Network pieces shared by the stages that hold sockets (ingest's WebSocket feeds and execution's
//! REST sessions): the TLS client configuration and URL parsing (cold path, built at start-up),
//! host name resolution with its start-up retry ([`dns`]) and re-resolution on reconnect off the
//! polling threads ([`dns_refresh`]), a non-blocking HTTP/1.1 keep-alive client ([`http`]), and the loopback connection that keeps the
//! kernel's send path warm between orders ([`warm_write`]).
//! Imports no stage (see `docs/architecture.md`, "Layers").

pub mod dns;
pub mod dns_refresh;
pub mod http;
pub mod tls;
pub mod url;
pub mod warm_write;
