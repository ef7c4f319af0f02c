"""The per-rate part of perf/out/e2e.json (imported by perf/e2e_summary.py).

`rates` is keyed by rate as a string ("1000", "10000", "100000"); each holds `microarb` (its
network gateway: the REST runs against the mock, `microarb-rest-<rate>.json`), `microarb_paper`
(the paper venue, as before), `baseline` (its network path: reqwest to the same REST endpoints,
`baseline-rest-<rate>.json`), `baseline_paper` and `microarb_ws` (microarb with every venue
that can take orders over a WebSocket session on it, the rest on REST, `microarb-ws-<rate>.json`),
each with `tick_to_order`, `tick_to_wire` and `wire_to_wire` (and, on the network paths,
`mock_read_lag`: how long after the kernel stamped an order's first byte the mock's thread read
it) as `{p50_ns, p99_ns, p999_ns, max_ns, count}` over K runs (median of the runs' percentiles, largest
max, summed counts), plus `spread` (each percentile's lowest and highest run) and `runs` (each
run's own). Each engine entry also says its `workload` (`<instruments>x<venues>`, as the runs
recorded it; runs from before the field were 1x3), `order_entry_ws` (the venues on a session) and
`wire_to_wire_by_venue` (each venue's legs, same fields), and `short_runs`: runs whose mock
sent under 80% of the frames the same engine's best run at that rate did (a stalled mock). `rates(..., suffix="-1x3")` reads the
1-instrument, 3-venue row set (`<name>-<rate>-1x3.json`). `floor(out)` reads `floor.json` into
`loopback_floor` and `write_ns`.
"""
import json
import os

TAGS = ("tick_to_order", "tick_to_wire", "wire_to_wire", "mock_read_lag")
QS = ("p50_ns", "p99_ns", "p999_ns")


def _load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) // 2


def _tag(runs, tag):
    ms = [(r.get(tag) or {}) for r in runs]
    ms = [m for m in ms if m.get("count")]
    if not ms:
        return {q: None for q in QS} | {"max_ns": None, "count": 0, "spread": None}
    out = {q: _median([m.get(q) for m in ms]) for q in QS}
    out["max_ns"] = max(m.get("max_ns") or 0 for m in ms)
    out["count"] = sum(m.get("count") or 0 for m in ms)
    out["spread"] = {q: [min(m.get(q) or 0 for m in ms), max(m.get(q) or 0 for m in ms)] for q in QS}
    out["runs"] = [{q: m.get(q) for q in QS} | {"count": m.get("count")} for m in ms]
    return out


def workload(run):
    """`<instruments>x<venues>` of one run's e2e json (1x3 for runs from before the field)."""
    if not run:
        return None
    return run.get("workload") or "1x3"


def engine_at(out_dir, name, rate, repeat, suffix=""):
    """One engine's tags at `rate` over runs 1..repeat (`name`: the run file's engine tag;
    `suffix`: the workload's file suffix, "" for the default one)."""
    numbered = [(k, _load(os.path.join(out_dir, "runs", str(k), f"{name}-{rate}{suffix}.json")))
                for k in range(1, max(repeat, 1) + 1)]
    numbered = [(k, r) for k, r in numbered if r]
    runs = [r for _, r in numbered]
    if not runs:
        return None
    e = {t: _tag(runs, t) for t in TAGS}
    e["runs_found"] = len(runs)
    # A run whose mock sent far fewer frames than the same run's others did (the mock stalled):
    # its figures stay in the medians, and RESULTS names it.
    most = max(r.get("sent") or 0 for r in runs)
    e["short_runs"] = [
        {"run": k, "sent": r.get("sent") or 0, "most": most}
        for k, r in numbered
        if most and (r.get("sent") or 0) < 0.8 * most
    ]
    e["workload"] = workload(runs[0])
    e["gateway"] = runs[0].get("gateway", "paper")
    e["dropped"] = sum(r.get("dropped") or 0 for r in runs)
    e["wire_unmatched"] = sum(r.get("wire_unmatched") or 0 for r in runs)
    e["order_entry_ws"] = runs[0].get("order_entry_ws") or []
    venues = sorted({v for r in runs for v in (r.get("wire_to_wire_by_venue") or {})})
    e["wire_to_wire_by_venue"] = {
        v: _tag([(r.get("wire_to_wire_by_venue") or {}) for r in runs], v) for v in venues
    }
    return e


def rates(out_dir, rate_list, repeat, suffix=""):
    """Each engine's tags at each rate of `rate_list`, for the workload of `suffix`."""
    out = {}
    for r in rate_list:
        out[str(r)] = {
            "microarb": engine_at(out_dir, "microarb-rest", r, repeat, suffix),
            "microarb_paper": engine_at(out_dir, "microarb", r, repeat, suffix),
            "baseline": engine_at(out_dir, "baseline-rest", r, repeat, suffix),
            "baseline_paper": engine_at(out_dir, "baseline", r, repeat, suffix),
            "microarb_ws": engine_at(out_dir, "microarb-ws", r, repeat, suffix),
        }
    return out


def floor(out_dir):
    f = _load(os.path.join(out_dir, "floor.json")) or {}
    pick = lambda d: {"p50_ns": (d or {}).get("p50_ns"), "p99_ns": (d or {}).get("p99_ns")}
    return {
        "loopback_floor": pick(f.get("one_way_loopback")),
        "write_ns": pick(f.get("write_peer_busy_poll")),
        "write_peer_blocked_ns": pick(f.get("write_peer_blocked")),
        "write_after_idle_ns": pick(f.get("write_after_idle")),
        "write_after_idle_warmed_ns": pick(f.get("write_after_idle_warmed")),
        "floor_idle_us": f.get("idle_us"),
        "floor_warm_every_us": f.get("warm_every_us"),
        "floor_pinned": f.get("pinned"),
        "floor_bytes": f.get("bytes"),
    }
