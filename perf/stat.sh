#!/usr/bin/env bash
# perf stat over the engine's workload.
#   perf/stat.sh                      the demo for 5 s (synthetic market, paper trading)
#   perf/stat.sh run --config F ...   any microarb command line
# Output: perf/out/stat.txt. Says plainly when the machine exposes no hardware counters (common in
# VMs and containers): then only software events (task-clock, context switches, faults) are real.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v perf >/dev/null || { echo "perf not found: apt-get install linux-perf" >&2; exit 1; }
mkdir -p perf/out
cargo build --profile profiling --bin microarb >&2
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(demo --seconds 5 --quiet)
hw=yes
if perf stat -x, -e instructions true 2>&1 | grep -q "not supported"; then
  hw=no
  echo "NOTE: this machine exposes no hardware performance counters (instructions, cycles," \
       "cache and branch misses read 'not supported'); only software events are measured." >&2
fi
events=task-clock,context-switches,cpu-migrations,page-faults
[ "$hw" = yes ] && events="$events,cycles,instructions,branches,branch-misses,cache-references,cache-misses,L1-dcache-load-misses"
{
  echo "# perf stat -e $events -- target/profiling/microarb ${args[*]}"
  echo "# hardware counters available: $hw"
  perf stat -e "$events" -- target/profiling/microarb "${args[@]}" 2>&1
} | tee perf/out/stat.txt
