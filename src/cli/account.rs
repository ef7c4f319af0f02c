//! `microarb account --config FILE --venue NAME [--timeout-ms MS] COMMAND`: the venue account API
//! ([`microarb::exec::account`]) for an operator, one call per run, plain lines on stdout:
//!
//! - `balances`: `balance <ASSET> free=<amount> locked=<amount>`, one line per asset;
//! - `open-orders [--instrument I]`: `order <SYMBOL> <buy|sell> price=.. qty=.. filled=..
//!   state=.. client_id=.. venue_id=..`, or `no open orders`;
//! - `rules [--instrument I]` (default: every config instrument the venue trades): `rules
//!   <SYMBOL> tick=.. step=.. min_qty=.. min_notional=.. trading=yes|no`, then Binance's
//!   `rate_limit <KIND> <limit> per <ms> ms` lines;
//! - `time`: `server_time unix_ms=.. local_unix_ms=.. offset_ms=.. round_trip_ms=..`;
//! - `cancel --instrument I --client-id ID`: `cancel <SYMBOL> <ID>: cancelled | already final |
//!   not found`. Nothing is retried: if the answer is lost, the cancel may still have happened.
//!
//! Instruments are the config's names (`BTC/USDT`) or the venue's symbol as the config lists it.
//! Credentials come from the sources the config names for the venue, loaded by the order
//! gateway's loader; `rules` and `time` need none (except Upbit's rules). Nothing printed ever
//! holds the API secret, the key or OKX's passphrase: venue messages are redacted, and a line that
//! still held one would not be printed.
//!
//! Exit status: 0 the venue answered; 2 bad config, arguments or credentials; 1 anything else
//! (transport, timeout, the venue refused).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use microarb::config::{load, Config, Machine};
use microarb::exec::account::client::unix_ms_now;
use microarb::exec::account::{
    client_for_venue, load_account_credentials, AccountClient, AccountError, Amount, CancelOutcome,
    OrderState, RateLimitKind, TickRule,
};
use microarb::exec::secrets::ApiSecret;
use microarb::model::{Side, VenueKind};

/// Arguments of `account`.
#[derive(Debug, clap::Args)]
pub struct AccountArgs {
    /// The config whose venue and credential sources are used.
    #[arg(long)]
    config: PathBuf,
    /// The venue's name in the config.
    #[arg(long)]
    venue: String,
    /// How long to wait for the venue's answer, in ms.
    #[arg(long, default_value_t = 10_000, global = true)]
    timeout_ms: u64,
    #[command(subcommand)]
    call: Call,
}

#[derive(Debug, clap::Subcommand)]
enum Call {
    /// Every balance the venue reports.
    Balances,
    /// The orders resting on the venue's book.
    OpenOrders {
        /// Only this instrument.
        #[arg(long)]
        instrument: Option<String>,
    },
    /// Tick, quantity step, minimum quantity and notional (and Binance's rate limits).
    Rules {
        /// Only this instrument (default: every config instrument on the venue).
        #[arg(long)]
        instrument: Option<String>,
    },
    /// The venue's clock against this host's.
    Time,
    /// Cancel one order by the client id it was placed with.
    Cancel {
        /// The instrument the order is on.
        #[arg(long)]
        instrument: String,
        /// The order's client id (the engine's `<prefix><order id>`).
        #[arg(long)]
        client_id: String,
    },
}

/// A failure: the message and the exit status.
struct Failure(String, u8);

fn bad(msg: impl Into<String>) -> Failure {
    Failure(msg.into(), 2)
}

impl From<AccountError> for Failure {
    fn from(e: AccountError) -> Self {
        let code = match e {
            AccountError::Setup { .. }
            | AccountError::NoCredentials { .. }
            | AccountError::BadRequest { .. }
            | AccountError::Codec { .. } => 2,
            _ => 1,
        };
        Failure(e.to_string(), code)
    }
}

pub fn main(a: AccountArgs) -> ExitCode {
    let cfg = match load(&a.config, &Machine::this(false)) {
        Ok(c) => c,
        Err(e) => return super::config_failure(&e),
    };
    let mut cred: Option<ApiSecret> = None;
    let r = run(&cfg, &a, &mut cred);
    let secrets: Vec<Vec<u8>> = cred
        .iter()
        .flat_map(|c| {
            [
                Some(c.expose_key().to_vec()),
                Some(c.expose_secret().to_vec()),
                c.expose_passphrase().map(<[u8]>::to_vec),
            ]
        })
        .flatten()
        .filter(|s| s.len() >= 4)
        .collect();
    let holds_secret = |t: &str| {
        secrets
            .iter()
            .any(|s| t.as_bytes().windows(s.len()).any(|w| w == s.as_slice()))
    };
    match r {
        Ok(lines) => {
            if lines.iter().any(|l| holds_secret(l)) {
                eprintln!("microarb: account: the answer held a credential; nothing printed");
                return ExitCode::from(1);
            }
            for l in lines {
                println!("{l}");
            }
            ExitCode::SUCCESS
        }
        Err(Failure(msg, code)) => {
            if holds_secret(&msg) {
                eprintln!("microarb: account: the error held a credential; not printed");
            } else {
                eprintln!("microarb: account: {msg}");
            }
            ExitCode::from(code)
        }
    }
}

/// The venue's symbol for `instrument` (a config instrument name, or a symbol the config lists
/// for the venue).
fn symbol_of(cfg: &Config, venue: &str, instrument: &str) -> Result<String, Failure> {
    for ins in &cfg.instruments {
        if let Some(sym) = ins.symbols.get(venue) {
            if ins.name == instrument || sym == instrument {
                return Ok(sym.clone());
            }
        }
    }
    let known: Vec<&str> = cfg
        .instruments
        .iter()
        .filter(|i| i.symbols.contains_key(venue))
        .map(|i| i.name.as_str())
        .collect();
    Err(bad(format!(
        "--instrument {instrument:?}: not an instrument of {venue} in the config (it has: {})",
        known.join(", ")
    )))
}

fn run(
    cfg: &Config,
    a: &AccountArgs,
    cred: &mut Option<ApiSecret>,
) -> Result<Vec<String>, Failure> {
    let i = cfg
        .venues
        .iter()
        .position(|v| v.name == a.venue)
        .ok_or_else(|| {
            let names: Vec<&str> = cfg.venues.iter().map(|v| v.name.as_str()).collect();
            bad(format!(
                "--venue {:?}: no such venue in the config (it has: {})",
                a.venue,
                names.join(", ")
            ))
        })?;
    *cred = load_account_credentials(cfg, i)?;
    let v = &cfg.venues[i];
    let public = match a.call {
        Call::Time => true,
        Call::Rules { .. } => v.kind != VenueKind::Upbit,
        _ => false,
    };
    if cred.is_none() && !public {
        return Err(bad(format!(
            "venues[{i}] ({}): this call needs API credentials: give api_key_env + api_secret_env \
             (and api_passphrase_env for okx), or api_secret_file",
            v.name
        )));
    }
    let timeout = Duration::from_millis(a.timeout_ms.max(1));
    let mut client = client_for_venue(cfg, &a.venue, cred.as_ref(), timeout)?;
    match &a.call {
        Call::Balances => balances(&mut client),
        Call::OpenOrders { instrument } => {
            let symbol = match instrument {
                Some(ins) => Some(symbol_of(cfg, &a.venue, ins)?),
                None => None,
            };
            open_orders(&mut client, symbol.as_deref())
        }
        Call::Rules { instrument } => {
            let symbols = match instrument {
                Some(ins) => vec![symbol_of(cfg, &a.venue, ins)?],
                None => cfg
                    .instruments
                    .iter()
                    .filter_map(|i| i.symbols.get(&a.venue).cloned())
                    .collect(),
            };
            if symbols.is_empty() {
                return Err(bad(format!(
                    "{}: the config lists no instrument on it",
                    a.venue
                )));
            }
            rules(&mut client, &symbols)
        }
        Call::Time => time(&mut client),
        Call::Cancel {
            instrument,
            client_id,
        } => {
            let symbol = symbol_of(cfg, &a.venue, instrument)?;
            let outcome = client.cancel(&symbol, client_id)?;
            let said = match outcome {
                CancelOutcome::Cancelled => "cancelled (the venue accepted the cancel)",
                CancelOutcome::AlreadyFinal => "already final (filled or cancelled before)",
                CancelOutcome::NotFound => {
                    "not found (no open order by that id: never placed, or already final)"
                }
            };
            Ok(vec![format!("cancel {symbol} {client_id}: {said}")])
        }
    }
}

fn balances(client: &mut AccountClient) -> Result<Vec<String>, Failure> {
    let mut b = client.balances()?;
    b.sort_by(|x, y| x.asset.cmp(&y.asset));
    if b.is_empty() {
        return Ok(vec!["no balances".into()]);
    }
    Ok(b.iter()
        .map(|b| format!("balance {} free={} locked={}", b.asset, b.free, b.locked))
        .collect())
}

fn open_orders(client: &mut AccountClient, symbol: Option<&str>) -> Result<Vec<String>, Failure> {
    let orders = client.open_orders(symbol)?;
    if orders.is_empty() {
        return Ok(vec!["no open orders".into()]);
    }
    Ok(orders
        .iter()
        .map(|o| {
            let side = match o.side {
                Side::Buy => "buy",
                Side::Sell => "sell",
            };
            let state = match &o.state {
                OrderState::New => "new".to_string(),
                OrderState::PartiallyFilled => "partially_filled".to_string(),
                OrderState::Other(s) => s.clone(),
            };
            format!(
                "order {} {side} price={} qty={} filled={} state={state} client_id={} venue_id={}",
                o.symbol,
                o.price,
                o.qty,
                o.filled,
                if o.client_id.is_empty() {
                    "-"
                } else {
                    &o.client_id
                },
                o.venue_order_id
            )
        })
        .collect())
}

fn opt(a: &Option<Amount>) -> String {
    a.map_or_else(|| "-".to_string(), |a| a.to_string())
}

fn rules(client: &mut AccountClient, symbols: &[String]) -> Result<Vec<String>, Failure> {
    let r = client.rules(symbols)?;
    let mut lines = Vec::new();
    for s in symbols {
        if !r.instruments.iter().any(|i| &i.symbol == s) {
            lines.push(format!("rules {s}: not listed by the venue"));
        }
    }
    for i in &r.instruments {
        let tick = match &i.tick {
            TickRule::Fixed(t) => t.to_string(),
            TickRule::Bands(_) => "by-price-band".to_string(),
        };
        lines.push(format!(
            "rules {} tick={tick} step={} min_qty={} min_notional={} trading={}",
            i.symbol,
            opt(&i.step),
            opt(&i.min_qty),
            opt(&i.min_notional),
            if i.trading { "yes" } else { "no" }
        ));
    }
    for l in &r.rate_limits {
        let kind = match &l.kind {
            RateLimitKind::RequestWeight => "REQUEST_WEIGHT",
            RateLimitKind::Orders => "ORDERS",
            RateLimitKind::RawRequests => "RAW_REQUESTS",
            RateLimitKind::Other(k) => k.as_str(),
        };
        lines.push(format!(
            "rate_limit {kind} {} per {} ms",
            l.limit, l.interval_ms
        ));
    }
    Ok(lines)
}

fn time(client: &mut AccountClient) -> Result<Vec<String>, Failure> {
    let before = unix_ms_now();
    let t = client.server_time()?;
    let after = unix_ms_now();
    let local = before + (after.saturating_sub(before)) / 2;
    let offset = i128::from(t.unix_ms) - i128::from(local);
    Ok(vec![format!(
        "server_time unix_ms={} local_unix_ms={local} offset_ms={offset} round_trip_ms={}",
        t.unix_ms,
        after.saturating_sub(before)
    )])
}
