#!/usr/bin/env bash
# A/B of two microarb builds under one end-to-end driver, alternating, so a noisy moment on a shared
# machine lands on both:
#   perf/ab.sh OLD_MICROARB NEW_MICROARB [--repeat K] [--seconds S] [--rates "R1 R2"]
#              [--gateway paper|rest|ws] [--old-args "E2E ARGS"] [--new-args "E2E ARGS"]
# (the two `--*-args` go to the `e2e` driver of that side's runs: one build under two settings,
# e.g. `--new-args "--warm-write-every-us 30"`).
# e.g. build an older commit in a worktree (`git worktree add /tmp/old <rev>`, then
# `cargo build --release --bin microarb` there) and compare it with this tree's
# target/release/microarb. Uses this tree's `e2e` driver (built here) for both; prints, per rate and
# build, the median over the K runs of each latency metric's p50 / p99 from the engines' reports
# and of the driver's send_to_order. Writes the runs under perf/out/ab/. Nothing is typed by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: perf/ab.sh OLD_MICROARB NEW_MICROARB [--repeat K] [--seconds S] [--rates \"R1 R2\"] [--gateway paper|rest|ws] [--old-args \"ARGS\"] [--new-args \"ARGS\"]" >&2; exit 2; }
old="$1"; new="$2"; shift 2
repeat=5; secs=6; rates="10000 100000"; gateway=paper; old_args=""; new_args=""
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) repeat="$2"; shift 2 ;;
    --seconds) secs="$2"; shift 2 ;;
    --rates) rates="$2"; shift 2 ;;
    --gateway) gateway="$2"; shift 2 ;;
    --old-args) old_args="$2"; shift 2 ;;
    --new-args) new_args="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
cargo build --release -p microarb-bench --bin e2e >&2
out=perf/out/ab
every() { case "$1" in 1000) echo 20 ;; 10000) echo 100 ;; *) echo 500 ;; esac; }
rm -rf "$out"
mkdir -p "$out"
for k in $(seq 1 "$repeat"); do
  for side in old new; do
    bin="$old"; extra="$old_args"
    if [ "$side" = new ]; then bin="$new"; extra="$new_args"; fi
    for r in $rates; do
      echo "== run $k/$repeat: $side at $r msg/s for $secs s ($gateway)" >&2
      target/release/e2e --engine microarb --bin "$bin" --rate "$r" --seconds "$secs" \
        --gateway "$gateway" --dislocation-every "$(every "$r")" \
        --out "$out/$side/$k" $extra > /dev/null 2> "$out/$side-$k-$r.err"
    done
  done
done
python3 - "$out" "$repeat" "$rates" "$gateway" <<'EOF'
import json, statistics, sys
out, repeat, rates, gateway = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4]
metrics = ["parse", "hop", "detect", "tick_to_decision", "tick_to_order"]
if gateway != "paper":
    metrics.append("tick_to_wire")
name = "microarb-" if gateway == "paper" else f"microarb-{gateway}-"
for r in rates:
    for side in ["old", "new"]:
        runs = range(1, repeat + 1)
        reps = [json.load(open(f"{out}/{side}/{k}/{name}{r}.report.json")) for k in runs]
        drv = [json.load(open(f"{out}/{side}/{k}/{name}{r}.json")) for k in runs]
        cells = []
        for m in metrics:
            p50 = statistics.median(x["latency_ns"][m]["p50"] for x in reps) / 1000
            p99 = statistics.median(x["latency_ns"][m]["p99"] for x in reps) / 1000
            cells.append(f"{m} {p50:.2f}/{p99:.2f}")
        s50 = statistics.median(d["send_to_order"]["p50_ns"] for d in drv) / 1000
        s99 = statistics.median(d["send_to_order"]["p99_ns"] for d in drv) / 1000
        n = statistics.median(d["tick_to_order"]["count"] for d in drv)
        if gateway != "paper":
            w50 = statistics.median(d["wire_to_wire"]["p50_ns"] for d in drv) / 1000
            w99 = statistics.median(d["wire_to_wire"]["p99_ns"] for d in drv) / 1000
            cells.append(f"wire_to_wire {w50:.2f}/{w99:.2f}")
        print(f"{r} msg/s {side}: " + ", ".join(cells) + f", send_to_order {s50:.2f}/{s99:.2f} us (p50/p99, medians of {repeat} runs, {n:.0f} orders a run)")
EOF
