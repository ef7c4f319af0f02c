#!/usr/bin/env bash
# End-to-end latency: microarb and the seed-design baseline on the same workload, plus the
# machine's ring-hop limit, in one run.
#   perf/e2e.sh [--rate N] [--seconds S] [--repeat K] [--search "R1 R2 ..."]
# For each engine: the mock exchange (in the `e2e` driver, pinned to core 0) streams a synthetic
# market over loopback at 1k/s, 10k/s and N/s (default 100k/s) for S seconds (default 10); the
# engine runs as its own process on paper, and once more with its network orders to the mock's
# REST endpoints (microarb's REST gateways, the baseline's reqwest client; the mock stamps each
# order's first byte: wire_to_wire), and for microarb once more with its orders on WebSocket
# sessions where a venue takes them (`--gateway ws`; REST elsewhere); `e2e` joins each
# order to the send time of the frame that triggered it. The workload of every row is `e2e`'s
# default, 50 instruments on 4 venues (Binance, Bybit, OKX, Upbit in its binary frames), and the
# drop search runs on it too; one more row set at N/s keeps the old workload, 1 instrument on 3
# venues (Binance, Bybit, OKX), for both engines (on paper and on REST), its files
# tagged `-1x3`. `floor` measures the machine's loopback
# one-way latency and the cost of one write() first. The timed runs are repeated K times (default 3), the engines alternating, so a
# noisy moment on a shared machine lands on both and shows as spread rather than as one engine's
# figure; the summary takes the median of the runs' percentiles and keeps every run's. Then short
# runs at rising rates find the highest rate with no drops. Writes perf/out/e2e.json (the
# summary), perf/out/runs/<k>/<engine>-<rate>[-1x3].{json,hlog,report.json,opps.jsonl} (every run,
# with its interval log), and regenerates perf/RESULTS.md. Nothing is typed by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
rate=100000
secs=10
repeat=3
search="10000 25000 50000 100000 150000 200000 300000 400000"
while [ $# -gt 0 ]; do
  case "$1" in
    --rate) rate="$2"; shift 2 ;;
    --seconds) secs="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --search) search="$2"; shift 2 ;;
    *) echo "usage: perf/e2e.sh [--rate N] [--seconds S] [--repeat K] [--search \"R1 R2 ...\"]" >&2; exit 2 ;;
  esac
done
cargo build --release -p microarb -p microarb-bench --features microarb-bench/baseline --bin microarb --bin baseline --bin e2e --bin hop --bin floor --bin scale_mem >&2
out=perf/out
rm -rf "$out/runs" "$out/search"
mkdir -p "$out/search"
echo "== hop: raw rtrb ping-pong between cores 0 and 1" >&2
target/release/hop --json > "$out/hop.json"
echo "== floor: one-way loopback TCP and one write() of an order-sized buffer, cores 0 and 1" >&2
target/release/floor --json > "$out/floor.json"
echo "== scale_mem: the tables' memory at 1..1,000 instruments on 2, 4, 8 venues" >&2
target/release/scale_mem --json > "$out/scale_mem.json"
# Dislocations per rate: about the same number of orders a second at every rate (a p99 needs
# 1,000 orders, a p99.9 10,000), so a quiet market (1k/s) still has 50 ms of quotes between them.
every() { case "$1" in 1000) echo 20 ;; 10000) echo 100 ;; *) echo 500 ;; esac; }
# microarb's REST runs last three times as long: its acknowledged legs (Bybit, OKX, Upbit answer
# an IOC order before its fate) hold one of its 3 slots until the status query 50 ms later, so it
# completes fewer arbitrages a second than on paper or on the WebSocket sessions (whose pushes
# settle them at once); the longer run gives its p99 the 1,000 orders it needs.
rest_secs() { if [ "$1" = microarb ]; then echo $((secs * 3)); else echo "$secs"; fi; }
for k in $(seq 1 "$repeat"); do
  for engine in microarb baseline; do
    for r in 1000 10000 "$rate"; do
      echo "== run $k/$repeat: $engine at $r msg/s for $secs s (paper)" >&2
      target/release/e2e --engine "$engine" --bin "target/release/$engine" --rate "$r" \
        --seconds "$secs" --dislocation-every "$(every "$r")" --out "$out/runs/$k" > /dev/null
      echo "== run $k/$repeat: $engine at $r msg/s for $(rest_secs "$engine") s (REST to the mock)" >&2
      target/release/e2e --engine "$engine" --bin "target/release/$engine" --gateway rest \
        --rate "$r" --seconds "$(rest_secs "$engine")" --dislocation-every "$(every "$r")" \
        --out "$out/runs/$k" > /dev/null
      if [ "$engine" = microarb ]; then
        echo "== run $k/$repeat: $engine at $r msg/s for $secs s (WebSocket order entry, REST elsewhere)" >&2
        target/release/e2e --engine "$engine" --bin "target/release/$engine" --gateway ws \
          --rate "$r" --seconds "$secs" --dislocation-every "$(every "$r")" \
          --out "$out/runs/$k" > /dev/null
      fi
    done
    # The 1-instrument, 3-venue row set (the workload before issue 15 item 4), at the main rate.
    one=(--instruments 1 --venues 3)
    echo "== run $k/$repeat: $engine at $rate msg/s for $secs s (paper, 1 instrument x 3 venues)" >&2
    target/release/e2e --engine "$engine" --bin "target/release/$engine" --rate "$rate" "${one[@]}" \
      --seconds "$secs" --dislocation-every "$(every "$rate")" --out "$out/runs/$k" > /dev/null
    echo "== run $k/$repeat: $engine at $rate msg/s for $(rest_secs "$engine") s (REST, 1 instrument x 3 venues)" >&2
    target/release/e2e --engine "$engine" --bin "target/release/$engine" --gateway rest \
      --rate "$rate" "${one[@]}" --seconds "$(rest_secs "$engine")" --dislocation-every "$(every "$rate")" \
      --out "$out/runs/$k" > /dev/null
  done
done
for engine in microarb baseline; do
  for r in $search; do
    echo "== $engine: drop search at $r msg/s" >&2
    target/release/e2e --engine "$engine" --bin "target/release/$engine" --rate "$r" \
      --seconds 3 --out "$out/search" > /dev/null || true
  done
done
python3 perf/e2e_summary.py --rate "$rate" --repeat "$repeat" --search "$search" \
  --rates "1000 10000 $rate" > "$out/e2e.json"
python3 perf/results.py > perf/RESULTS.md
echo "wrote $out/e2e.json and perf/RESULTS.md" >&2
