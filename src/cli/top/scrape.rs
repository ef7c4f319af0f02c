//! One HTTP/1.1 GET of the metrics endpoint over a std `TcpStream`, with timeouts: no async, no
//! HTTP crate beyond `httparse` for the response head. Plain `http://` only (the engine's
//! endpoint is plain HTTP, loopback by default; reach a remote one through an ssh tunnel).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use thiserror::Error;

/// Largest body read (a 16-venue engine's scrape is tens of KiB).
const MAX_BODY: usize = 16 << 20;

/// Why a scrape failed.
#[derive(Debug, Error)]
pub enum ScrapeError {
    /// The URL is not `http://host[:port][/path]`.
    #[error("bad URL {url:?}: {why}")]
    Url {
        /// The URL given.
        url: String,
        /// What is wrong.
        why: &'static str,
    },
    /// The host name did not resolve.
    #[error("cannot resolve {host}: {source}")]
    Resolve {
        /// `host:port`.
        host: String,
        /// The resolver's error.
        source: std::io::Error,
    },
    /// Connecting, writing or reading failed.
    #[error("{addr}: {source}")]
    Io {
        /// The address.
        addr: SocketAddr,
        /// The socket error.
        source: std::io::Error,
    },
    /// The answer is not an HTTP response.
    #[error("{0}: not an HTTP response")]
    NotHttp(SocketAddr),
    /// The answer is not 200.
    #[error("{addr}: HTTP {status}")]
    Status {
        /// The address.
        addr: SocketAddr,
        /// The status code.
        status: u16,
    },
    /// The body is not UTF-8 text.
    #[error("{0}: the body is not UTF-8")]
    NotText(SocketAddr),
}

/// A parsed `http://host:port/path` target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `host:port`.
    pub authority: String,
    /// Path (and query), `/metrics` when the URL has none.
    pub path: String,
}

impl Target {
    /// Parse `url`: `http://` optional, port 9464 when absent, path `/metrics` when absent.
    pub fn parse(url: &str) -> Result<Target, ScrapeError> {
        let bad = |why| ScrapeError::Url {
            url: url.to_string(),
            why,
        };
        let rest = match url.split_once("://") {
            Some(("http", rest)) => rest,
            Some(_) => return Err(bad("only http:// is served by the engine")),
            None => url,
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/metrics"),
        };
        if authority.is_empty() {
            return Err(bad("no host"));
        }
        // `[v6]:port` or `host:port`; an IPv6 address must be bracketed.
        let has_port = if authority.starts_with('[') {
            authority.contains("]:")
        } else {
            authority.contains(':')
        };
        let authority = if has_port {
            authority.to_string()
        } else {
            format!("{authority}:9464")
        };
        let path = if path == "/" { "/metrics" } else { path };
        Ok(Target {
            authority,
            path: path.to_string(),
        })
    }

    /// `http://authority/path`.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.authority, self.path)
    }
}

/// GET `t`, each of connect, write and read bounded by `timeout`; the body of a 200.
pub fn get(t: &Target, timeout: Duration) -> Result<String, ScrapeError> {
    let addr = t
        .authority
        .to_socket_addrs()
        .map_err(|source| ScrapeError::Resolve {
            host: t.authority.clone(),
            source,
        })?
        .next()
        .ok_or_else(|| ScrapeError::Resolve {
            host: t.authority.clone(),
            source: std::io::Error::other("no address"),
        })?;
    let io = |source| ScrapeError::Io { addr, source };
    let mut s = TcpStream::connect_timeout(&addr, timeout).map_err(io)?;
    s.set_read_timeout(Some(timeout)).map_err(io)?;
    s.set_write_timeout(Some(timeout)).map_err(io)?;
    // One write: a request split over segments could be answered and closed (a reset) before
    // its tail arrives.
    let req = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nAccept: text/plain\r\nConnection: close\r\n\r\n",
        t.path, t.authority
    );
    s.write_all(req.as_bytes()).map_err(io)?;
    let mut raw = Vec::new();
    s.take(MAX_BODY as u64).read_to_end(&mut raw).map_err(io)?;
    body(&raw, addr)
}

/// The body of a complete response `raw` (the server closes the connection after it).
fn body(raw: &[u8], addr: SocketAddr) -> Result<String, ScrapeError> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut resp = httparse::Response::new(&mut headers);
    let head_len = match resp.parse(raw) {
        Ok(httparse::Status::Complete(n)) => n,
        _ => return Err(ScrapeError::NotHttp(addr)),
    };
    let status = resp.code.unwrap_or(0);
    if status != 200 {
        return Err(ScrapeError::Status { addr, status });
    }
    let len = resp
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .and_then(|h| {
            std::str::from_utf8(h.value)
                .ok()?
                .trim()
                .parse::<usize>()
                .ok()
        });
    let mut b = &raw[head_len..];
    if let Some(n) = len {
        b = &b[..n.min(b.len())];
    }
    String::from_utf8(b.to_vec()).map_err(|_| ScrapeError::NotText(addr))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn urls_default_to_the_engines_port_and_path() {
        let t = |u: &str| Target::parse(u).unwrap();
        assert_eq!(
            t("http://127.0.0.1:9464").url(),
            "http://127.0.0.1:9464/metrics"
        );
        assert_eq!(t("127.0.0.1").url(), "http://127.0.0.1:9464/metrics");
        assert_eq!(t("localhost:1234/").url(), "http://localhost:1234/metrics");
        assert_eq!(t("http://h:1/m?x=1").path, "/m?x=1");
        assert_eq!(t("http://[::1]:9000/metrics").authority, "[::1]:9000");
        assert_eq!(t("http://[::1]").authority, "[::1]:9464");
        assert!(matches!(
            Target::parse("https://x"),
            Err(ScrapeError::Url { .. })
        ));
        assert!(matches!(
            Target::parse("http:///m"),
            Err(ScrapeError::Url { .. })
        ));
    }

    /// A one-shot server answering `answer` to the first request.
    fn serve(answer: &'static str) -> Target {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.ends_with(b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            s.write_all(answer.as_bytes()).unwrap();
        });
        Target::parse(&format!("http://{addr}/metrics")).unwrap()
    }

    #[test]
    fn a_200_gives_its_body_and_anything_else_an_error() {
        let t = serve("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nm 1\nXX");
        assert_eq!(get(&t, Duration::from_secs(5)).unwrap(), "m 1\nXX");
        let t = serve("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nm 1\nextra");
        assert_eq!(get(&t, Duration::from_secs(5)).unwrap(), "m 1\n");
        let t = serve("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        assert!(matches!(
            get(&t, Duration::from_secs(5)),
            Err(ScrapeError::Status { status: 404, .. })
        ));
        let t = serve("SSH-2.0-OpenSSH\r\n");
        assert!(matches!(
            get(&t, Duration::from_secs(5)),
            Err(ScrapeError::NotHttp(_))
        ));
    }

    #[test]
    fn nothing_listening_is_an_io_error() {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let t = Target::parse(&format!("127.0.0.1:{port}")).unwrap();
        let e = get(&t, Duration::from_secs(2)).unwrap_err();
        assert!(matches!(e, ScrapeError::Io { .. }), "{e}");
    }
}
