#!/usr/bin/env python3
"""Summarise perf/out/*.json from perf/e2e.sh into perf/out/e2e.json (printed to stdout).

For each engine: the runs at 10k/s and at --rate (rate, sent, received, dropped, send_to_order and
tick_to_order p50/p99/p99.9/max in ns), the highest search rate with no drops, and the raw hop.
Ratios are baseline / microarb (how many times lower microarb's latency is).
"""
import argparse
import json
import os

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
        "seconds": r["seconds"],
        "sent": r["sent"],
        "received": r["received"],
        "dropped": r["dropped"],
        "orders": r["orders_joined"],
        "send_to_order": pick(r["send_to_order"]),
        "tick_to_order": pick(r["tick_to_order"]),
        "rss_peak_bytes": r.get("rss_peak_bytes"),
        "hist_log": r.get("hist_log"),
        "topology": r.get("topology"),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=int, default=100000)
    ap.add_argument("--search", default="")
    a = ap.parse_args()
    rates = [int(x) for x in a.search.split()] if a.search else []
    hop = load(os.path.join(OUT, "hop.json")) or {}
    summary = {"hop_ns": {"p50": hop.get("p50_ns"), "p99": hop.get("p99_ns"),
                          "p999": hop.get("p999_ns"), "pinned": hop.get("pinned")}}
    for engine in ("microarb", "baseline"):
        main_run = run_entry(load(os.path.join(OUT, f"{engine}-{a.rate}.json")))
        low_run = run_entry(load(os.path.join(OUT, f"{engine}-10000.json")))
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
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
