//! The `/metrics` HTTP endpoint: a non-blocking std listener the telemetry thread polls between
//! its collections. Each [`MetricsServer::poll`] does bounded work (a few accepts, one read and one
//! write per open connection), so a scraper can never delay an interval. One request per
//! connection: `GET /metrics` gets the exposition, anything else 404, then the connection closes.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// Connections accepted per poll.
const ACCEPTS_PER_POLL: usize = 4;
/// Open connections at most; more wait in the listen backlog.
const MAX_CONNS: usize = 8;
/// Longest request head read; a longer one gets 431.
const MAX_HEAD: usize = 8 * 1024;
/// A connection that has not finished by then is closed.
const CONN_TIMEOUT: Duration = Duration::from_secs(5);
/// Content type of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

struct Conn {
    stream: TcpStream,
    head: Vec<u8>,
    /// The response once the head is complete; `written` bytes of it are out.
    out: Option<Vec<u8>>,
    written: usize,
    since: Instant,
}

/// The listening endpoint and its open connections.
pub struct MetricsServer {
    listener: TcpListener,
    local: SocketAddr,
    conns: Vec<Conn>,
}

impl MetricsServer {
    /// Bind `addr` (non-blocking).
    pub fn bind(addr: SocketAddr) -> std::io::Result<MetricsServer> {
        let listener = TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let local = listener.local_addr()?;
        Ok(MetricsServer {
            listener,
            local,
            conns: Vec::new(),
        })
    }

    /// The bound address (the real port when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Whether a connection is open (the caller may poll sooner).
    pub fn busy(&self) -> bool {
        !self.conns.is_empty()
    }

    /// Accept, read, answer and close, without blocking; `render` builds the `/metrics` body and
    /// is called once per such request.
    pub fn poll(&mut self, render: &mut dyn FnMut() -> String) {
        for _ in 0..ACCEPTS_PER_POLL {
            if self.conns.len() >= MAX_CONNS {
                break;
            }
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if stream.set_nonblocking(true).is_ok() {
                        let _ = stream.set_nodelay(true);
                        self.conns.push(Conn {
                            stream,
                            head: Vec::with_capacity(512),
                            out: None,
                            written: 0,
                            since: Instant::now(),
                        });
                    }
                }
                Err(_) => break,
            }
        }
        let now = Instant::now();
        self.conns
            .retain_mut(|c| now.duration_since(c.since) < CONN_TIMEOUT && step(c, render));
    }
}

/// One read or write on `c`; false when it is done (or broken) and should be dropped.
fn step(c: &mut Conn, render: &mut dyn FnMut() -> String) -> bool {
    if c.out.is_none() {
        let mut buf = [0u8; 2048];
        let room = (MAX_HEAD + 1 - c.head.len()).min(buf.len());
        match c.stream.read(&mut buf[..room]) {
            Ok(0) => return false,
            Ok(n) => c.head.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == ErrorKind::Interrupted => return true,
            Err(_) => return false,
        }
        c.out = respond(&c.head, render);
        if c.out.is_none() {
            return true;
        }
    }
    let out = c.out.as_deref().unwrap_or_default();
    match c.stream.write(&out[c.written..]) {
        Ok(n) => c.written += n,
        Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::Interrupted => {}
        Err(_) => return false,
    }
    if c.written < out.len() {
        return true;
    }
    let _ = c.stream.flush();
    let _ = c.stream.shutdown(std::net::Shutdown::Write);
    false
}

/// The response to `head` once it is complete (None: read more).
fn respond(head: &[u8], render: &mut dyn FnMut() -> String) -> Option<Vec<u8>> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(head) {
        Ok(httparse::Status::Complete(_)) => {
            let path = req.path.unwrap_or("");
            let path = path.split('?').next().unwrap_or("");
            if req.method == Some("GET") && path == "/metrics" {
                Some(response("200 OK", CONTENT_TYPE, &render()))
            } else {
                Some(response(
                    "404 Not Found",
                    "text/plain; charset=utf-8",
                    "not found; metrics are at /metrics\n",
                ))
            }
        }
        Ok(httparse::Status::Partial) if head.len() <= MAX_HEAD => None,
        Ok(httparse::Status::Partial) => Some(response(
            "431 Request Header Fields Too Large",
            "text/plain; charset=utf-8",
            "request head too large\n",
        )),
        Err(_) => Some(response(
            "400 Bad Request",
            "text/plain; charset=utf-8",
            "bad request\n",
        )),
    }
}

fn response(status: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(server: &mut MetricsServer, request: &str) -> String {
        let mut s = TcpStream::connect(server.local_addr()).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
        let mut out = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            server.poll(&mut || "m_total 1\n".to_string());
            let mut buf = [0u8; 4096];
            match s.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(_) => {}
            }
            assert!(Instant::now() < deadline, "no answer");
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn serves_metrics_and_404s_the_rest() {
        let mut server = MetricsServer::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let ok = get(&mut server, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(ok.starts_with("HTTP/1.1 200 OK\r\n"), "{ok}");
        assert!(
            ok.contains("Content-Type: text/plain; version=0.0.4"),
            "{ok}"
        );
        assert!(ok.ends_with("\r\n\r\nm_total 1\n"), "{ok}");
        let nf = get(&mut server, "GET / HTTP/1.1\r\n\r\n");
        assert!(nf.starts_with("HTTP/1.1 404"), "{nf}");
        let post = get(&mut server, "POST /metrics HTTP/1.1\r\n\r\n");
        assert!(post.starts_with("HTTP/1.1 404"), "{post}");
        let big = format!("GET /metrics HTTP/1.1\r\nX: {}\r\n", "a".repeat(MAX_HEAD));
        assert!(get(&mut server, &big).starts_with("HTTP/1.1 431"));
        assert!(!server.busy());
    }
}
