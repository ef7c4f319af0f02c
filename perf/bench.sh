#!/usr/bin/env bash
# Run the criterion micro-benchmarks and regenerate perf/RESULTS.md from their output.
#   perf/bench.sh                 every bench target
#   perf/bench.sh runtime cache   only these bench targets
# Results are never typed by hand: RESULTS.md is written by perf/results.py from
# target/criterion/**/new/estimates.json of this run.
set -euo pipefail
cd "$(dirname "$0")/.."
benches=("$@")
if [ ${#benches[@]} -eq 0 ]; then
  mapfile -t benches < <(sed -n 's/^name = "\(.*\)"$/\1/p' <(awk '/^\[\[bench\]\]/{getline; print}' Cargo.toml))
fi
rm -rf target/criterion
for b in "${benches[@]}"; do
  echo "== cargo bench --bench $b" >&2
  cargo bench --bench "$b" -- --noplot >&2
done
python3 perf/results.py "${benches[@]}" > perf/RESULTS.md
echo "wrote perf/RESULTS.md" >&2
