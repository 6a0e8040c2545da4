#!/usr/bin/env bash
# Policies benchmark (issue 17): the gatekeeper-library pod-security-policy templates, one
# constraint each (its first sample), over the 10k-object benchmark corpus (bench/gen_corpus.py
# on ../shared/corpus/real, as bench/compare.sh -o 10000), beside the built-in rules on the same
# corpus: a release `aksguard scan CORPUS --format json` without and with `--policy`. Target:
# the policies add at most 2x the built-in scan's time. Prints the minimum and median of RUNS
# runs of each and the ratios. The admission figure (one review against the same constraints,
# p99) is `cargo bench -p aksguard_policy --bench admission`.
#
# usage: bench/policies.sh [-o OBJECTS] [-r RUNS] [--bin PATH] [--keep]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
objects=10000
runs=5
bin=""
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    -o) objects=$2; shift 2 ;;
    -r) runs=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
library="$root/../shared/corpus/peers/gatekeeper-library/library/pod-security-policy"
real="$root/../shared/corpus/real"
[ -d "$library" ] || { echo "missing $library" >&2; exit 2; }
[ -d "$real" ] || { echo "missing $real" >&2; exit 2; }
if [ -z "$bin" ]; then
  (cd "$root" && cargo build --release --locked -q -p aksguard)
  bin="${CARGO_TARGET_DIR:-$root/target}/release/aksguard"
fi
work=$(mktemp -d)
[ "$keep" = 1 ] && echo "work directory: $work" || trap 'rm -rf "$work"' EXIT

python3 "$here/gen_corpus.py" "$real" "$work/corpus" --objects "$objects" >"$work/corpus.json"
mkdir "$work/policies"
constraints=0
for dir in "$library"/*/; do
  name=$(basename "$dir")
  constraint=$(ls "$dir"samples/*/constraint.yaml 2>/dev/null | head -1 || true)
  [ -f "$dir/template.yaml" ] && [ -n "$constraint" ] || continue
  cp "$dir/template.yaml" "$work/policies/$name-template.yaml"
  cp "$constraint" "$work/policies/$name-constraint.yaml"
  constraints=$((constraints + 1))
done
echo "corpus: $(cat "$work/corpus.json"); policies: $constraints templates with one constraint each; $(nproc) cores"

# Times RUNS runs of the command; prints "min median" in seconds.
time_runs() {
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || [ $? -le 1 ]
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.3f %.3f\n", a[1], a[int((NR+1)/2)]}'
}

read -r base_min base_median < <(time_runs "$bin" scan "$work/corpus" --no-config --format json -o "$work/base.json")
read -r with_min with_median < <(time_runs "$bin" scan "$work/corpus" --no-config --format json -o "$work/with.json" --policy "$work/policies")
findings=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for f in d["findings"] if f["rule_id"].startswith("GK.")))' "$work/with.json")
echo "built-in rules:           min ${base_min}s  median ${base_median}s"
echo "built-in rules + policies: min ${with_min}s  median ${with_median}s  (${findings} GK findings)"
echo "policies add: $(echo "scale=2; ($with_min - $base_min) / $base_min" | bc)x of the built-in scan (min), $(echo "scale=2; ($with_median - $base_median) / $base_median" | bc)x (median); target <= 2x"
