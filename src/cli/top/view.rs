//! One `top` frame drawn with ratatui from a [`View`]: a status line (endpoint, age of the data,
//! kill switch, RSS, or why the endpoint is unreachable), venues (quotes per second, breaker,
//! rate-limit use), opportunities by outcome, latency percentiles, balances and residuals, and
//! queues. Pure: the same view draws the same cells, so tests render it to a `TestBackend`.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table};
use ratatui::Frame;

use super::model::{Quantile, View};

/// Draw `v` for the endpoint `url`, refreshing every `every_s` seconds.
pub fn draw(f: &mut Frame, v: &View, url: &str, every_s: f64) {
    // Venues and outcomes as tall as their rows (borders and header: 3 more); latency rows for
    // three metrics over two windows; balances and queues take the rest.
    let top_rows = v.venues.len().max(v.outcomes.len() + 1).max(1) + 3;
    let [status, top, latency, bottom, help] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(u16::try_from(top_rows).unwrap_or(u16::MAX)),
        Constraint::Length(9),
        Constraint::Min(5),
        Constraint::Length(1),
    ])
    .areas(f.area());
    f.render_widget(Paragraph::new(status_lines(v, url, every_s)), status);
    let [venues, opps] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(top);
    venue_table(f, v, venues);
    outcome_table(f, v, opps);
    latency_table(f, v, latency);
    let [balances, queues] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(bottom);
    balance_table(f, v, balances);
    queue_table(f, v, queues);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" q", Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(" quit   "),
            Span::styled("Ctrl-C", Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(" quit"),
        ])),
        help,
    );
}

/// The status line, and under it why the endpoint is unreachable (blank while it answers).
fn status_lines(v: &View, url: &str, every_s: f64) -> Vec<Line<'static>> {
    let alarm = Style::new().fg(Color::White).bg(Color::Red);
    let mut spans = vec![
        Span::styled(
            " microarb top ",
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ),
        Span::raw(format!(" {url} ")),
    ];
    if let Some(e) = &v.error {
        let since = match v.age_s {
            Some(a) => format!("last good scrape {a:.0} s ago"),
            None => "no scrape yet".to_string(),
        };
        spans.push(Span::styled(
            format!(" UNREACHABLE, retrying every {every_s:.0} s ({since}) "),
            alarm,
        ));
        return vec![Line::from(spans), Line::styled(format!(" {e}"), alarm)];
    }
    match v.age_s {
        None => spans.push(Span::raw(" connecting...")),
        Some(a) => spans.push(Span::raw(format!(" up, scraped {a:.1} s ago "))),
    }
    match v.kill {
        Some(true) => spans.push(Span::styled(" KILL SWITCH ON ", alarm)),
        Some(false) => spans.push(Span::raw(" kill switch off ")),
        None => {}
    }
    if let Some(r) = v.rss {
        spans.push(Span::raw(format!(" RSS {:.1} MB", r / 1e6)));
    }
    vec![Line::from(spans), Line::raw("")]
}

fn block(title: &str) -> Block<'static> {
    Block::bordered().title(format!(" {title} "))
}

fn header(cells: &[&'static str]) -> Row<'static> {
    Row::new(cells.iter().copied().map(Cell::from)).style(Style::new().add_modifier(Modifier::BOLD))
}

/// A count, compact: 1234 -> `1234`, 2.5e6 -> `2.50M`.
fn count(x: f64) -> String {
    if x.abs() >= 1e9 {
        format!("{:.2}G", x / 1e9)
    } else if x.abs() >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn opt(x: Option<f64>, f: impl Fn(f64) -> String) -> String {
    x.map_or_else(|| "-".to_string(), f)
}

fn venue_table(f: &mut Frame, v: &View, area: Rect) {
    let rows = v.venues.iter().map(|r| {
        let breaker = r.breaker.clone().unwrap_or_else(|| "-".to_string());
        let b_style = match breaker.as_str() {
            "open" => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            "half_open" => Style::new().fg(Color::Yellow),
            _ => Style::new(),
        };
        let (tokens, t_style) = match &r.tokens {
            Some((u, g)) => (
                format!("{:>3.0}% {g}", u * 100.0),
                if *u > 0.95 {
                    Style::new().fg(Color::Red)
                } else {
                    Style::new()
                },
            ),
            None => ("-".to_string(), Style::new()),
        };
        Row::new(vec![
            Cell::from(r.name.clone()),
            Cell::from(opt(r.quotes_per_s, |x| format!("{x:.0}"))),
            Cell::from(opt(r.quotes, count)),
            Cell::from(breaker).style(b_style),
            Cell::from(tokens).style(t_style),
            Cell::from(opt(r.rate, |x| format!("{x:.2}"))),
        ])
    });
    let t = Table::new(
        rows,
        [
            Constraint::Min(8),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Min(18),
            Constraint::Length(5),
        ],
    )
    .header(header(&[
        "venue",
        "quotes/s",
        "quotes",
        "breaker",
        "rate limit used",
        "rate",
    ]))
    .block(block("Venues"));
    f.render_widget(t, area);
}

fn outcome_table(f: &mut Frame, v: &View, area: Rect) {
    let mut rows = Vec::new();
    if let Some((total, per_s)) = v.detected {
        rows.push(
            Row::new(vec![
                Cell::from("detected"),
                Cell::from(count(total)),
                Cell::from(opt(per_s, |x| format!("{x:.1}"))),
            ])
            .style(Style::new().add_modifier(Modifier::BOLD)),
        );
    }
    for o in &v.outcomes {
        rows.push(Row::new(vec![
            Cell::from(o.outcome.clone()),
            Cell::from(count(o.total)),
            Cell::from(opt(o.per_s, |x| format!("{x:.1}"))),
        ]));
    }
    let t = Table::new(
        rows,
        [
            Constraint::Min(14),
            Constraint::Length(9),
            Constraint::Length(8),
        ],
    )
    .header(header(&["outcome", "total", "/s"]))
    .block(block("Opportunities"));
    f.render_widget(t, area);
}

/// A latency in the unit that reads best; `>` when it lies beyond the highest bucket.
fn latency(q: Option<Quantile>) -> String {
    let Some(q) = q else {
        return "-".to_string();
    };
    let s = q.seconds;
    let text = if s < 1e-3 {
        format!("{:.2} us", s * 1e6)
    } else if s < 1.0 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    };
    if q.beyond {
        format!(">{text}")
    } else {
        text
    }
}

fn latency_table(f: &mut Frame, v: &View, area: Rect) {
    let rows = v.latency.iter().map(|r| {
        let window = if r.window == "last" {
            match v.interval_s {
                Some(i) => format!("last {i:.0} s"),
                None => "last".to_string(),
            }
        } else {
            "since start".to_string()
        };
        let mut row = Row::new(vec![
            Cell::from(r.metric.clone()),
            Cell::from(window),
            Cell::from(count(r.count)),
            Cell::from(latency(r.q[0])),
            Cell::from(latency(r.q[1])),
            Cell::from(latency(r.q[2])),
        ]);
        if r.metric == "tick_to_order" {
            row = row.style(Style::new().add_modifier(Modifier::BOLD));
        }
        row
    });
    let t = Table::new(
        rows,
        [
            Constraint::Length(17),
            Constraint::Length(12),
            Constraint::Length(9),
            Constraint::Length(11),
            Constraint::Length(11),
            Constraint::Length(11),
        ],
    )
    .header(header(&[
        "metric", "window", "count", "p50", "p99", "p99.9",
    ]))
    .block(block("Latency (from the histogram buckets)"));
    f.render_widget(t, area);
}

fn balance_table(f: &mut Frame, v: &View, area: Rect) {
    let rows = v.balances.iter().map(|b| {
        let style = if b.residual != 0.0 {
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        Row::new(vec![
            Cell::from(b.venue.clone()),
            Cell::from(b.asset.clone()),
            Cell::from(format!("{}", b.balance)),
            Cell::from(format!("{}", b.residual)),
        ])
        .style(style)
    });
    let residuals = v.balances.iter().filter(|b| b.residual != 0.0).count();
    let title = if residuals > 0 {
        format!("Balances and residuals ({residuals} residual)")
    } else {
        "Balances and residuals".to_string()
    };
    let t = Table::new(
        rows,
        [
            Constraint::Min(8),
            Constraint::Length(8),
            Constraint::Min(14),
            Constraint::Min(12),
        ],
    )
    .header(header(&["venue", "asset", "balance", "residual"]))
    .block(block(&title));
    f.render_widget(t, area);
}

fn queue_table(f: &mut Frame, v: &View, area: Rect) {
    let mut rows: Vec<Row> = v
        .queues
        .iter()
        .map(|q| {
            let deep = q.depth > 50.0;
            Row::new(vec![
                Cell::from(q.queue.clone()),
                Cell::from(count(q.depth)),
                Cell::from(opt(q.capacity, count)),
                Cell::from(opt(q.dropped, count)),
            ])
            .style(if deep {
                Style::new().fg(Color::Red)
            } else {
                Style::new()
            })
        })
        .collect();
    for (asset, n) in &v.open_notional {
        rows.push(Row::new(vec![
            Cell::from(format!("open {asset}")),
            Cell::from(format!("{n}")),
            Cell::from(""),
            Cell::from(""),
        ]));
    }
    let t = Table::new(
        rows,
        [
            Constraint::Min(10),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Length(8),
        ],
    )
    .header(header(&["queue", "depth", "capacity", "dropped"]))
    .block(block("Queues and open notional"));
    f.render_widget(t, area);
}

/// The cells of `buf` as text, one line per row, trailing blanks cut (`--once`, tests).
pub fn buffer_text(buf: &ratatui::buffer::Buffer) -> String {
    let w = usize::from(buf.area.width);
    let mut out = String::new();
    for row in buf.content().chunks(w.max(1)) {
        let line: String = row.iter().map(|c| c.symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
#[path = "view_tests.rs"]
mod tests;
