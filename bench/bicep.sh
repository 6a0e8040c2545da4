#!/usr/bin/env bash
# Bicep front-end benchmark (issue 18: Bicep parsing must not slow the scan; target: Bicep
# within 2x ARM JSON). In one run on one machine:
#   1. bench/gen_bicep.py writes COUNT renamed copies of the corpus Bicep files that define a
#      managed cluster (AKS Construction's main.bicep, the AKS baseline's cluster-stamp.bicep),
#      cycling through them, plus the local modules they call (once, shared by the copies);
#   2. the same clusters as ARM JSON: no Bicep compiler (`bicep build`, a .NET tool) is
#      installed here, so each copy is translated by aksguard's own Bicep front end
#      (`cargo run -p xtask -- bicep-to-arm`, which writes aksguard_bicep's translated
#      template as JSON, with the local modules it followed inlined as nested deployments);
#   3. times a release `aksguard scan DIR --format json --fail-on none` on each folder
#      (hyperfine if installed, else repeated runs with GNU time), and reports min and median
#      wall time per form, files, bytes, clusters and findings per rule for both (they must
#      match: the same clusters, judged the same), and the ratio Bicep/ARM of the medians,
#      with the core count and the load average before and after.
#
# usage: bench/bicep.sh [-n COUNT] [-r RUNS] [-c CORPUS_AKS_DIR] [--bin PATH] [--keep]
#                       [--no-hyperfine]
#   -n COUNT        Bicep files to generate (default 1000)
#   -r RUNS         timed runs per form (default 10; min and median are reported)
#   -c DIR          corpus to read (default ../shared/corpus/aks beside the repo)
#   --bin PATH      time this aksguard binary instead of building target/release/aksguard
#   --keep          keep the generated folders and raw results (the path is printed)
#   --no-hyperfine  time with GNU /usr/bin/time even if hyperfine is installed
# Exit status: 0 when both scans ran and found the same clusters and findings, 1 when they
# differ or the ratio is above 2, 2 on a setup error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
count=1000
runs=10
corpus="$root/../shared/corpus/aks"
bin=""
keep=0
use_hyperfine=1

die() {
    echo "bicep.sh: $*" >&2
    exit 2
}

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        -n) [ $# -ge 2 ] || die "-n needs a number"; count=$2; shift 2 ;;
        -r) [ $# -ge 2 ] || die "-r needs a number"; runs=$2; shift 2 ;;
        -c) [ $# -ge 2 ] || die "-c needs a directory"; corpus=$2; shift 2 ;;
        --bin) [ $# -ge 2 ] || die "--bin needs a path"; bin=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        --no-hyperfine) use_hyperfine=0; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

[[ $count =~ ^[1-9][0-9]*$ ]] || die "-n must be a positive integer, got '$count'"
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "-r must be a positive integer, got '$runs'"
[ -d "$corpus" ] || die "corpus directory '$corpus' not found (use -c DIR)"
corpus=$(cd "$corpus" && pwd)
command -v python3 >/dev/null || die "python3 is required (generator and statistics)"
command -v cargo >/dev/null || die "cargo is required (the ARM translation runs through xtask)"
have_hyperfine=0
if [ "$use_hyperfine" = 1 ] && command -v hyperfine >/dev/null; then
    have_hyperfine=1
fi
if [ "$have_hyperfine" = 0 ] && ! { [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; }; then
    die "need hyperfine or GNU /usr/bin/time (with -v) to time runs"
fi

target_dir=${CARGO_TARGET_DIR:-$root/target}
if [ -n "$bin" ]; then
    [ -x "$bin" ] || die "--bin: '$bin' is not an executable"
    bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
    build_note="binary given with --bin (not rebuilt)"
else
    echo "==> building release aksguard" >&2
    (cd "$root" && cargo build --release --locked -q -p aksguard)
    bin="$target_dir/release/aksguard"
    build_note="release build of this checkout"
fi
[ -x "$bin" ] || die "no aksguard binary at $bin"

work=$(mktemp -d "${TMPDIR:-/tmp}/aksguard-bicep-bench.XXXXXX")
cleanup() {
    if [ "$keep" = 1 ]; then
        echo "kept: $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

echo "==> generating $count Bicep files from $corpus" >&2
python3 "$here/gen_bicep.py" "$corpus" "$work" "$count" >&2
echo "==> translating them to ARM JSON with aksguard's Bicep front end (xtask bicep-to-arm)" >&2
mkdir -p "$work/arm"
(cd "$root" && cargo run --release --locked -q -p xtask -- bicep-to-arm "$work/bicep" "$work/arm") >&2

load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
scan() { "$bin" scan "$1" --format json --fail-on none --no-config -o "$2"; }
# One untimed run per form: the report whose clusters and findings are compared.
scan "$work/bicep" "$work/bicep.json" || die "aksguard scan of the Bicep folder failed (exit $?)"
scan "$work/arm" "$work/arm.json" || die "aksguard scan of the ARM folder failed (exit $?)"

if [ "$have_hyperfine" = 1 ]; then
    echo "==> timing with hyperfine ($runs runs each)" >&2
    hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$work/hyperfine.json" \
        -n bicep "$bin scan $work/bicep --format json --fail-on none --no-config -o /dev/null" \
        -n arm "$bin scan $work/arm --format json --fail-on none --no-config -o /dev/null" >&2
else
    echo "==> timing with GNU time ($runs runs each)" >&2
    for form in bicep arm; do
        for _ in $(seq "$runs"); do
            /usr/bin/time -f '%e' -o "$work/$form.time" "$bin" scan "$work/$form" \
                --format json --fail-on none --no-config -o /dev/null
            cat "$work/$form.time" >> "$work/$form.times"
        done
    done
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')

python3 - "$work" "$have_hyperfine" "$(nproc 2>/dev/null || echo '?')" "$load_before" \
    "$load_after" "$build_note" "$count" "$runs" <<'PY'
import collections, json, os, statistics, sys

work, have_hyperfine, cpus, load_before, load_after, build_note, count, runs = sys.argv[1:]

def folder(form):
    files = size = 0
    for d, _, names in os.walk(os.path.join(work, form)):
        for n in names:
            files += 1
            size += os.path.getsize(os.path.join(d, n))
    return files, size

def report(form):
    with open(os.path.join(work, f"{form}.json")) as f:
        r = json.load(f)
    per_rule = collections.Counter(x["rule_id"] for x in r["findings"])
    clusters = {x["object"]["name"] for x in r["findings"] if x["object"].get("kind") == "ManagedCluster"}
    return r["summary"], per_rule, clusters

if have_hyperfine == "1":
    with open(os.path.join(work, "hyperfine.json")) as f:
        times = {res["command"]: res["times"] for res in json.load(f)["results"]}
else:
    times = {}
    for form in ("bicep", "arm"):
        with open(os.path.join(work, f"{form}.times")) as f:
            times[form] = [float(line) for line in f if line.strip()]

rows = {}
for form in ("bicep", "arm"):
    files, size = folder(form)
    summary, per_rule, clusters = report(form)
    t = times[form]
    rows[form] = dict(files=files, mib=size / 2**20, objects=summary["objects"],
                      findings=summary["findings"], errors=summary["errors"],
                      clusters=len(clusters), per_rule=per_rule,
                      min=min(t), median=statistics.median(t))

print(f"Bicep benchmark: {count} generated Bicep files vs the same clusters as ARM JSON")
print(f"machine: {cpus} cores; load average before {load_before}, after {load_after}; {build_note}")
print(f"timing: {'hyperfine' if have_hyperfine == '1' else 'GNU time'}, {runs} runs per form")
print()
print("| form | files | MiB | objects | clusters with findings | findings | errors | min s | median s |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for form in ("bicep", "arm"):
    r = rows[form]
    print(f"| {form} | {r['files']} | {r['mib']:.1f} | {r['objects']} | {r['clusters']} | "
          f"{r['findings']} | {r['errors']} | {r['min']:.3f} | {r['median']:.3f} |")
ratio = rows["bicep"]["median"] / rows["arm"]["median"]
print()
print(f"ratio Bicep/ARM (medians): {ratio:.2f}x (target: within 2x)")
status = 0
if rows["bicep"]["per_rule"] != rows["arm"]["per_rule"]:
    status = 1
    print("findings per rule differ between the forms:")
    for rule in sorted(set(rows["bicep"]["per_rule"]) | set(rows["arm"]["per_rule"])):
        b, a = rows["bicep"]["per_rule"][rule], rows["arm"]["per_rule"][rule]
        if a != b:
            print(f"  {rule}: bicep {b}, arm {a}")
else:
    print("findings per rule: identical in both forms")
if ratio > 2:
    status = 1
sys.exit(status)
PY
