//! Conformance of the venue adapters on real captures (`../shared/data`, see its README).
//!
//! For every frame of a capture: a top-of-book frame of the adapter's channel must give exactly the
//! prices, sizes, symbol and update id written in it, checked against an independent extraction
//! (serde_json `Value` for string fields, plain text search for Upbit's JSON numbers, compared as
//! decimal text); every other frame must be recognised and skipped, never a parse error.
//!
//! The captures hold no `bbo-tbt` (OKX) or `orderbook.1` (Bybit) frames, so those adapters are also
//! run on real `books` / `orderbook.200` frames renamed to their channel: the first level of each
//! side is what the adapter must report. Skipped with a notice when the data folder is absent.

use std::collections::BTreeMap;
use std::path::PathBuf;

use microarb::ingest::venues::{
    binance, bybit, okx, upbit, FeedParser, Frame, SkipKind, SymbolTable,
};
use microarb::model::{format_decimal, InstrumentId, Quote, VenueId, VenueKind};
use microarb::record::CaptureReader;
use serde_json::Value;

fn data_file(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    let path = dir.join(name);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "NOTICE: {} absent; capture conformance test skipped",
            path.display()
        );
        None
    }
}

/// (recv ns, venue, payload) of every record.
fn records(path: &PathBuf) -> Vec<(u64, String, Vec<u8>)> {
    let mut r = CaptureReader::open(path).expect("open capture");
    let mut out = Vec::new();
    while let Some(rec) = r.next_record().expect("capture line") {
        out.push((rec.recv_ns, rec.venue.to_owned(), rec.payload.to_vec()));
    }
    out
}

/// Decimal text in shortest form without going through a parser: "0.35210000" -> "0.3521",
/// "127.0" -> "127", "0.00000000" -> "0".
fn norm(text: &str) -> String {
    let t = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    };
    let t = t.trim_start_matches('0');
    if t.is_empty() {
        "0".into()
    } else if t.starts_with('.') {
        format!("0{t}")
    } else {
        t.into()
    }
}

fn fmt(m: i64, scale: u8) -> String {
    let mut b = [0u8; 48];
    String::from_utf8(format_decimal(m, scale, &mut b).to_vec()).unwrap()
}

/// Build a table from symbols in first-seen order, all at scale 8/8.
fn table(symbols: &[String]) -> (SymbolTable, BTreeMap<String, InstrumentId>) {
    let mut ids = BTreeMap::new();
    for s in symbols {
        let n = ids.len() as u16;
        ids.entry(s.clone()).or_insert(InstrumentId(n));
    }
    let t = SymbolTable::from_entries(ids.iter().map(|(s, &id)| (s.as_str(), id, 8, 8))).unwrap();
    (t, ids)
}

fn assert_quote(q: &Quote, want: [&str; 4], what: &str) {
    let got = [
        fmt(q.bid_px.0, 8),
        fmt(q.bid_qty.0, 8),
        fmt(q.ask_px.0, 8),
        fmt(q.ask_qty.0, 8),
    ];
    let want = want.map(norm);
    assert_eq!(got, want, "{what}");
}

fn s<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{ptr} in {v}"))
}

/// Check every Binance frame; returns the number of bookTicker quotes per venue name.
fn check_binance(recs: &[(u64, String, Vec<u8>)]) -> BTreeMap<String, usize> {
    let mut syms = Vec::new();
    for (_, _, p) in recs {
        let v: Value = serde_json::from_slice(p).unwrap();
        if let Some(sym) = v.pointer("/data/s").and_then(Value::as_str) {
            syms.push(sym.to_owned());
        }
    }
    let (t, ids) = table(&syms);
    let mut quotes = BTreeMap::new();
    let mut feeds: BTreeMap<String, FeedParser> = BTreeMap::new();
    for (i, (recv, venue, p)) in recs.iter().enumerate() {
        let v: Value = serde_json::from_slice(p).unwrap();
        let stream = v["stream"].as_str().unwrap_or("");
        let frame = binance::parse(p, &t, *recv, VenueId(7));
        let feed = feeds
            .entry(venue.clone())
            .or_insert_with(|| FeedParser::new(VenueKind::Binance, VenueId(7), t.clone()));
        let fed = feed.parse(p, *recv).expect("feed parser");
        if stream.ends_with("@bookTicker") {
            let Ok(Frame::Quote(q)) = frame else {
                panic!("record {i}: {frame:?}")
            };
            let d = &v["data"];
            assert_quote(&q, [s(d, "/b"), s(d, "/B"), s(d, "/a"), s(d, "/A")], stream);
            assert_eq!(q.seq, d["u"].as_u64().unwrap());
            assert_eq!(q.instrument, ids[s(d, "/s")]);
            assert_eq!((q.recv_ts_ns, q.venue), (*recv, VenueId(7)));
            if let Some(t_ms) = d["T"].as_u64() {
                assert_eq!(q.exch_ts_ns, t_ms as i64 * 1_000_000);
            }
            assert_eq!(
                fed,
                Frame::Quote(q),
                "record {i}: update ids rise per venue"
            );
            *quotes.entry(venue.clone()).or_insert(0) += 1;
        } else {
            assert_eq!(frame, Ok(Frame::Skip(SkipKind::OtherChannel)), "record {i}");
        }
    }
    quotes
}

#[test]
fn binance_session() {
    let Some(path) = data_file("session-binance.tsv") else {
        return;
    };
    let quotes = check_binance(&records(&path));
    assert_eq!(quotes["binance"], 84);
}

#[test]
fn binance_spot_and_usdm_gz() {
    let Some(path) = data_file("binance-btcusdt-spot-usdm-20240808.tsv.gz") else {
        return;
    };
    let quotes = check_binance(&records(&path));
    assert_eq!(quotes["binance"], 28_040);
    assert_eq!(quotes["binance_usdm"], 66_089);
    assert_eq!(quotes.values().sum::<usize>(), 94_129);
}

/// The raw text of `"key":` inside `obj` up to the next `,` or `}` (Upbit numbers).
fn number_after<'a>(obj: &'a str, key: &str) -> &'a str {
    let pat = format!("\"{key}\":");
    let start = obj.find(&pat).unwrap() + pat.len();
    let rest = &obj[start..];
    &rest[..rest.find([',', '}']).unwrap()]
}

#[test]
fn upbit_session_simple_format() {
    let Some(path) = data_file("session-upbit.tsv") else {
        return;
    };
    let recs = records(&path);
    let mut codes = Vec::new();
    for (_, _, p) in &recs {
        let v: Value = serde_json::from_slice(p).unwrap();
        codes.push(s(&v, "/cd").to_owned());
    }
    let (t, ids) = table(&codes);
    let mut n_quotes = 0;
    for (i, (recv, _, p)) in recs.iter().enumerate() {
        let v: Value = serde_json::from_slice(p).unwrap();
        let frame = upbit::parse(p, &t, *recv, VenueId(1));
        if s(&v, "/ty") == "orderbook" {
            let Ok(Frame::Quote(q)) = frame else {
                panic!("record {i}: {frame:?}")
            };
            let text = std::str::from_utf8(p).unwrap();
            let best = &text[text.find("\"obu\":[{").unwrap()..];
            let best = &best[..best.find('}').unwrap() + 1];
            let want = ["bp", "bs", "ap", "as"].map(|k| number_after(best, k));
            assert_quote(&q, want, text);
            assert_eq!(q.instrument, ids[s(&v, "/cd")]);
            assert_eq!(q.exch_ts_ns, v["tms"].as_i64().unwrap() * 1_000_000);
            n_quotes += 1;
        } else {
            assert_eq!(frame, Ok(Frame::Skip(SkipKind::OtherChannel)), "record {i}");
        }
    }
    assert_eq!(n_quotes, 145);
}

#[test]
fn bybit_session_and_renamed_snapshots() {
    let Some(path) = data_file("session-bybit.tsv") else {
        return;
    };
    let recs = records(&path);
    let syms: Vec<String> = recs
        .iter()
        .filter_map(|(_, _, p)| {
            let v: Value = serde_json::from_slice(p).ok()?;
            v.pointer("/data/s")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect();
    let (t, ids) = table(&syms);
    let mut feed = FeedParser::new(VenueKind::Bybit, VenueId(3), t.clone());
    let mut snapshots = 0;
    for (i, (recv, _, p)) in recs.iter().enumerate() {
        let v: Value = serde_json::from_slice(p).unwrap();
        let want = if v.get("op").is_some() {
            SkipKind::SubscribeAck
        } else {
            SkipKind::OtherChannel
        };
        assert_eq!(feed.parse(p, *recv), Ok(Frame::Skip(want)), "record {i}");
        let topic = v["topic"].as_str().unwrap_or("");
        if topic.starts_with("orderbook.200.") && v["type"] == "snapshot" {
            let renamed =
                String::from_utf8(p.clone())
                    .unwrap()
                    .replacen("orderbook.200.", "orderbook.1.", 1);
            let mut book = bybit::BybitBook::new();
            let frame = bybit::parse(renamed.as_bytes(), &t, *recv, VenueId(3), &mut book);
            let Ok(Frame::Quote(q)) = frame else {
                panic!("record {i}: {frame:?}")
            };
            let d = &v["data"];
            assert_quote(
                &q,
                [
                    s(d, "/b/0/0"),
                    s(d, "/b/0/1"),
                    s(d, "/a/0/0"),
                    s(d, "/a/0/1"),
                ],
                topic,
            );
            assert_eq!(q.seq, d["u"].as_u64().unwrap());
            assert_eq!(q.instrument, ids[s(d, "/s")]);
            assert_eq!(q.exch_ts_ns, v["cts"].as_i64().unwrap() * 1_000_000);
            snapshots += 1;
        }
    }
    assert!(snapshots > 0);
}

#[test]
fn okx_session_and_renamed_books() {
    let Some(path) = data_file("session-okx.tsv") else {
        return;
    };
    let recs = records(&path);
    let syms: Vec<String> = recs
        .iter()
        .filter_map(|(_, _, p)| {
            let v: Value = serde_json::from_slice(p).ok()?;
            v.pointer("/arg/instId")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect();
    let (t, ids) = table(&syms);
    let mut renamed_quotes = 0;
    for (i, (recv, _, p)) in recs.iter().enumerate() {
        let v: Value = serde_json::from_slice(p).unwrap();
        let want = if v.get("event").is_some() {
            SkipKind::SubscribeAck
        } else {
            SkipKind::OtherChannel
        };
        assert_eq!(
            okx::parse(p, &t, *recv, VenueId(4)),
            Ok(Frame::Skip(want)),
            "record {i}"
        );
        if v.get("event").is_none() && v["arg"]["channel"] == "books" {
            let renamed = String::from_utf8(p.clone()).unwrap().replacen(
                "\"channel\":\"books\"",
                "\"channel\":\"bbo-tbt\"",
                1,
            );
            let frame = okx::parse(renamed.as_bytes(), &t, *recv, VenueId(4));
            let Ok(Frame::Quote(q)) = frame else {
                panic!("record {i}: {frame:?}")
            };
            let d = &v["data"][0];
            let level =
                |side: &str, k: usize| d[side].get(0).map_or("0", |l| l[k].as_str().unwrap());
            let want = [
                level("bids", 0),
                level("bids", 1),
                level("asks", 0),
                level("asks", 1),
            ];
            assert_quote(&q, want, &renamed);
            assert_eq!(q.instrument, ids[s(&v, "/arg/instId")]);
            assert_eq!(
                q.exch_ts_ns,
                s(d, "/ts").parse::<i64>().unwrap() * 1_000_000
            );
            renamed_quotes += 1;
        }
    }
    assert_eq!(renamed_quotes, 99 + 98 + 93);
}
