#!/usr/bin/env python3
"""Summarise the runs of perf/scrape.sh: per arm (scraper off / on), each hot-path histogram's
p50 / p99 / p99.9 as the median of the K runs with their range, the orders and drops, and what the
scraper did. Prints JSON; with --md FILE also writes the markdown table perf/results.py includes.
"""
import argparse
import json
import os
import statistics

METRICS = ["parse", "hop", "detect", "tick_to_decision", "tick_to_order"]
QS = [("p50", "p50"), ("p99", "p99"), ("p999", "p99.9")]


def load(path):
    with open(path) as f:
        return json.load(f)


def runs(d, arm, repeat, rate):
    out = []
    for k in range(1, repeat + 1):
        base = os.path.join(d, arm, str(k), f"microarb-{rate}")
        try:
            out.append((load(base + ".json"), load(base + ".report.json")))
        except (OSError, ValueError):
            pass
    return out


def cell(vals):
    """median (min..max) in us."""
    if not vals:
        return "-"
    us = [v / 1000 for v in vals]
    return f"{statistics.median(us):.2f} ({min(us):.2f}..{max(us):.2f})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--repeat", type=int, required=True)
    ap.add_argument("--rate", type=int, required=True)
    ap.add_argument("--hz", type=float, required=True)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--md")
    a = ap.parse_args()
    arms = {arm: runs(a.dir, arm, a.repeat, a.rate) for arm in ("off", "on")}
    summary = {"rate": a.rate, "seconds": a.seconds, "repeat": a.repeat, "scrape_hz": a.hz, "arms": {}}
    for arm, rs in arms.items():
        m = {}
        for metric in METRICS:
            m[metric] = {q: [rep["latency_ns"][metric][q] for _, rep in rs] for q, _ in QS}
            m[metric]["count"] = [rep["latency_ns"][metric]["count"] for _, rep in rs]
        m["send_to_order"] = {
            "p50": [d["send_to_order"]["p50_ns"] for d, _ in rs],
            "p99": [d["send_to_order"]["p99_ns"] for d, _ in rs],
            "p999": [d["send_to_order"]["p999_ns"] for d, _ in rs],
            "count": [d["send_to_order"]["count"] for d, _ in rs],
        }
        summary["arms"][arm] = {
            "runs": len(rs),
            "metrics": m,
            "received": [d["received"] for d, _ in rs],
            "dropped": [d["dropped"] for d, _ in rs],
            "scraper": [d.get("metrics") for d, _ in rs],
        }
    print(json.dumps(summary, indent=2))
    if not a.md:
        return
    off, on = summary["arms"]["off"], summary["arms"]["on"]
    lines = [
        "## Scraping /metrics under load (`perf/scrape.sh`)",
        "",
        f"microarb at {a.rate} msg/s for {a.seconds:g} s under the `e2e` driver, its endpoint on in "
        f"both arms; `on` adds a scraper GETting /metrics {a.hz:g} times a second from the driver "
        f"(pinned with the mock exchange, off the engine's core). {off['runs']} runs per arm, "
        "alternating in ABBA order. Each cell: the median of the runs' percentile, and in brackets "
        "the lowest and highest run, in microseconds. Histograms from the engine's report "
        "(cumulative over the run); send_to_order from the driver.",
        "",
        "| metric | arm | p50 | p99 | p99.9 | observations (median) |",
        "|---|---|---|---|---|---|",
    ]
    for metric in METRICS + ["send_to_order"]:
        for name, arm in (("off", off), ("on", on)):
            mm = arm["metrics"][metric]
            n = statistics.median(mm["count"]) if mm["count"] else 0
            lines.append(f"| {metric} | {name} | {cell(mm['p50'])} | {cell(mm['p99'])} | "
                         f"{cell(mm['p999'])} | {n:.0f} |")
    scr = [s for s in on["scraper"] if s]
    if scr:
        ok = [s["scrapes_ok"] for s in scr]
        failed = sum(s["scrapes_failed"] for s in scr)
        size = statistics.median(s["bytes_per_scrape"] for s in scr)
        p50 = statistics.median(s["scrape_p50_ns"] for s in scr) / 1e6
        mx = max(s["scrape_max_ns"] for s in scr) / 1e6
        lines += ["", f"Scraper (arm `on`): {min(ok)}..{max(ok)} good scrapes a run, {failed} failed "
                  f"in all, {size / 1024:.0f} KiB a scrape, a scrape took {p50:.2f} ms at the median "
                  f"(longest {mx:.2f} ms)."]
    drops = [sum(arm["dropped"]) for arm in (off, on)]
    lines += ["", f"Frames dropped over all runs: off {drops[0]}, on {drops[1]}.", ""]
    with open(a.md, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
