//! `microarb top [--url http://127.0.0.1:9464]`: a live terminal view of a running engine, read
//! from its Prometheus endpoint (`--metrics`), never from the engine's memory: quotes per second
//! per venue, opportunities by outcome, tick_to_order p50/p99/p99.9 (the last interval and since
//! start), breaker and rate-limit state per venue, balances, residuals and queues.
//!
//! A scraper thread GETs the endpoint once per interval ([`scrape`]) and hands the text over a
//! channel; the terminal thread parses it ([`parse`]), computes rates and percentiles from the
//! last two scrapes ([`model`]) and draws ([`view`], ratatui over crossterm: plain escape codes,
//! so it works over ssh). An unreachable endpoint is a red status line with the reason while the
//! last good data stays on screen and the scraper keeps trying. `q` or Ctrl-C quits; the
//! terminal is restored on exit and on a panic. `--once` prints one frame as text and exits (for
//! scripts, logs and terminals that are not a TTY).

mod model;
mod parse;
mod scrape;
mod view;

use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::Terminal;

use model::Model;
use parse::Scrape;
use scrape::Target;

/// Arguments of `top`.
#[derive(Debug, clap::Args)]
pub struct TopArgs {
    /// The engine's metrics endpoint (what it was started with `--metrics`); the port defaults to
    /// 9464 and the path to /metrics.
    #[arg(long, default_value = "http://127.0.0.1:9464")]
    url: String,
    /// Refresh interval, ms.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(100..=60_000))]
    interval_ms: u64,
    /// Print one frame as text and exit: two scrapes one interval apart (so rates show). Exit
    /// status 1 when the endpoint did not answer.
    #[arg(long)]
    once: bool,
    /// Columns of the `--once` frame.
    #[arg(long, default_value_t = 120)]
    width: u16,
    /// Rows of the `--once` frame.
    #[arg(long, default_value_t = 40)]
    height: u16,
}

pub fn main(a: TopArgs) -> ExitCode {
    let target = match Target::parse(&a.url) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("microarb: --url: {e}");
            return ExitCode::from(2);
        }
    };
    let every = Duration::from_millis(a.interval_ms);
    let result = if a.once {
        once(&target, every, a.width, a.height)
    } else {
        live(&target, every)
    };
    match result {
        Ok(code) => code,
        Err(e) => super::runtime_failure(&format!("top: {e}")),
    }
}

/// The scrape timeout: an interval, at most 2 s (a hung endpoint must not stall the view).
fn timeout(every: Duration) -> Duration {
    every.min(Duration::from_secs(2))
}

fn apply(m: &mut Model, t_s: f64, r: Result<String, scrape::ScrapeError>) -> bool {
    match r {
        Ok(body) => {
            m.on_scrape(t_s, Scrape::parse(&body));
            true
        }
        Err(e) => {
            m.on_error(e.to_string());
            false
        }
    }
}

fn once(target: &Target, every: Duration, w: u16, h: u16) -> std::io::Result<ExitCode> {
    let start = Instant::now();
    let mut m = Model::new();
    let mut ok = apply(&mut m, 0.0, scrape::get(target, timeout(every)));
    if ok {
        std::thread::sleep(every);
        let t = start.elapsed().as_secs_f64();
        ok = apply(&mut m, t, scrape::get(target, timeout(every)));
    }
    let mut term = Terminal::new(TestBackend::new(w.max(40), h.max(12)))?;
    let v = m.view(start.elapsed().as_secs_f64());
    term.draw(|f| view::draw(f, &v, &target.url(), every.as_secs_f64()))?;
    print!("{}", view::buffer_text(term.backend().buffer()));
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

type Scraped = (Instant, Result<String, scrape::ScrapeError>);

/// Scrape every `every` on a thread of its own until the receiver is gone.
fn spawn_scraper(target: Target, every: Duration) -> std::io::Result<mpsc::Receiver<Scraped>> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("top-scrape".into())
        .spawn(move || loop {
            let started = Instant::now();
            let r = scrape::get(&target, timeout(every));
            if tx.send((Instant::now(), r)).is_err() {
                return;
            }
            std::thread::sleep(every.saturating_sub(started.elapsed()));
        })?;
    Ok(rx)
}

fn live(target: &Target, every: Duration) -> std::io::Result<ExitCode> {
    let rx = spawn_scraper(target.clone(), every)?;
    let start = Instant::now();
    let url = target.url();
    let mut m = Model::new();
    // Raw mode and the alternate screen; restored below and by ratatui's panic hook.
    let mut term = ratatui::try_init()?;
    let result = (|| -> std::io::Result<()> {
        loop {
            while let Ok((at, r)) = rx.try_recv() {
                apply(&mut m, at.duration_since(start).as_secs_f64(), r);
            }
            let v = m.view(start.elapsed().as_secs_f64());
            term.draw(|f| view::draw(f, &v, &url, every.as_secs_f64()))?;
            // Redraw at least 4 times a second so the data's age stays true.
            if event::poll(Duration::from_millis(250))? {
                if let Event::Key(k) = event::read()? {
                    let ctrl_c =
                        k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
                    let q = matches!(k.code, KeyCode::Char('q') | KeyCode::Char('Q'));
                    if k.kind == KeyEventKind::Press && (q || ctrl_c) {
                        return Ok(());
                    }
                }
            }
        }
    })();
    ratatui::try_restore()?;
    result.map(|()| ExitCode::SUCCESS)
}
