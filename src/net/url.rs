//! `ws://` and `wss://` URLs, split once on the cold path into what a connection needs.

use thiserror::Error;

/// A parsed WebSocket URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsUrl {
    /// The URL as given (for the handshake request and for logs).
    pub full: String,
    /// Host name or IP literal (without brackets).
    pub host: String,
    /// Port (default 80 for ws, 443 for wss).
    pub port: u16,
    /// True for `wss://`.
    pub tls: bool,
}

/// Why a URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UrlError {
    /// Not `ws://` or `wss://`.
    #[error("{0:?}: scheme must be ws:// or wss://")]
    Scheme(String),
    /// No host.
    #[error("{0:?}: no host")]
    NoHost(String),
    /// A port that is not a number in 1..=65535.
    #[error("{0:?}: bad port")]
    Port(String),
}

impl WsUrl {
    /// Parse `url`.
    pub fn parse(url: &str) -> Result<WsUrl, UrlError> {
        let (tls, rest) = if let Some(r) = url.strip_prefix("wss://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("ws://") {
            (false, r)
        } else {
            return Err(UrlError::Scheme(url.to_string()));
        };
        let authority = rest.split(['/', '?']).next().unwrap_or("");
        let (host, port) = if let Some(after) = authority.strip_prefix('[') {
            // [v6]:port
            let end = after
                .find(']')
                .ok_or_else(|| UrlError::NoHost(url.to_string()))?;
            let host = &after[..end];
            let port = after[end + 1..].strip_prefix(':');
            (host, port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        if host.is_empty() {
            return Err(UrlError::NoHost(url.to_string()));
        }
        let port = match port {
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| UrlError::Port(url.to_string()))?,
            None if tls => 443,
            None => 80,
        };
        Ok(WsUrl {
            full: url.to_string(),
            host: host.to_string(),
            port,
            tls,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let u = WsUrl::parse("wss://stream.binance.com:9443/stream?streams=a/b").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.tls),
            ("stream.binance.com", 9443, true)
        );
        let u = WsUrl::parse("ws://127.0.0.1:8080").unwrap();
        assert_eq!((u.host.as_str(), u.port, u.tls), ("127.0.0.1", 8080, false));
        let u = WsUrl::parse("wss://api.upbit.com/websocket/v1").unwrap();
        assert_eq!(u.port, 443);
        let u = WsUrl::parse("ws://[::1]:9/x").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 9));
        assert!(matches!(WsUrl::parse("http://x"), Err(UrlError::Scheme(_))));
        assert!(matches!(WsUrl::parse("ws://:80"), Err(UrlError::NoHost(_))));
        assert!(matches!(WsUrl::parse("ws://h:0"), Err(UrlError::Port(_))));
        assert!(matches!(WsUrl::parse("ws://h:x"), Err(UrlError::Port(_))));
    }
}
