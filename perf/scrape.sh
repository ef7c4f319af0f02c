#!/usr/bin/env bash
# Does a scrape of /metrics move the hot path? microarb under the e2e driver at N msg/s (default
# 100k) with its Prometheus endpoint on, K times (default 5) without a scraper and K times with one
# GETting /metrics H times a second (default 10), alternating in ABBA order so drift on a shared
# machine lands on both arms:
#   perf/scrape.sh [--rate N] [--seconds S] [--repeat K] [--hz H]
# Reports each hot-path histogram's p50 / p99 / p99.9 from the engine's report (parse, hop,
# detect, tick_to_decision, tick_to_order) and the driver's send_to_order, per arm: the median of
# the K runs and their range (min..max), and what the scraper did. Writes the runs under
# perf/out/scrape/, the summary to perf/out/scrape.json and the table to perf/out/scrape.md
# (perf/results.py includes it in RESULTS.md). Nothing is typed by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
rate=100000; secs=8; repeat=5; hz=10
while [ $# -gt 0 ]; do
  case "$1" in
    --rate) rate="$2"; shift 2 ;;
    --seconds) secs="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --hz) hz="$2"; shift 2 ;;
    *) echo "usage: perf/scrape.sh [--rate N] [--seconds S] [--repeat K] [--hz H]" >&2; exit 2 ;;
  esac
done
cargo build --release -p microarb -p microarb-bench --bin microarb --bin e2e >&2
out=perf/out/scrape
rm -rf "$out"
mkdir -p "$out"
for k in $(seq 1 "$repeat"); do
  order="off on"; [ $((k % 2)) -eq 0 ] && order="on off"
  for arm in $order; do
    h=0; [ "$arm" = on ] && h="$hz"
    echo "== run $k/$repeat: scraper $arm ($h/s) at $rate msg/s for $secs s" >&2
    target/release/e2e --engine microarb --bin target/release/microarb --rate "$rate" \
      --seconds "$secs" --metrics --scrape-hz "$h" --out "$out/$arm/$k" > /dev/null 2> "$out/$arm-$k.err"
  done
done
python3 perf/scrape_summary.py --dir "$out" --repeat "$repeat" --rate "$rate" --hz "$hz" \
  --seconds "$secs" --md perf/out/scrape.md > perf/out/scrape.json
cat perf/out/scrape.md
echo "wrote perf/out/scrape.json and perf/out/scrape.md" >&2
