//! `[execution.rest]` and each venue's REST URL and credential sources.

use crate::config::check::Check;
use crate::config::schema::{Config, OrderEntry, VenueConfig, STREAM_WITH_REST, WS_ORDER_ENTRY};
use crate::config::GatewayKind;
use crate::model::VenueKind;

/// The REST side: `execution.rest.*`, and per venue `rest_url`, `trade` and the credential
/// sources. With `gateway = "rest"` every venue that trades needs exactly one credential source
/// (both variables, or a file), and an OKX one its passphrase (`api_passphrase_env` beside the
/// variables; a file carries a `passphrase=` line, checked when it is read). A passphrase
/// variable on another kind is refused, and so are credentials on a feed-only venue
/// (`trade = false`).
pub(in crate::config) fn rest(k: &mut Check, c: &Config) {
    let r = &c.execution.rest;
    k.range_u64("execution.rest.conns", u64::from(r.conns), 1, 64);
    k.range_u64(
        "execution.rest.recv_window_ms",
        u64::from(r.recv_window_ms),
        1,
        60_000,
    );
    k.range_u64(
        "execution.rest.connect_timeout_ms",
        r.connect_timeout_ms,
        1,
        600_000,
    );
    if r.clock_sync_ms != 0 && !(1000..=86_400_000).contains(&r.clock_sync_ms) {
        k.fail(
            "execution.rest.clock_sync_ms",
            format!(
                "must be 0 (off) or 1000..=86400000 ms (got {})",
                r.clock_sync_ms
            ),
        );
    }
    let prefix = &r.client_id_prefix;
    if prefix.is_empty() || prefix.len() > 8 || !prefix.bytes().all(|b| b.is_ascii_alphanumeric()) {
        k.fail(
            "execution.rest.client_id_prefix",
            format!("must be 1 to 8 letters or digits (got {prefix:?})"),
        );
    }
    k.positive_amount("execution.rest.balance_base", &r.balance_base, 8);
    k.positive_amount("execution.rest.balance_quote", &r.balance_quote, 8);
    let rest = c.execution.gateway == GatewayKind::Rest;
    if !r.venue_limits {
        let remote: Vec<&str> = c
            .venues
            .iter()
            .filter(|v| v.trade && !v.rest_url.as_deref().is_some_and(is_loopback_url))
            .map(|v| v.name.as_str())
            .collect();
        if !remote.is_empty() {
            k.fail(
                "execution.rest.venue_limits",
                format!(
                    "false is for benches against a mock exchange on this host: every trading venue's rest_url must be http://127.x.x.x, http://[::1] or http://localhost (not: {})",
                    remote.join(", ")
                ),
            );
        }
    }
    for (i, v) in c.venues.iter().enumerate() {
        let p = format!("venues[{i}]");
        if let Some(url) = &v.rest_url {
            let host = url
                .strip_prefix("http://")
                .or_else(|| url.strip_prefix("https://"));
            if host.is_none_or(|h| h.is_empty() || h.contains('/') && !h.ends_with('/')) {
                k.fail(
                    format!("{p}.rest_url"),
                    format!("must be an http:// or https:// base URL without a path (got {url:?})"),
                );
            }
        }
        for (key, var) in [
            ("api_key_env", &v.api_key_env),
            ("api_secret_env", &v.api_secret_env),
            ("api_passphrase_env", &v.api_passphrase_env),
        ] {
            if let Some(var) = var {
                if var.is_empty() || var.contains('=') || var.contains('\0') {
                    k.fail(
                        format!("{p}.{key}"),
                        format!("must be an environment variable name (got {var:?})"),
                    );
                }
            }
        }
        if v.api_secret_file.as_deref() == Some("") {
            k.fail(
                format!("{p}.api_secret_file"),
                "must not be empty when given",
            );
        }
        let env = (v.api_key_env.is_some(), v.api_secret_env.is_some());
        match env {
            (true, false) => k.fail(
                format!("{p}.api_secret_env"),
                "is required with api_key_env",
            ),
            (false, true) => k.fail(
                format!("{p}.api_key_env"),
                "is required with api_secret_env",
            ),
            _ => {}
        }
        if env.0 && v.api_secret_file.is_some() {
            k.fail(
                format!("{p}.api_secret_file"),
                "give either api_key_env/api_secret_env or api_secret_file, not both",
            );
        }
        let any_source = env.0 || env.1 || v.api_secret_file.is_some();
        if v.api_passphrase_env.is_some() {
            if v.kind != VenueKind::Okx {
                k.fail(
                    format!("{p}.api_passphrase_env"),
                    format!("only okx has a passphrase ({} does not)", v.kind.name()),
                );
            } else if v.api_secret_file.is_some() || !env.0 {
                k.fail(
                    format!("{p}.api_passphrase_env"),
                    "goes with api_key_env + api_secret_env; a credentials file carries a passphrase= line instead",
                );
            }
        }
        order_entry(k, &p, v);
        if !v.trade {
            if any_source || v.api_passphrase_env.is_some() {
                k.fail(
                    format!("{p}.trade"),
                    "is false (a feed only), so the venue takes no credentials: remove api_key_env, api_secret_env, api_passphrase_env and api_secret_file, or set trade = true",
                );
            }
            continue;
        }
        if !rest {
            continue;
        }
        if !any_source {
            k.fail(
                format!("{p}.api_key_env"),
                "execution.gateway = \"rest\" needs credentials for a venue that trades: api_key_env + api_secret_env, or api_secret_file (or trade = false for a feed only)",
            );
        } else if v.kind == VenueKind::Okx && env.0 && v.api_passphrase_env.is_none() {
            k.fail(
                format!("{p}.api_passphrase_env"),
                "okx needs its API passphrase: name the environment variable that holds it (or use api_secret_file with a passphrase= line)",
            );
        }
    }
}

/// Whether `url`'s host is this machine's loopback (127.0.0.0/8, `[::1]`, `localhost`).
fn is_loopback_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or("");
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// `order_entry`, `private_stream` and their keys: `"ws"` only for the kinds of
/// [`WS_ORDER_ENTRY`] on a venue that trades (Binance with an Ed25519 key file), a private stream
/// with REST order entry only for the kinds of [`STREAM_WITH_REST`], URLs `ws://` / `wss://`, and
/// every key refused where it would not be read.
fn order_entry(k: &mut Check, p: &str, v: &VenueConfig) {
    let ws = v.order_entry == OrderEntry::Ws;
    let stream = v.reads_private_stream();
    if !ws && v.ws_api_url.is_some() {
        k.fail(
            format!("{p}.ws_api_url"),
            "is only read with order_entry = \"ws\"",
        );
    }
    if v.ed25519_key_file.is_some() && !(ws && v.kind == VenueKind::Binance) {
        k.fail(
            format!("{p}.ed25519_key_file"),
            "is only read with order_entry = \"ws\" on a binance venue",
        );
    }
    let own_stream_socket = matches!(v.kind, VenueKind::Bybit | VenueKind::Upbit);
    if v.private_ws_url.is_some() && !(stream && own_stream_socket) {
        k.fail(
            format!("{p}.private_ws_url"),
            "is only read with a private stream on its own socket (bybit, upbit)",
        );
    }
    if stream && !ws && !STREAM_WITH_REST.contains(&v.kind) {
        k.fail(
            format!("{p}.private_stream"),
            format!(
                "a {} venue reads its private stream on its order socket: it needs order_entry = \"ws\"",
                v.kind.name()
            ),
        );
    }
    if stream && !v.trade {
        k.fail(
            format!("{p}.private_stream"),
            "needs trade = true (a feed-only venue has no account stream to read)",
        );
    }
    for (key, url) in [
        ("ws_api_url", &v.ws_api_url),
        ("private_ws_url", &v.private_ws_url),
    ] {
        if let Some(url) = url {
            let rest = url
                .strip_prefix("wss://")
                .or_else(|| url.strip_prefix("ws://"));
            if rest.is_none_or(|r| r.is_empty() || r.starts_with('/')) {
                k.fail(
                    format!("{p}.{key}"),
                    format!("must be a ws:// or wss:// URL (got {url:?})"),
                );
            }
        }
    }
    if !ws {
        return;
    }
    if !WS_ORDER_ENTRY.contains(&v.kind) {
        k.fail(
            format!("{p}.order_entry"),
            format!(
                "\"ws\" is not supported for {} ({} orders go over \"rest\")",
                v.kind.name(),
                v.kind.name()
            ),
        );
    }
    if !v.trade {
        k.fail(
            format!("{p}.order_entry"),
            "\"ws\" needs trade = true (a feed-only venue sends no orders)",
        );
    }
    if v.kind == VenueKind::Binance {
        match v.ed25519_key_file.as_deref() {
            None | Some("") => k.fail(
                format!("{p}.ed25519_key_file"),
                "is required with order_entry = \"ws\" (the Ed25519 PEM file session.logon signs with)",
            ),
            Some(_) => {}
        }
    }
}
