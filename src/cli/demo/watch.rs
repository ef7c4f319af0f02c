//! The demo's metrics endpoint, on loopback by default, and the line that says how to watch it
//! with `microarb top` while it runs.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// The port `microarb top` reads by default.
pub const TOP_DEFAULT_PORT: u16 = 9464;

/// The address to serve metrics at: `--metrics` when given; else 127.0.0.1:9464 (what `microarb
/// top` reads without `--url`) when it is free, else any free loopback port.
pub fn choose(given: Option<&str>) -> String {
    if let Some(g) = given {
        return g.to_string();
    }
    let default = SocketAddr::from((Ipv4Addr::LOCALHOST, TOP_DEFAULT_PORT));
    match TcpListener::bind(default) {
        Ok(probe) => {
            drop(probe);
            default.to_string()
        }
        Err(_) => "127.0.0.1:0".to_string(),
    }
}

/// Once the endpoint listens (`bound` set by the telemetry thread, which prints its address),
/// print the command that watches it. A helper thread, so the run starts at once; it gives up after 10 s.
pub fn announce(bound: Arc<OnceLock<SocketAddr>>) {
    let exe = this_command();
    let spawned = std::thread::Builder::new()
        .name("demo-announce".to_string())
        .spawn(move || {
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                if let Some(addr) = bound.get() {
                    let url = format!("http://{addr}");
                    let top = if addr.port() == TOP_DEFAULT_PORT && addr.ip().is_loopback() {
                        format!("{exe} top")
                    } else {
                        format!("{exe} top --url {url}")
                    };
                    eprintln!("microarb demo: watch it live from another terminal: {top}");
                    return;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        });
    if spawned.is_err() {
        eprintln!("microarb demo: could not start the thread that prints the metrics address");
    }
}

/// How to run this binary from here: its path relative to the current directory when it lies
/// under it (`./target/release/microarb`), else its full path, else `microarb`.
pub fn this_command() -> String {
    let Ok(exe) = std::env::current_exe() else {
        return "microarb".to_string();
    };
    let here = std::env::current_dir().ok();
    match here.as_deref().and_then(|h| exe.strip_prefix(h).ok()) {
        Some(rel) => format!("./{}", rel.display()),
        None => exe.display().to_string(),
    }
}
