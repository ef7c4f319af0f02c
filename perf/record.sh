#!/usr/bin/env bash
# perf record over the engine's workload, then folded stacks and a flamegraph SVG (inferno).
#   perf/record.sh                    the demo for 5 s
#   perf/record.sh run --config F ... any microarb command line
#   perf/record.sh e2e [RATE]          the engine's pipeline thread under the e2e workload (the
#                                      `e2e` driver's mock exchange on core 0 streaming RATE msg/s,
#                                      default 100000, for 5 s): the profile that explains the
#                                      tick_to_order figures in RESULTS.md
# Uses the `profiling` cargo profile (release speed, full symbols, frame pointers) and DWARF
# unwinding, which works without frame pointers in the standard library too.
# Output: perf/out/perf.data, perf/out/stacks.folded, perf/out/flamegraph.svg.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v perf >/dev/null || { echo "perf not found: apt-get install linux-perf" >&2; exit 1; }
if ! command -v inferno-flamegraph >/dev/null; then
  echo "installing inferno (flamegraph tools) from crates.io" >&2
  cargo install inferno >&2
fi
mkdir -p perf/out
RUSTFLAGS="${RUSTFLAGS:-} -C force-frame-pointers=yes" cargo build --profile profiling --bin microarb >&2
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(demo --seconds 5 --quiet)
# cpu-clock is a software event: it works where hardware counters are not exposed.
if [ "${args[0]}" = e2e ]; then
  rate="${args[1]:-100000}"
  cargo build --release -p microarb-bench --bin e2e >&2
  # perf follows the engine process the driver starts; only its pipeline thread is kept below.
  perf record -e cpu-clock -F 2999 --call-graph dwarf,16384 -o perf/out/perf.data -- \
    target/release/e2e --engine microarb --bin target/profiling/microarb --rate "$rate" \
    --seconds 5 --out perf/out/profile > /dev/null
  perf script -i perf/out/perf.data 2>/dev/null | inferno-collapse-perf | grep '^pipeline;' \
    > perf/out/stacks.folded || true
  what="the engine's pipeline thread under the e2e workload at $rate msg/s"
else
  perf record -e cpu-clock -F 2999 --call-graph dwarf,16384 -o perf/out/perf.data -- \
    target/profiling/microarb "${args[@]}" >&2
  perf script -i perf/out/perf.data 2>/dev/null | inferno-collapse-perf > perf/out/stacks.folded
  what="whole process: microarb ${args[*]}"
fi
printf '{"profiled": "%s"}\n' "$what" > perf/out/profile.json
inferno-flamegraph --title "$what" < perf/out/stacks.folded > perf/out/flamegraph.svg
echo "wrote perf/out/flamegraph.svg ($(wc -l < perf/out/stacks.folded) distinct stacks)" >&2
# The hottest frames, for a quick look without a browser.
awk '{n=$NF; $NF=""; split($0, f, ";"); leaf=f[length(f)]; c[leaf]+=n; t+=n} END {for (k in c) printf "%6.2f%% %s\n", 100*c[k]/t, k}' \
  perf/out/stacks.folded | sort -rn | head -25
