//! The REST gateway's DNS upkeep: start-up lookup retries counted, and every venue host
//! resolved again on each reconnect by a `dns-refresh` thread ([`crate::net::dns_refresh`]), so a
//! venue that moves its API to a new address is followed without a lookup on the exec thread.
//!
//! Counters: `dns.<venue>.retries` (start-up lookups retried within
//! [`crate::net::dns::START_UP`]; a host that never resolves ends the start-up with an error
//! naming it), `dns.<venue>.re_resolved` and `dns.<venue>.failed` (lookups on reconnect).
//!
//! Cold path (spawns the thread, allocates the rings).

use crate::config::Config;
use crate::exec::gateway::rest::build::host_and_port;
use crate::exec::gateway::rest::{public_rest_url, RestRouter};
use crate::model::VenueId;
use crate::net::dns::SystemResolver;
use crate::net::dns_refresh::DnsRefresh;
use crate::telemetry::Registry;

/// Count `gw`'s start-up retries and give every route an address feed served by a
/// `dns-refresh` thread that lives as long as `gw`. A thread that cannot be spawned leaves the
/// start-up addresses in place, with a stderr line.
pub fn start(cfg: &Config, gw: &mut RestRouter, reg: &mut Registry) {
    let mut refresh = DnsRefresh::new(Box::new(SystemResolver));
    for (i, v) in cfg.venues.iter().enumerate() {
        let id = VenueId(i as u8);
        if !v.trade || gw.route(id).is_none() {
            continue;
        }
        reg.counter(&format!("dns.{}.retries", v.name))
            .add(gw.dns_retries(id));
        let url = v.rest_url.as_deref().unwrap_or(public_rest_url(v.kind));
        let Ok((host, port, _)) = host_and_port(url) else {
            continue;
        };
        let feed = refresh.feed(
            &host,
            port,
            reg.counter(&format!("dns.{}.re_resolved", v.name)),
            reg.counter(&format!("dns.{}.failed", v.name)),
        );
        if let Some(route) = gw.route_mut(id) {
            route.set_addr_feed(feed);
        }
    }
    if refresh.is_empty() {
        return;
    }
    match refresh.start() {
        Ok(h) => gw.keep(Box::new(h)),
        Err(e) => eprintln!(
            "dns: cannot start the dns-refresh thread ({e}); reconnects use the start-up addresses"
        ),
    }
}
