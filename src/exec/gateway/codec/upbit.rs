//! Upbit `POST /v1/orders`: the JSON order body, its JWT (HS256 with the SHA-512 `query_hash`) and
//! the reading of the answer into a [`RestAnswer`].
//!
//! The parameters go in the JSON body; the token's `query_hash` is the SHA-512 of the same
//! parameters as a url-encoded query string, in the same order (Upbit API docs, "Authentication":
//! their examples build it with `urlencode(params)` and hash the text). Every value written here
//! is made of unreserved characters (checked symbols and prefix, decimals, fixed words), so the
//! url-encoded form equals the plain one:
//!
//! ```text
//! market=KRW-BTC&side=bid&volume=0.01&price=100&ord_type=limit&identifier=ma42&time_in_force=ioc
//! {"market":"KRW-BTC","side":"bid","volume":"0.01","price":"100","ord_type":"limit","identifier":"ma42","time_in_force":"ioc"}
//! ```
//!
//! Reading: 429 / 418 / 5xx by status; `Remaining-Req` and `Retry-After` from the headers; 201 with
//! the order: `state` `done` -> filled, `cancel` with `executed_volume` > 0 -> partially filled,
//! `cancel` with nothing executed -> cancelled, `wait`/`watch` -> accepted (final state not known
//! yet: query it); other 4xx -> rejected (`{"error":{"name","message"}}`, see [`error_name`]).
//! `paid_fee` (in the market's quote currency) and `uuid` go on the report ([`super::fees`]).

mod account_auth;

use crate::base::scan::{str_content, ObjIter};
use crate::exec::limits::rate_headers::{
    is_retry_after, is_upbit_remaining_req, parse_upbit_remaining_req,
};
use crate::model::{ExecStatus, Fee, Order, Qty, Side};

use super::answer::{
    avg_price, check_unreserved, AnswerKind, RequestError, RestAnswer, RestVenue,
    CODE_NO_SUCH_ORDER,
};
use super::encode::{push_body, push_decimal, push_u64, start_request};
use super::fees;
use super::instruments::InstrumentTable;
use super::jwt::JwtSigner;
use super::nonce::{UuidGen, UUID_LEN};

/// Static settings of the Upbit codec.
#[derive(Debug, Clone)]
pub struct UpbitSettings {
    /// `Host` header (`api.upbit.com`).
    pub host: String,
    /// Prefix of `identifier` (the order id follows in decimal). Upbit refuses an identifier used
    /// before, even by a finished order, so the prefix must differ between engine runs whose
    /// order ids restart (e.g. a start-time stamp).
    pub identifier_prefix: String,
    /// Send `time_in_force=ioc` (arbitrage legs must not rest); off only for venues or mocks that
    /// refuse it.
    pub ioc: bool,
}

/// The Upbit order codec.
#[derive(Debug)]
pub struct UpbitCodec {
    settings: UpbitSettings,
    signer: JwtSigner,
    nonces: UuidGen,
    instruments: InstrumentTable,
    query: Vec<u8>,
}

/// The `error.name` of an Upbit error body (`insufficient_funds_bid`, `invalid_query_payload`...),
/// borrowed, for the caller's (rate-limited, cold) log.
pub fn error_name(body: &[u8]) -> Option<&[u8]> {
    let err = ObjIter::new(body)
        .filter_map(Result::ok)
        .find(|(k, _)| *k == b"error")?
        .1;
    ObjIter::new(err)
        .filter_map(Result::ok)
        .find(|(k, _)| *k == b"name")
        .and_then(|(_, v)| str_content(v))
}

impl UpbitCodec {
    /// A codec for `access_key` / `secret` (cold path). `nonces` makes each token's nonce.
    pub fn new(
        settings: UpbitSettings,
        access_key: &[u8],
        secret: &[u8],
        instruments: InstrumentTable,
        nonces: UuidGen,
    ) -> Result<Self, RequestError> {
        check_unreserved("identifier prefix", settings.identifier_prefix.as_bytes())?;
        Ok(UpbitCodec {
            settings,
            signer: JwtSigner::new(access_key, secret)?,
            nonces,
            instruments,
            query: Vec::with_capacity(256),
        })
    }

    /// Write the order's parameters as `sep`-separated `key` `eq` `value` items, wrapped by
    /// `open`/`close`: the query string (`&`, `=`) and the JSON body (`,`, `":"`) share one walk so
    /// they cannot disagree.
    fn write_params(
        &self,
        order: &Order,
        out: &mut Vec<u8>,
        json: bool,
    ) -> Result<(), RequestError> {
        let spec = self.instruments.for_order(order)?;
        let (open, kv, sep, close): (&[u8], &[u8], &[u8], &[u8]) = if json {
            (b"{\"", b"\":\"", b"\",\"", b"\"}")
        } else {
            (b"", b"=", b"&", b"")
        };
        out.extend_from_slice(open);
        out.extend_from_slice(b"market");
        out.extend_from_slice(kv);
        out.extend_from_slice(spec.symbol.as_bytes());
        out.extend_from_slice(sep);
        out.extend_from_slice(b"side");
        out.extend_from_slice(kv);
        out.extend_from_slice(match order.side {
            Side::Buy => b"bid",
            Side::Sell => b"ask",
        });
        out.extend_from_slice(sep);
        out.extend_from_slice(b"volume");
        out.extend_from_slice(kv);
        push_decimal(out, order.qty.0, spec.qty_scale);
        out.extend_from_slice(sep);
        out.extend_from_slice(b"price");
        out.extend_from_slice(kv);
        push_decimal(out, order.px.0, spec.price_scale);
        out.extend_from_slice(sep);
        out.extend_from_slice(b"ord_type");
        out.extend_from_slice(kv);
        out.extend_from_slice(b"limit");
        out.extend_from_slice(sep);
        out.extend_from_slice(b"identifier");
        out.extend_from_slice(kv);
        out.extend_from_slice(self.settings.identifier_prefix.as_bytes());
        push_u64(out, order.id.0);
        if self.settings.ioc {
            out.extend_from_slice(sep);
            out.extend_from_slice(b"time_in_force");
            out.extend_from_slice(kv);
            out.extend_from_slice(b"ioc");
        }
        out.extend_from_slice(close);
        Ok(())
    }

    /// The query string the token's `query_hash` covers, into `out`.
    pub fn write_query(&self, order: &Order, out: &mut Vec<u8>) -> Result<(), RequestError> {
        self.write_params(order, out, false)
    }

    /// The JSON body, into `out`.
    pub fn write_json(&self, order: &Order, out: &mut Vec<u8>) -> Result<(), RequestError> {
        self.write_params(order, out, true)
    }

    /// [`RestVenue::write_request`] with the token's `nonce` given instead of drawn from the
    /// codec's generator: the same bytes, for checks against reference requests that fix the
    /// nonce (`tests/exec/ccxt_vectors.rs`). `nonce` must be a formatted uuid (lowercase hex and
    /// dashes, as [`UuidGen::next_uuid`] writes), since it goes into the token's JSON as it is.
    /// The engine itself signs with `write_request`, which draws a fresh nonce per request.
    pub fn write_request_with_nonce(
        &mut self,
        order: &Order,
        nonce: &[u8; UUID_LEN],
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        self.write_order(order, Some(nonce), out)
    }

    /// The signed order request; the nonce is `nonce`, or (`None`) the generator's next, drawn
    /// only once the parameters passed their checks.
    fn write_order(
        &mut self,
        order: &Order,
        nonce: Option<&[u8; UUID_LEN]>,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        let mut query = std::mem::take(&mut self.query);
        query.clear();
        let r = self.write_query(order, &mut query);
        if r.is_ok() {
            start_request(out, b"POST", &[b"/v1/orders"], &self.settings.host);
            out.extend_from_slice(b"Authorization: Bearer ");
            let nonce = match nonce {
                Some(n) => *n,
                None => self.nonces.next_uuid(),
            };
            self.signer.write_token(out, &nonce, Some(&query));
            out.extend_from_slice(
                b"\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ",
            );
            // The token is written; the query buffer now holds the JSON body, whose length
            // the header needs before it.
            query.clear();
            let body = self.write_json(order, &mut query);
            debug_assert!(body.is_ok(), "query and body take the same checks");
            push_body(out, &query);
        }
        self.query = query;
        r
    }

    fn read_body(&self, order: &Order, body: &[u8], a: &mut RestAnswer) {
        let mut state: Option<&[u8]> = None;
        let mut executed: Option<&[u8]> = None;
        let mut funds: Option<&[u8]> = None;
        let (mut paid_fee, mut market): (Option<&[u8]>, Option<&[u8]>) = (None, None);
        for member in ObjIter::new(body) {
            let Ok((k, v)) = member else {
                a.kind = AnswerKind::Ambiguous;
                a.report.status = ExecStatus::Unknown;
                return;
            };
            match k {
                b"state" => state = str_content(v),
                b"executed_volume" => executed = str_content(v).or(Some(v)),
                b"executed_funds" => funds = str_content(v).or(Some(v)),
                b"paid_fee" => paid_fee = str_content(v).or(Some(v)),
                b"market" => market = str_content(v),
                b"uuid" => a.report.venue_order_id = fees::venue_order_id(v),
                _ => {}
            }
        }
        // Upbit charges its fee in the market's quote currency.
        a.report.fee = paid_fee
            .zip(market.and_then(fees::upbit_quote))
            .and_then(|(amount, quote)| Fee::parse(amount, quote, false));
        let Ok(spec) = self.instruments.get(order.instrument) else {
            return;
        };
        let filled = executed
            .and_then(|t| Qty::parse(t, spec.qty_scale).ok())
            .unwrap_or(Qty::ZERO);
        a.report.filled_qty = filled;
        if let Some(f) = funds {
            a.report.avg_px = avg_price(f, filled, spec);
        }
        let (kind, st) = match state {
            Some(b"done") => (AnswerKind::Final, ExecStatus::Filled),
            Some(b"cancel") if filled.0 > 0 => (AnswerKind::Final, ExecStatus::PartiallyFilled),
            Some(b"cancel") => (AnswerKind::Final, ExecStatus::Cancelled),
            Some(b"wait" | b"watch") => (AnswerKind::Accepted, ExecStatus::Unknown),
            _ => (AnswerKind::Ambiguous, ExecStatus::Unknown),
        };
        a.kind = kind;
        a.report.status = st;
    }
}

impl RestVenue for UpbitCodec {
    fn write_request(
        &mut self,
        order: &Order,
        _unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        self.write_order(order, None, out)
    }

    /// The request as [`write_request`](RestVenue::write_request) writes it, with the nonce
    /// generator put back: the next real token carries the nonce it would have carried.
    fn rehearse(
        &mut self,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        let saved = self.nonces.clone();
        let r = self.write_request(order, unix_ms, out);
        self.nonces = saved;
        r
    }

    fn write_status_request(
        &mut self,
        order: &Order,
        _unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        self.instruments.get(order.instrument)?;
        let mut q = std::mem::take(&mut self.query);
        q.clear();
        q.extend_from_slice(b"identifier=");
        q.extend_from_slice(self.settings.identifier_prefix.as_bytes());
        push_u64(&mut q, order.id.0);
        start_request(out, b"GET", &[b"/v1/order?", &q], &self.settings.host);
        out.extend_from_slice(b"Authorization: Bearer ");
        let nonce = self.nonces.next_uuid();
        self.signer.write_token(out, &nonce, Some(&q));
        out.extend_from_slice(b"\r\n\r\n");
        self.query = q;
        Ok(())
    }

    fn parse_answer(
        &self,
        order: &Order,
        status: u16,
        headers: &[httparse::Header<'_>],
        body: &[u8],
        now_ns: u64,
    ) -> RestAnswer {
        let mut a = RestAnswer::blank(order, now_ns);
        for h in headers {
            let name = h.name.as_bytes();
            if is_retry_after(name) {
                a.set_retry_after(h.value);
            } else if is_upbit_remaining_req(name) {
                match parse_upbit_remaining_req(h.value) {
                    Ok(r) => a.upbit_remaining_sec = Some(r.sec),
                    Err(_) => a.bad_headers = a.bad_headers.saturating_add(1),
                }
            }
        }
        if a.classify_status(status) {
            return a;
        }
        match status {
            200 | 201 => self.read_body(order, body, &mut a),
            404 if error_name(body) == Some(b"order_not_found") => {
                // A status query for an order Upbit never took: nothing happened.
                a.kind = AnswerKind::Rejected;
                a.report.status = ExecStatus::Rejected {
                    code: CODE_NO_SUCH_ORDER,
                };
            }
            400..=499 => {
                a.kind = AnswerKind::Rejected;
                a.report.status = ExecStatus::Rejected { code: status };
            }
            _ => {}
        }
        a
    }
}

#[cfg(test)]
#[path = "upbit_tests.rs"]
mod tests;
