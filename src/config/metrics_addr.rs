//! The metrics endpoint's listen address (`[telemetry] metrics_addr`, `--metrics`): parsed and
//! checked in one place, so the config rule and the command-line flag refuse the same things.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use thiserror::Error;

/// Why a metrics address was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MetricsAddrError {
    /// Neither `PORT`, `:PORT`, `localhost:PORT` nor `IP:PORT`.
    #[error("{addr:?} is not PORT, :PORT, localhost:PORT or IP:PORT")]
    Invalid {
        /// The text given.
        addr: String,
    },
    /// A non-loopback address without `metrics_allow_remote = true`.
    #[error(
        "{addr} is not a loopback address; set [telemetry] metrics_allow_remote = true to serve \
         metrics beyond this host"
    )]
    Remote {
        /// The parsed address.
        addr: SocketAddr,
    },
}

/// Parse `text` as the metrics listen address: a bare port (or `:PORT`) binds 127.0.0.1; a
/// non-loopback IP is refused unless `allow_remote`. Port 0 asks the OS for a free port.
pub fn parse_metrics_addr(text: &str, allow_remote: bool) -> Result<SocketAddr, MetricsAddrError> {
    let t = text.trim();
    let invalid = || MetricsAddrError::Invalid {
        addr: text.to_string(),
    };
    let port_only = t.strip_prefix(':').unwrap_or(t);
    let addr = if let Ok(port) = port_only.parse::<u16>() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
    } else if let Some(port) = t.strip_prefix("localhost:") {
        let port = port.parse::<u16>().map_err(|_| invalid())?;
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
    } else {
        t.parse::<SocketAddr>().map_err(|_| invalid())?
    };
    if !allow_remote && !addr.ip().is_loopback() {
        return Err(MetricsAddrError::Remote { addr });
    }
    Ok(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_port_binds_loopback() {
        let want: SocketAddr = "127.0.0.1:9464".parse().unwrap();
        assert_eq!(parse_metrics_addr("9464", false), Ok(want));
        assert_eq!(parse_metrics_addr(":9464", false), Ok(want));
        assert_eq!(parse_metrics_addr("localhost:9464", false), Ok(want));
        assert_eq!(
            parse_metrics_addr("[::1]:9464", false).unwrap().to_string(),
            "[::1]:9464"
        );
    }

    #[test]
    fn a_remote_address_needs_the_opt_in() {
        let err = parse_metrics_addr("0.0.0.0:9464", false).unwrap_err();
        assert!(matches!(err, MetricsAddrError::Remote { .. }));
        assert!(err.to_string().contains("metrics_allow_remote"), "{err}");
        assert!(parse_metrics_addr("0.0.0.0:9464", true).is_ok());
        assert!(parse_metrics_addr("10.1.2.3:9464", false).is_err());
    }

    #[test]
    fn garbage_is_invalid() {
        for t in ["", "host:1", "127.0.0.1", "99999", "localhost:x"] {
            assert!(
                matches!(
                    parse_metrics_addr(t, true),
                    Err(MetricsAddrError::Invalid { .. })
                ),
                "{t}"
            );
        }
    }
}
