//! `microarb sign --config FILE --venue NAME --instrument NAME --side buy|sell --price P --qty Q
//! [--client-id ID] [--timestamp-ms MS] [--nonce UUID]`: print the exact HTTP/1.1 request the
//! engine would send for that IOC limit order (request line, headers, blank line, body), signed
//! with the credentials the config names for the venue. Nothing is sent.
//!
//! For an operator whose key a venue refuses: compare this with what curl or ccxt sends for the
//! same order, timestamp and (Upbit) nonce. The request comes from the engine's own codec, built by
//! the same function as the REST gateway's ([`venue_codec`]), so it is byte for byte what the
//! gateway writes for the same inputs. The API key is printed (it is in the request); the secret
//! never is (only its signature), and OKX's passphrase header is printed as `****`. If either
//! still appeared anywhere in the text, nothing is printed.
//!
//! Exit status: 0 printed; 2 bad config, arguments or credentials (each message names the key,
//! the variable or the file, never a value); 1 anything else.

use std::path::PathBuf;
use std::process::ExitCode;

use microarb::base::Clock;
use microarb::config::{load, Config, Machine};
use microarb::exec::gateway::codec::nonce::UUID_LEN;
use microarb::exec::gateway::codec::VenueCodec;
use microarb::exec::gateway::rest::{
    client_prefix, host_header, load_venue_credentials, public_rest_url, venue_codec,
};
use microarb::model::{
    InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};

/// What OKX's passphrase header is printed as.
const REDACTED: &[u8] = b"****";

/// Arguments of `sign`.
#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// The config whose venue, instrument and credential sources are used.
    #[arg(long)]
    config: PathBuf,
    /// The venue's name in the config.
    #[arg(long)]
    venue: String,
    /// The instrument's name in the config (e.g. BTC/USDT).
    #[arg(long)]
    instrument: String,
    /// buy or sell.
    #[arg(long)]
    side: String,
    /// Limit price, decimal text within the instrument's price_scale.
    #[arg(long)]
    price: String,
    /// Quantity, decimal text within the instrument's qty_scale.
    #[arg(long)]
    qty: String,
    /// The client order id: a prefix of letters and digits ending in the order number (the
    /// engine's form, e.g. ma1234567x42). Default: this run's prefix and order 1.
    #[arg(long)]
    client_id: Option<String>,
    /// The timestamp to sign, unix ms. Default: now.
    #[arg(long)]
    timestamp_ms: Option<u64>,
    /// Upbit: the JWT nonce (a lowercase uuid). Default: a fresh one.
    #[arg(long)]
    nonce: Option<String>,
}

/// A refusal: the message and the exit status.
struct Refusal(String, u8);

fn bad(msg: impl Into<String>) -> Refusal {
    Refusal(msg.into(), 2)
}

pub fn main(a: SignArgs) -> ExitCode {
    let cfg = match load(&a.config, &Machine::this(false)) {
        Ok(c) => c,
        Err(e) => return super::config_failure(&e),
    };
    match request(&cfg, &a) {
        Ok(bytes) => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            if out.write_all(&bytes).and_then(|()| out.flush()).is_err() {
                return ExitCode::from(1);
            }
            eprintln!();
            ExitCode::SUCCESS
        }
        Err(Refusal(msg, code)) => {
            eprintln!("microarb: sign: {msg}");
            ExitCode::from(code)
        }
    }
}

/// The printable request for `a` on `cfg`.
fn request(cfg: &Config, a: &SignArgs) -> Result<Vec<u8>, Refusal> {
    let i = cfg
        .venues
        .iter()
        .position(|v| v.name == a.venue)
        .ok_or_else(|| {
            bad(format!(
                "--venue {:?}: no such venue in the config",
                a.venue
            ))
        })?;
    let v = &cfg.venues[i];
    if !v.trade {
        return Err(bad(format!(
            "venues[{i}] ({}): trade = false, a feed only: the engine sends it no orders",
            v.name
        )));
    }
    let ins = cfg
        .instruments
        .iter()
        .position(|x| x.name == a.instrument)
        .ok_or_else(|| {
            bad(format!(
                "--instrument {:?}: no such instrument in the config",
                a.instrument
            ))
        })?;
    let spec = &cfg.instruments[ins];
    let side = match a.side.as_str() {
        "buy" => Side::Buy,
        "sell" => Side::Sell,
        other => return Err(bad(format!("--side {other:?}: buy or sell"))),
    };
    let px = Price::parse(a.price.as_bytes(), spec.price_scale).map_err(|e| {
        bad(format!(
            "--price {:?}: {e} (price_scale {})",
            a.price, spec.price_scale
        ))
    })?;
    let qty = Qty::parse(a.qty.as_bytes(), spec.qty_scale).map_err(|e| {
        bad(format!(
            "--qty {:?}: {e} (qty_scale {})",
            a.qty, spec.qty_scale
        ))
    })?;
    let clock = Clock::new();
    let (prefix, id) = match &a.client_id {
        Some(c) => split_client_id(c)?,
        None => (client_prefix(cfg, &clock), 1),
    };
    let unix_ms = a
        .timestamp_ms
        .unwrap_or_else(|| clock.unix_ns(clock.now_ns()) / 1_000_000);
    let nonce = a.nonce.as_deref().map(parse_nonce).transpose()?;
    let cred = load_venue_credentials(cfg, i).map_err(|e| bad(e.to_string()))?;
    let url = v.rest_url.as_deref().unwrap_or(public_rest_url(v.kind));
    let host = host_header(url).map_err(|e| bad(format!("venues[{i}].rest_url: {e}")))?;
    let mut codec = venue_codec(cfg, i, &cred, host, &prefix).map_err(|e| bad(e.to_string()))?;
    let order = Order {
        id: OrderId(id),
        opp: OppId(0),
        px,
        qty,
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(ins as u16),
        venue: VenueId(i as u8),
        side,
        tif: TimeInForce::Ioc,
    };
    let mut out = Vec::with_capacity(2048);
    let written = match (&mut codec, nonce) {
        (VenueCodec::Upbit(c), Some(n)) => c.write_request_with_nonce(&order, &n, &mut out),
        (_, Some(_)) => return Err(bad("--nonce is for upbit only (its JWT nonce)")),
        (c, None) => c.write_request(&order, unix_ms, &mut out),
    };
    written.map_err(|e| bad(format!("the order cannot be encoded for {}: {e}", v.name)))?;
    let printable = redact_passphrase(&out);
    for (what, secret) in [
        ("secret", Some(cred.expose_secret())),
        ("passphrase", cred.expose_passphrase()),
    ] {
        if let Some(s) = secret.filter(|s| !s.is_empty()) {
            if printable.windows(s.len()).any(|w| w == s) {
                return Err(Refusal(
                    format!("the request text contains the API {what}; not printed"),
                    1,
                ));
            }
        }
    }
    Ok(printable)
}

/// `ma1234567x42` -> (`ma1234567x`, 42): the order number is the trailing digits, as the codecs
/// write `<prefix><order id>`.
fn split_client_id(c: &str) -> Result<(String, u64), Refusal> {
    let digits = c.bytes().rev().take_while(u8::is_ascii_digit).count();
    let (prefix, number) = c.split_at(c.len() - digits);
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(bad(format!(
            "--client-id {c:?}: letters and digits, a prefix that does not end in a digit, then the order number"
        )));
    }
    let id = number
        .parse::<u64>()
        .map_err(|_| bad(format!("--client-id {c:?}: must end in the order number")))?;
    Ok((prefix.to_string(), id))
}

/// A uuid as the codecs write one: 36 bytes, lowercase hex and dashes at 8, 13, 18, 23.
fn parse_nonce(n: &str) -> Result<[u8; UUID_LEN], Refusal> {
    let ok = n.len() == UUID_LEN
        && n.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        });
    if !ok {
        return Err(bad(format!(
            "--nonce {n:?}: a lowercase uuid (8-4-4-4-12 hex digits)"
        )));
    }
    let mut out = [0u8; UUID_LEN];
    out.copy_from_slice(n.as_bytes());
    Ok(out)
}

/// The request with OKX's `OK-ACCESS-PASSPHRASE` header value replaced by `****` (the headers
/// only; nothing else changes).
fn redact_passphrase(req: &[u8]) -> Vec<u8> {
    const NAME: &[u8] = b"\r\nOK-ACCESS-PASSPHRASE: ";
    let head_end = req
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(req.len());
    let Some(at) = req[..head_end].windows(NAME.len()).position(|w| w == NAME) else {
        return req.to_vec();
    };
    let value = at + NAME.len();
    let end = req[value..]
        .windows(2)
        .position(|w| w == b"\r\n")
        .map_or(req.len(), |e| value + e);
    let mut out = Vec::with_capacity(req.len());
    out.extend_from_slice(&req[..value]);
    out.extend_from_slice(REDACTED);
    out.extend_from_slice(&req[end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_split_at_the_order_number() {
        assert_eq!(split_client_id("ma7").ok(), Some(("ma".into(), 7)));
        assert_eq!(
            split_client_id("ma1234567x42").ok(),
            Some(("ma1234567x".into(), 42))
        );
        assert!(split_client_id("ma").is_err(), "no number");
        assert!(split_client_id("42").is_err(), "no prefix");
        assert!(split_client_id("m-a7").is_err(), "not alphanumeric");
    }

    #[test]
    fn nonces_and_redaction() {
        assert!(parse_nonce("0f8fad5b-d9cb-469f-a165-70867728950e").is_ok());
        assert!(parse_nonce("0F8FAD5B-d9cb-469f-a165-70867728950e").is_err());
        assert!(parse_nonce("0f8fad5b").is_err());
        let req = b"GET /x HTTP/1.1\r\nHost: h\r\nOK-ACCESS-PASSPHRASE: hunter22\r\nA: b\r\n\r\n";
        assert_eq!(
            redact_passphrase(req),
            b"GET /x HTTP/1.1\r\nHost: h\r\nOK-ACCESS-PASSPHRASE: ****\r\nA: b\r\n\r\n".to_vec()
        );
        assert_eq!(
            redact_passphrase(b"GET / HTTP/1.1\r\n\r\n"),
            b"GET / HTTP/1.1\r\n\r\n"
        );
    }
}
