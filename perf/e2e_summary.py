#!/usr/bin/env python3
"""Summarise perf/out/*.json from perf/e2e.sh into perf/out/e2e.json (printed to stdout).

For each engine: the runs at 10k/s and at --rate (rate, sent, received, dropped, send_to_order and
tick_to_order p50/p99/p99.9/max in ns), the highest search rate with no drops, and the raw hop.
With --repeat K the timed runs are read from perf/out/runs/1..K: each percentile is the median of
the K runs' values, `max_ns` the largest, the counts are summed, and every run's own figures are
kept under `runs`. Ratios are baseline / microarb (how many times lower microarb's latency is).
Every run entry says its `workload` (`<instruments>x<venues>`); the top-level `workload` is the
main rows' (e2e's default, 50x4). `one_instrument` holds the 1-instrument, 3-venue row set at
--rate (files `<engine>-<rate>-1x3.json`): `microarb` (paper), `baseline`, `microarb_rest`, and
`rates_one_instrument` its per-rate tags in the shape of `rates`.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_rates  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def run_entry(r):
    if r is None:
        return None
    pick = lambda d: {k: d.get(k) for k in ("p50_ns", "p99_ns", "p999_ns", "max_ns", "count")}
    return {
        "rate": r["rate"],
        "workload": e2e_rates.workload(r),
        "instruments": r.get("instruments", 1),
        "venues": r.get("venues", ["binance", "bybit", "okx"]),
        "seconds": r["seconds"],
        "sent": r["sent"],
        "received": r["received"],
        "dropped": r["dropped"],
        "orders": r["orders_joined"],
        "orders_untimed": r.get("orders_untimed", 0),
        "instruments_with_orders": len(r.get("orders_per_instrument") or {}),
        "parse_errors": r.get("parse_errors"),
        "send_to_order": pick(r["send_to_order"]),
        "tick_to_order": pick(r["tick_to_order"]),
        "rss_peak_bytes": r.get("rss_peak_bytes"),
        "hist_log": r.get("hist_log"),
        "topology": r.get("topology"),
    }


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) // 2


def combine(entries):
    """One entry from K runs of the same engine and rate: median percentiles, summed counts."""
    entries = [e for e in entries if e]
    if not entries:
        return None
    if len(entries) == 1:
        return entries[0]
    out = dict(entries[0])
    for k in ("sent", "received", "dropped", "orders", "orders_untimed"):
        out[k] = sum(e.get(k) or 0 for e in entries)
    out["instruments_with_orders"] = max(e.get("instruments_with_orders") or 0 for e in entries)
    out["seconds"] = sum(e["seconds"] for e in entries)
    for metric in ("send_to_order", "tick_to_order"):
        ms = [e[metric] for e in entries]
        out[metric] = {q: median([m.get(q) for m in ms]) for q in ("p50_ns", "p99_ns", "p999_ns")}
        out[metric]["max_ns"] = max((m.get("max_ns") or 0) for m in ms)
        out[metric]["count"] = sum((m.get("count") or 0) for m in ms)
    rss = [e.get("rss_peak_bytes") for e in entries if e.get("rss_peak_bytes")]
    out["rss_peak_bytes"] = max(rss) if rss else None
    out["hist_log"] = [e.get("hist_log") for e in entries]
    out["runs"] = entries
    return out


def timed(engine, rate, repeat, suffix=""):
    """`engine` (its file tag) at `rate` for the workload of `suffix` ("" or "-1x3")."""
    name = f"{engine}-{rate}{suffix}.json"
    if repeat <= 1 and not os.path.isdir(os.path.join(OUT, "runs")):
        return run_entry(load(os.path.join(OUT, name)))
    return combine([run_entry(load(os.path.join(OUT, "runs", str(k), name)))
                    for k in range(1, max(repeat, 1) + 1)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=int, default=100000)
    ap.add_argument("--search", default="")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--rates", default="", help="the per-rate runs (e2e.json `rates`)")
    a = ap.parse_args()
    rates = [int(x) for x in a.search.split()] if a.search else []
    hop = load(os.path.join(OUT, "hop.json")) or {}
    summary = {"repeat": a.repeat, "hop_ns": {"p50": hop.get("p50_ns"), "p99": hop.get("p99_ns"),
                          "p999": hop.get("p999_ns"), "pinned": hop.get("pinned")}}
    for engine in ("microarb", "baseline"):
        main_run = timed(engine, a.rate, a.repeat)
        low_run = timed(engine, 10000, a.repeat)
        best = None
        for r in rates:
            s = load(os.path.join(OUT, "search", f"{engine}-{r}.json"))
            if s and s["dropped"] == 0 and s["sent"] > 0:
                best = r
        e = dict(main_run or {})
        e["at_10k"] = low_run
        e["max_drop_free_rate"] = best
        e["search_rates"] = rates
        summary[engine] = e
    m, b = summary.get("microarb") or {}, summary.get("baseline") or {}
    ratios = {}
    for metric in ("send_to_order", "tick_to_order"):
        for q in ("p50_ns", "p99_ns", "p999_ns"):
            mv = (m.get(metric) or {}).get(q)
            bv = (b.get(metric) or {}).get(q)
            if mv and bv:
                ratios[f"{metric}.{q}"] = round(bv / mv, 2)
    if m.get("max_drop_free_rate") and b.get("max_drop_free_rate"):
        ratios["max_drop_free_rate"] = round(m["max_drop_free_rate"] / b["max_drop_free_rate"], 2)
    summary["baseline_over_microarb"] = ratios
    per_rate = [int(x) for x in a.rates.split()] if a.rates else []
    summary["rates"] = e2e_rates.rates(OUT, per_rate, a.repeat)
    summary["workload"] = (summary.get("microarb") or {}).get("workload")
    one = "-1x3"
    summary["one_instrument"] = {
        "workload": "1x3",
        "rate": a.rate,
        "microarb": timed("microarb", a.rate, a.repeat, one),
        "microarb_rest": timed("microarb-rest", a.rate, a.repeat, one),
        "baseline": timed("baseline", a.rate, a.repeat, one),
    }
    summary["rates_one_instrument"] = e2e_rates.rates(OUT, [a.rate], a.repeat, one)
    summary.update(e2e_rates.floor(OUT))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
