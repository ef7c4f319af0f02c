"""The per-rate, on-the-wire section of perf/RESULTS.md (imported by perf/results.py), from the
`rates`, `loopback_floor` and `write_ns` fields of perf/out/e2e.json."""

ENGINES = (
    ("microarb", "microarb, REST gateway"),
    ("microarb_ws", "microarb, WebSocket order entry"),
    ("microarb_paper", "microarb, paper"),
    ("baseline", "baseline, REST (reqwest)"),
    ("baseline_paper", "baseline, paper"),
)
TAGS = ("tick_to_order", "tick_to_wire", "wire_to_wire", "mock_read_lag")


def _us(v):
    return "-" if v is None else f"{v / 1000:.1f}"


def _spread(t, q):
    s = (t.get("spread") or {}).get(q)
    return "-" if not s else f"{_us(s[0])}..{_us(s[1])}"


def _enough(t):
    n = t.get("count") or 0
    if n >= 10_000:
        return "yes"
    if n >= 1_000:
        return "p99.9 rests on < 10,000"
    return "not enough: p99 rests on < 1,000"


def section(e, k):
    rates = e.get("rates") or {}
    if not rates:
        return []
    one = e.get("rates_one_instrument") or {}
    out = ["## Tick to trade on the wire, per rate (`perf/e2e.sh`)", ""]
    out.append(
        "microarb's network gateway is its REST gateways (HTTP/1.1 keep-alive, signed per order) to "
        "the mock exchange's REST endpoints; `wire_to_wire` = when the order's first byte reached "
        "the mock - the triggering frame's send by the mock (one process, one clock). The arrival is "
        "the kernel's receive stamp of the segment that carried the first byte (`SO_TIMESTAMPNS`, "
        "taken as the engine's `write` hands it to loopback), not when the mock's thread got round "
        "to reading it: those threads share core 0 with the feed's sender, and how late they read "
        "(`mock_read_lag`, the mock's, the same for both engines) is shown in its own rows. "
        "`tick_to_order` ends when both legs' signed bytes are complete, "
        "`tick_to_wire` when both legs' `write` calls have returned. For the bench the venues' rate "
        "limits are lifted on both sides (the engine's `execution.rest.venue_limits = false`, which it "
        "accepts for loopback URLs only, and the mock's `RestLimits::unlimited`), and the mock's REST "
        "threads busy-poll their sockets (yielding between reads). Dislocations: one every 20 frames "
        "at 1k/s, 100 at 10k/s, 500 at 100k/s, rotating over the instruments and the venues. "
        "Workload (instruments x venues): 50x4 is 50 synthetic instruments on Binance, Bybit, OKX "
        "and Upbit (in its binary frames), every rate; 1x3 is one instrument on Binance, Bybit and "
        "OKX, at the top rate only. Upbit's frames carry no update id: an order an Upbit frame "
        "triggered is joined to the last frame of its instrument sent at or before the engine "
        "received it, within 1 ms (legs with none are counted as untimed in the run files). The "
        "baseline sends its legs the way its design would (one shared reqwest client over rustls, "
        "each leg signed into a String and awaited, both legs joined) to the same endpoints, whose "
        "verification accepts them; it cannot see when its bytes are written (the client writes "
        "inside `send`), so it has no `tick_to_wire`. "
        f"Each figure is the median of {k} runs' values, max the largest, counts summed; spread is "
        "the lowest..highest run. microarb's REST rows come from runs three times as long as the "
        "others (`perf/e2e.sh` `rest_secs`): its acknowledged Bybit, OKX and Upbit legs hold one of "
        "its 3 slots until the status query 50 ms later tells their fate, so it completes fewer "
        "arbitrages a second there, and the longer runs give its p99 its 1,000 orders. "
        "Microseconds."
    )
    out.append("")
    lf, w = e.get("loopback_floor") or {}, e.get("write_ns") or {}
    wb = e.get("write_peer_blocked_ns") or {}
    wc, ww = e.get("write_after_idle_ns") or {}, e.get("write_after_idle_warmed_ns") or {}
    idle = ""
    if wc.get("p50_ns") is not None:
        idle = (
            f" One `write` (reader busy-polling) after {e.get('floor_idle_us')} us of the engine's "
            f"idle pass (non-blocking `epoll_wait` and `recv`), when the kernel's send path has "
            f"gone cold: p50 {_us(wc.get('p50_ns'))}, p99 {_us(wc.get('p99_ns'))}; the same with "
            f"microarb's warm writes (`execution.warm_write_every_us`, one every "
            f"{e.get('floor_warm_every_us')} us of it): p50 {_us(ww.get('p50_ns'))}, p99 "
            f"{_us(ww.get('p99_ns'))}."
        )
    out.append(
        f"Floor in the same run (`floor`, {e.get('floor_bytes')} bytes, cores 0/1, pinned "
        f"{e.get('floor_pinned')}): one-way loopback p50 {_us(lf.get('p50_ns'))}, p99 "
        f"{_us(lf.get('p99_ns'))}; one `write` with the reader busy-polling p50 {_us(w.get('p50_ns'))}, "
        f"p99 {_us(w.get('p99_ns'))}; with the reader blocked in `read` p50 {_us(wb.get('p50_ns'))}, "
        f"p99 {_us(wb.get('p99_ns'))}." + idle
    )
    out.append("")
    out.append("| rate/s | workload | engine | tag | p50 | p99 | p99.9 | max | count | p50 spread | p99 spread | samples |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for table in (rates, one):
        for r in sorted(table, key=int):
            for key, label in ENGINES:
                eng = table[r].get(key)
                if not eng:
                    continue
                for tag in TAGS:
                    t = eng.get(tag) or {}
                    if not t.get("count"):
                        continue
                    out.append(
                        f"| {r} | {eng.get('workload') or '1x3'} | {label} | {tag} | {_us(t.get('p50_ns'))} | "
                        f"{_us(t.get('p99_ns'))} | {_us(t.get('p999_ns'))} | {_us(t.get('max_ns'))} | "
                        f"{t.get('count')} | {_spread(t, 'p50_ns')} | {_spread(t, 'p99_ns')} | {_enough(t)} |"
                    )
    out.append("")
    short = []
    for table in (rates, one):
        for r in sorted(table, key=int):
            for key, label in ENGINES:
                eng = table[r].get(key) or {}
                for s in eng.get("short_runs") or []:
                    short.append(
                        f"- {label} at {r}/s ({eng.get('workload') or '1x3'}), run {s['run']}: the mock "
                        f"sent {s['sent']} frames where the best run sent {s['most']}: it stalled; the "
                        "run's figures are in the medians and the max columns."
                    )
    if short:
        out.append("Runs in which the mock exchange stalled (it sent under 80% of the frames of the "
                   "same row's best run):")
        out.append("")
        out.extend(short)
        out.append("")
    out.extend(_ws_vs_rest(rates))
    out.extend(_targets(e, rates))
    return out


def _ws_vs_rest(rates):
    """Per venue: the same workload's legs on REST and on the WebSocket session, same run."""
    rows = []
    for r in sorted(rates, key=int):
        ws, rest = rates[r].get("microarb_ws"), rates[r].get("microarb")
        if not ws or not rest:
            continue
        on_ws = ws.get("order_entry_ws") or []
        for v in sorted(set(ws.get("wire_to_wire_by_venue") or {}) | set(rest.get("wire_to_wire_by_venue") or {})):
            for label, eng in (("REST", rest), ("WebSocket" if v in on_ws else "REST (no session)", ws)):
                t = (eng.get("wire_to_wire_by_venue") or {}).get(v) or {}
                if not t.get("count"):
                    continue
                rows.append(
                    f"| {r} | {v} | {label} | {_us(t.get('p50_ns'))} | {_us(t.get('p99_ns'))} | "
                    f"{_us(t.get('max_ns'))} | {t.get('count')} | {_spread(t, 'p50_ns')} | {_enough(t)} |"
                )
    if not rows:
        return []
    out = [
        "WebSocket order entry against REST, `wire_to_wire` of each venue's legs (the row sets "
        "`microarb, REST gateway` and `microarb, WebSocket order entry` above, same workload, "
        "alternating in the same run): on REST an order's arrival is the kernel's stamp of its first "
        "byte; on the WebSocket path the kernel's stamp of the bytes waiting when the session "
        "thread peeked before reading, or, for a frame tungstenite had already buffered behind "
        "another (the mock's thread was late), when it was read: so the WebSocket rows' tails "
        "still hold some of the mock's lateness. `tick_to_order` on the WebSocket path ends when the masked frame is complete "
        "(no per-order signature: the session logged on once with Ed25519). Microseconds.",
        "",
        "| rate/s | venue | path | p50 | p99 | max | count | p50 spread | samples |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    return out + rows + [""]


def _targets(e, rates):
    top = str(max(int(r) for r in rates))
    net = rates[top].get("microarb") or {}
    t = net.get("tick_to_order") or {}
    if not t.get("count"):
        return []
    out = [f"Issue 15 targets at {top} msg/s on the network gateway, workload "
           f"{net.get('workload') or '1x3'} (reported, never asserted):", ""]

    def cmp(name, got, limit):
        if got is None:
            return f"- {name}: not measured"
        return f"- {name}: {got / 1000:.1f} us against {limit / 1000:.1f} us: {'met' if got <= limit else 'missed'}"
    out.append(cmp("tick_to_order p50", t.get("p50_ns"), 2_000))
    out.append(cmp("tick_to_order p99", t.get("p99_ns"), 8_000))
    out.append(cmp("tick_to_order p99.9", t.get("p999_ns"), 25_000))
    for low in ("1000", "10000"):
        lt = ((rates.get(low) or {}).get("microarb") or {}).get("tick_to_order") or {}
        if lt.get("p99_ns") and t.get("p99_ns"):
            ratio = lt["p99_ns"] / t["p99_ns"]
            out.append(f"- tick_to_order p99 at {low}/s over {top}/s: {ratio:.2f}x against 1.5x: "
                       f"{'met' if ratio <= 1.5 else 'missed'}")
    tw = (net.get("tick_to_wire") or {}).get("p50_ns")
    wp = (e.get("write_ns") or {}).get("p50_ns")
    if tw and wp:
        gap = tw - wp
        out.append(f"- tick_to_wire p50 - one write's p50: {gap / 1000:.1f} us against 1.5 us: "
                   f"{'met' if gap <= 1500 else 'missed'} (tick_to_wire covers both legs' writes)")
    bw = ((rates[top].get("baseline") or {}).get("wire_to_wire") or {}).get("p99_ns")
    mw = (net.get("wire_to_wire") or {}).get("p99_ns")
    if bw and mw:
        ratio = bw / mw
        out.append(f"- baseline wire_to_wire p99 / microarb's: {ratio:.1f}x against 10x: "
                   f"{'met' if ratio >= 10 else 'missed'}")
    else:
        out.append("- baseline wire_to_wire p99 >= 10x microarb's: not measured")
    wl = net.get("workload") or "1x3"
    if wl == "50x4":
        out.append("- workload of 50 instruments on 4 venues (Upbit included, in its binary frames): "
                   "run, every rate above; the 1x3 rows keep the 1-instrument figure")
    else:
        out.append(f"- workload of 50 instruments on 4 venues: not run (these rows are {wl})")
    out.append("")
    return out
