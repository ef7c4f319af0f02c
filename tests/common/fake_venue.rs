//! A fake venue REST server on loopback that answers every request for a path with a body the
//! test sets (and may change while the engine runs): for answers the mock exchange never gives,
//! such as malformed, truncated or contradictory account answers. Connections the engine's order
//! pool opens and never uses simply stay open. The server thread lives as long as the process.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// Bodies by path prefix (first match wins); anything else is answered 404.
#[derive(Debug, Default, Clone)]
pub struct Answers(pub Vec<(String, String)>);

/// A running fake venue.
pub struct FakeVenue {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    answers: Arc<Mutex<Answers>>,
}

impl FakeVenue {
    /// Start answering `answers`.
    pub fn start(answers: Answers) -> FakeVenue {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", l.local_addr().expect("addr"));
        let answers = Arc::new(Mutex::new(answers));
        let a = Arc::clone(&answers);
        std::thread::spawn(move || {
            for s in l.incoming().flatten() {
                let a = Arc::clone(&a);
                std::thread::spawn(move || serve(s, &a));
            }
        });
        FakeVenue { url, answers }
    }

    /// Answer `path` (a prefix) with `body` from now on.
    pub fn set(&self, path: &str, body: &str) {
        let mut a = self.answers.lock().expect("not poisoned");
        a.0.retain(|(p, _)| p != path);
        a.0.insert(0, (path.to_string(), body.to_string()));
    }
}

fn serve(mut s: TcpStream, answers: &Mutex<Answers>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            match s.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        let len = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse::<usize>().ok())
                    .flatten()
            })
            .unwrap_or(0);
        while buf.len() < end + 4 + len {
            match s.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf.drain(..end + 4 + len);
        let path = head.split(' ').nth(1).unwrap_or("").to_string();
        let body = answers
            .lock()
            .expect("not poisoned")
            .0
            .iter()
            .find(|(p, _)| path.starts_with(p.as_str()))
            .map(|(_, b)| b.clone());
        let (status, body) = match body {
            Some(b) => ("200 OK", b),
            None => (
                "404 Not Found",
                "{\"code\":-1,\"msg\":\"not here\"}".to_string(),
            ),
        };
        let resp = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if s.write_all(resp.as_bytes()).is_err() {
            return;
        }
    }
}
