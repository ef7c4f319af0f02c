#!/usr/bin/env python3
"""Write perf/RESULTS.md (to stdout) from criterion's estimates of the last `perf/bench.sh` run.

Every figure comes from target/criterion/<group>/<bench>/new/estimates.json; the machine, date and
commit are read here, at generation time. Nothing is typed by hand.
"""
import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results_wire  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRIT = os.path.join(ROOT, "target", "criterion")


def sh(*cmd):
    try:
        return subprocess.check_output(cmd, cwd=ROOT, text=True, stderr=subprocess.DEVNULL).strip()
    except Exception:
        return "unknown"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} us"
    return f"{ns:.1f} ns"


def load():
    rows = []
    if not os.path.isdir(CRIT):
        return rows
    for dirpath, _dirs, files in os.walk(CRIT):
        if os.path.basename(dirpath) != "new" or "estimates.json" not in files:
            continue
        with open(os.path.join(dirpath, "estimates.json")) as f:
            est = json.load(f)
        with open(os.path.join(dirpath, "benchmark.json")) as f:
            meta = json.load(f)
        rows.append((meta.get("group_id", ""), meta.get("full_id", ""), est))
    rows.sort(key=lambda r: r[1])
    return rows


def e2e_section():
    """The end-to-end summary of perf/e2e.sh, if it has been run here."""
    path = os.path.join(ROOT, "perf", "out", "e2e.json")
    try:
        with open(path) as f:
            e = json.load(f)
        mtime = datetime.fromtimestamp(os.path.getmtime(path), timezone.utc)
    except (OSError, ValueError):
        return ["## End to end", "", "`perf/e2e.sh` has not been run on this machine yet.", ""]
    out = ["## End to end (`perf/e2e.sh`)", ""]
    k = e.get("repeat") or 1
    runs_note = (f" Each row is {k} runs of the engine at that rate, the engines alternating: every "
                 "percentile is the median of the runs' values, max the largest, counts summed; "
                 "each run's own tick→order p50/p99 is listed below the table." if k > 1 else "")
    out.append(f"Run at {mtime.strftime('%Y-%m-%d %H:%M UTC')}. Mock exchange pinned to core 0 in the "
               "`e2e` driver; each engine in its own process with its default topology for this "
               f"machine. Latencies in microseconds.{runs_note}")
    out.append("")
    out.append("Workload of each row: instruments x venues. 50x4 is 50 synthetic instruments on "
               "Binance, Bybit, OKX and Upbit (its binary frames), dislocations rotating over the "
               "instruments and venues; 1x3 is one instrument on Binance, Bybit and OKX. Upbit's "
               "frames carry no update id, so an order an Upbit frame triggered is joined to the last "
               "frame of its instrument the mock sent at or before the engine received it (one "
               "instrument's frames are milliseconds apart, loopback microseconds); `untimed` counts "
               "those with no such frame within 1 ms; `instr.` is how many instruments had orders.")
    out.append("")
    out.append("| engine | workload | rate/s | sent | received | dropped | orders | untimed | instr. | send→order p50 | p99 | p99.9 | max | tick→order p50 | p99 | p99.9 | max | max drop-free rate |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    us = lambda v: "-" if v is None else f"{v / 1000:.1f}"

    def free(eng):
        best, rates = eng.get("max_drop_free_rate"), eng.get("search_rates") or []
        if best is None:
            return "none of the searched"
        return f">= {best} (top of the search)" if rates and best == max(rates) else str(best)
    one = e.get("one_instrument") or {}
    rows = []
    for engine in ("microarb", "baseline"):
        eng = e.get(engine) or {}
        for run in (eng.get("at_10k"), eng if eng.get("rate") else None):
            if run:
                rows.append((engine, run, free(eng)))
    for key, label in (("microarb", "microarb"), ("baseline", "baseline")):
        if one.get(key):
            rows.append((label, one[key], "not searched"))
    for engine, run, drop_free in rows:
        s, t = run.get("send_to_order") or {}, run.get("tick_to_order") or {}
        out.append(f"| {engine} | {run.get('workload') or '1x3'} | {run['rate']} | {run['sent']} | {run['received']} | "
                   f"{run['dropped']} | {run['orders']} | {run.get('orders_untimed', 0)} | "
                   f"{run.get('instruments_with_orders', '-')} | {us(s.get('p50_ns'))} | {us(s.get('p99_ns'))} | "
                   f"{us(s.get('p999_ns'))} | {us(s.get('max_ns'))} | {us(t.get('p50_ns'))} | {us(t.get('p99_ns'))} | "
                   f"{us(t.get('p999_ns'))} | {us(t.get('max_ns'))} | {drop_free} |")
    out.append("")
    if k > 1:
        for engine, run, _ in rows:
            if not run.get("runs"):
                continue
            each = ", ".join(f"{us(r['tick_to_order'].get('p50_ns'))}/{us(r['tick_to_order'].get('p99_ns'))}"
                             for r in run["runs"])
            out.append(f"- {engine} {run.get('workload') or '1x3'} at {run['rate']}/s, tick→order p50/p99 of each run: {each}")
        out.append("")
    hop = e.get("hop_ns") or {}
    out.append(f"Raw ring hop (rtrb ping-pong, cores 0/1, pinned {hop.get('pinned')}): p50 {hop.get('p50')} ns, "
               f"p99 {hop.get('p99')} ns, p99.9 {hop.get('p999')} ns.")
    out.append("")
    m = e.get("microarb") or {}
    t = m.get("tick_to_order") or {}
    if t.get("p50_ns") is not None:
        out.append(f"Issue 6 targets at 100k msg/s on this machine, workload {m.get('workload') or '1x3'} (reported, never asserted"
                   + (f"; medians of {k} runs" if k > 1 else "") + "):")
        out.append("")
        def verdict(name, got, limit, unit, better="below"):
            if got is None:
                return f"- {name}: not measured"
            ok = got <= limit if better == "below" else got >= limit
            how = "met" if ok else (f"missed by {got - limit:.1f} {unit}" if better == "below" else f"missed: {got:.2f}{unit} of {limit}{unit}")
            return f"- {name}: {got:.1f} {unit} against {limit} {unit}: {how}" if unit != "x" else f"- {name}: {got:.2f}x against {limit}x: {'met' if ok else 'missed'}"
        out.append(verdict("tick_to_order p50", t["p50_ns"] / 1000, 2, "us"))
        out.append(verdict("tick_to_order p99", t["p99_ns"] / 1000, 10, "us"))
        ratio = (e.get("baseline_over_microarb") or {}).get("tick_to_order.p99_ns")
        out.append(verdict("baseline p99 / microarb p99", ratio, 10, "x", better="above") if ratio else "- ratio: not measured")
        out.append(f"- drops at {m.get('rate')} msg/s: {m.get('dropped')} (sent {m.get('sent')}, received {m.get('received')})")
        rss = m.get("rss_peak_bytes")
        out.append(f"- peak RSS: {rss / 2**20:.1f} MiB against 64 MiB: {'met' if rss <= 64 * 2**20 else 'missed'}" if rss else "- RSS: not measured")
        out.append("- allocations per message in steady state: asserted zero by `tests/alloc/runtime.rs` (whole pipeline) and `tests/alloc/ingest.rs` (WebSocket layer)")
        out.append("")
    folded = os.path.join(ROOT, "perf", "out", "stacks.folded")
    if os.path.exists(folded):
        counts, total = {}, 0
        with open(folded) as f:
            for line in f:
                stack, _, n = line.rstrip().rpartition(" ")
                try:
                    n = int(n)
                except ValueError:
                    continue
                leaf = stack.split(";")[-1]
                counts[leaf] = counts.get(leaf, 0) + n
                total += n
        what = "whole process"
        prof = os.path.join(ROOT, "perf", "out", "profile.json")
        if os.path.exists(prof):
            with open(prof) as f:
                what = json.load(f).get("profiled", what)
        if total:
            out.append(f"Hottest frames (leaf, share of cpu-clock time) of the last `perf/record.sh` profile, {what} (perf/out/flamegraph.svg):")
            out.append("")
            for leaf, n in sorted(counts.items(), key=lambda kv: -kv[1])[:12]:
                out.append(f"- {100 * n / total:5.1f}% `{leaf[:110]}`")
            out.append("")
    r = e.get("baseline_over_microarb") or {}
    if r:
        out.append("Baseline / microarb (how many times lower microarb is): " +
                   ", ".join(f"{k} {v}x" for k, v in sorted(r.items())) + ".")
        out.append("")
    return out


def wire_section():
    path = os.path.join(ROOT, "perf", "out", "e2e.json")
    try:
        with open(path) as f:
            e = json.load(f)
    except (OSError, ValueError):
        return []
    return results_wire.section(e, e.get("repeat") or 1)


def memory_section():
    """Memory of the engine's tables per size, from `scale_mem --json` (run by perf/e2e.sh)."""
    path = os.path.join(ROOT, "perf", "out", "scale_mem.json")
    try:
        with open(path) as f:
            rows = json.load(f)
    except (OSError, ValueError):
        return []
    if not rows:
        return []
    out = ["## Memory as instruments and venues grow (`scale_mem`)", ""]
    out.append("Each size is built in a fresh process: the strategy stage, the execution stage on the paper "
               "venue, every venue's ingest parser, the telemetry registry and both rings, sized from the "
               "config at start-up (venue kinds cycle Binance, Bybit, OKX, Upbit). `stages` is what building "
               "them added to the resident set; `peak` the process's peak RSS. A running engine adds its "
               "connections' buffers and thread stacks (the e2e rows' peak RSS).")
    out.append("")
    out.append("| instruments | venues | stages (KiB) | process peak (MiB) |")
    out.append("|---|---|---|---|")
    for r in sorted(rows, key=lambda r: (r["venues"], r["instruments"])):
        out.append(f"| {r['instruments']} | {r['venues']} | {r['stages_kib']} | {r['peak_kib'] / 1024:.1f} |")
    out.append("")
    for n, limit in ((200, 64), (1000, 256)):
        peaks = [r["peak_kib"] for r in rows if r["instruments"] == n]
        if peaks:
            got = max(peaks) / 1024
            out.append(f"- {n} instruments, largest over 2/4/8 venues: peak {got:.1f} MiB against {limit} MiB: "
                       f"{'met' if got <= limit else 'missed'} (tables only, see above)")
    out.append("")
    return out


def scrape_section():
    """The table of perf/scrape.sh (scrapes of /metrics under load), if it has been run here."""
    path = os.path.join(ROOT, "perf", "out", "scrape.md")
    try:
        with open(path) as f:
            text = f.read()
        mtime = datetime.fromtimestamp(os.path.getmtime(path), timezone.utc)
    except OSError:
        return []
    lines = text.rstrip("\n").split("\n")
    return lines[:2] + [f"Run at {mtime.strftime('%Y-%m-%d %H:%M UTC')}."] + lines[2:] + [""]


def main():
    rows = load()
    out = []
    out.append("# microarb performance results")
    out.append("")
    out.append("Generated by `perf/results.py` (run by `perf/bench.sh` and `perf/e2e.sh`) from real runs; do not edit by hand.")
    out.append("")
    out.append(f"- date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
    out.append(f"- commit: `{sh('git', 'rev-parse', '--short', 'HEAD')}`"
               + (" (with uncommitted changes)" if [l for l in sh('git', 'status', '--porcelain', '--untracked-files=no').splitlines() if l and not l.endswith("perf/RESULTS.md")] else ""))
    out.append(f"- machine: {cpu_model()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}")
    out.append(f"- rustc: {sh('rustc', '--version')}")
    out.append(f"- benches run: {', '.join(sys.argv[1:]) or 'all'}")
    out.append("")
    out.extend(e2e_section())
    out.extend(wire_section())
    out.extend(memory_section())
    out.extend(scrape_section())
    if not rows:
        out.append("No criterion results found: run `perf/bench.sh`.")
        print("\n".join(out))
        return
    out.append("Criterion point estimates per iteration (median, with the mean and its 95 % interval).")
    out.append("")
    group = None
    for g, full, est in rows:
        if g != group:
            if group is not None:
                out.append("")
            group = g
            out.append(f"## {g}")
            out.append("")
            out.append("| benchmark | median | mean | mean 95 % CI |")
            out.append("|---|---|---|---|")
        med = est["median"]["point_estimate"]
        mean = est["mean"]["point_estimate"]
        lo = est["mean"]["confidence_interval"]["lower_bound"]
        hi = est["mean"]["confidence_interval"]["upper_bound"]
        out.append(f"| {full} | {fmt_ns(med)} | {fmt_ns(mean)} | {fmt_ns(lo)} .. {fmt_ns(hi)} |")
        if g == "ring_roundtrip":
            out.append(f"| {full} (one hop = round trip / 2) | {fmt_ns(med / 2)} | {fmt_ns(mean / 2)} | |")
    out.append("")
    out.append("Notes: ring_roundtrip pins its two threads to cores 0 and 1 and busy-spins both; the "
               "measurement overhead is one clock pair per batch. Other groups run on one thread. "
               "On a shared 2-core machine, figures move with the load of the other core. On this VM the "
               "cross-core round trip has been bimodal from one run to the next (a fast and a several "
               "times slower mode, for either ring, and the same in `hop` of perf/e2e.sh), following "
               "where the hypervisor runs the two vCPUs: compare rows of one run, not across runs.")
    print("\n".join(out))


if __name__ == "__main__":
    main()
