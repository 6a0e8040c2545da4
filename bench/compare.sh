#!/usr/bin/env bash
# Whole-binary benchmark: a release `aksguard scan` over N renamed copies of the real-world
# corpus, against a parse-only floor (`--parse-only`: discover, read and parse everything,
# run no rule). Prints objects, median wall time, objects/s, peak RSS and the ratio
# aksguard / floor.
#
# usage: bench/compare.sh [-n COPIES] [-r RUNS] [-c CORPUS_DIR] [--render] [--keep]
#                         [--no-hyperfine]
#   -n COPIES       copies of the corpus to scan (default 10)
#   -r RUNS         timed runs per command (default 10; medians are reported)
#   -c CORPUS_DIR   manifests to copy (default ../shared/corpus/real beside the repo)
#   --render        let aksguard run helm/kubectl on charts/kustomizations (default: off,
#                   so the numbers measure aksguard and not kubectl)
#   --keep          keep the generated corpus and raw results (path is printed)
#   --no-hyperfine  time with /usr/bin/time even if hyperfine is installed
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
copies=10
runs=10
corpus="$root/../shared/corpus/real"
render=0
keep=0
use_hyperfine=1

die() {
    echo "compare.sh: $*" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
        -n) [ $# -ge 2 ] || die "-n needs a number"; copies=$2; shift 2 ;;
        -r) [ $# -ge 2 ] || die "-r needs a number"; runs=$2; shift 2 ;;
        -c) [ $# -ge 2 ] || die "-c needs a directory"; corpus=$2; shift 2 ;;
        --render) render=1; shift ;;
        --keep) keep=1; shift ;;
        --no-hyperfine) use_hyperfine=0; shift ;;
        -h | --help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

[[ $copies =~ ^[1-9][0-9]*$ ]] || die "-n must be a positive integer, got '$copies'"
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "-r must be a positive integer, got '$runs'"
[ -d "$corpus" ] || die "corpus directory '$corpus' not found (use -c DIR)"
corpus=$(cd "$corpus" && pwd)
command -v cargo >/dev/null || die "cargo is not on PATH"
command -v python3 >/dev/null || die "python3 is required (corpus generator and statistics)"

have_hyperfine=0
if [ "$use_hyperfine" = 1 ] && command -v hyperfine >/dev/null; then
    have_hyperfine=1
fi
gnu_time=""
if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then
    gnu_time=/usr/bin/time
fi
if [ "$have_hyperfine" = 0 ] && [ -z "$gnu_time" ]; then
    die "need hyperfine or GNU /usr/bin/time (with -v) to time runs"
fi

echo "==> building release binary" >&2
(cd "$root" && cargo build --release --quiet -p aksguard)
target_dir=${CARGO_TARGET_DIR:-$root/target}
bin="$target_dir/release/aksguard"
[ -x "$bin" ] || die "release binary not found at $bin"

work=$(mktemp -d "${TMPDIR:-/tmp}/aksguard-bench.XXXXXX")
cleanup() {
    if [ "$keep" = 1 ]; then
        echo "kept: $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

echo "==> generating $copies copies of $corpus" >&2
python3 "$here/gen_corpus.py" "$corpus" "$work/corpus" "$copies"

common=(scan "$work/corpus" --format json)
[ "$render" = 1 ] || common+=(--no-render)
full=("$bin" "${common[@]}")
floor=("$bin" "${common[@]}" --parse-only)

# One untimed run of each: checks exit codes and records the summary (objects, errors).
# aksguard exits 1 when it finds something (expected here) and 2 on load errors, which are
# reported but do not stop the benchmark: the run still did all its work.
check_run() {
    local name=$1 out=$2
    shift 2
    local rc=0
    "$@" -o "$out" 2>"$work/$name.stderr" || rc=$?
    case "$rc" in
        0 | 1) ;;
        2) echo "warning: $name exited 2 (load errors; see the errors column)" >&2 ;;
        *) cat "$work/$name.stderr" >&2; die "$name failed with exit code $rc" ;;
    esac
}
echo "==> warm-up runs" >&2
check_run aksguard "$work/full.json" "${full[@]}"
check_run floor "$work/floor.json" "${floor[@]}"

quote() {
    local out="" arg
    for arg in "$@"; do out+=" $(printf '%q' "$arg")"; done
    echo "${out# }"
}

# Wall times: hyperfine if present, else GNU time. Peak RSS always from GNU time when
# available (hyperfine 1.15 does not record memory).
if [ "$have_hyperfine" = 1 ]; then
    echo "==> timing with hyperfine ($runs runs each)" >&2
    hyperfine --style basic --warmup 1 --runs "$runs" --ignore-failure \
        --export-json "$work/hyperfine.json" \
        -n aksguard "$(quote "${full[@]}" -o /dev/null)" \
        -n floor "$(quote "${floor[@]}" -o /dev/null)" >&2
fi
if [ -n "$gnu_time" ]; then
    rss_runs=$runs
    [ "$have_hyperfine" = 1 ] && rss_runs=$(((runs + 2) / 3))
    echo "==> measuring with $gnu_time -v ($rss_runs runs each)" >&2
    for name in aksguard floor; do
        if [ "$name" = aksguard ]; then cmd=("${full[@]}"); else cmd=("${floor[@]}"); fi
        for ((i = 0; i < rss_runs; i++)); do
            "$gnu_time" -v -o "$work/time-$name-$i.txt" "${cmd[@]}" -o /dev/null \
                2>/dev/null || true
        done
    done
fi

python3 - "$work" "$copies" "$corpus" "$have_hyperfine" "$(nproc 2>/dev/null || echo '?')" <<'PY'
import glob, json, os, re, statistics, sys

work, copies, corpus, have_hyperfine, cpus = sys.argv[1:6]
names = ["aksguard", "floor"]
labels = {"aksguard": "aksguard scan (all rules)", "floor": "floor (--parse-only)"}

def summary(name):
    with open(os.path.join(work, "full.json" if name == "aksguard" else "floor.json")) as f:
        return json.load(f)["summary"]

def gnu_time(name):
    walls, rss = [], []
    for path in sorted(glob.glob(os.path.join(work, f"time-{name}-*.txt"))):
        text = open(path).read()
        m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
        if m:
            parts = [float(p) for p in m[1].split(":")]
            seconds = 0.0
            for p in parts:
                seconds = seconds * 60 + p
            walls.append(seconds)
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        if m:
            rss.append(int(m[1]) * 1024)
    return walls, rss

hyper = {}
if have_hyperfine == "1":
    with open(os.path.join(work, "hyperfine.json")) as f:
        for result in json.load(f)["results"]:
            hyper[result["command"]] = result

rows = {}
for name in names:
    walls, rss = gnu_time(name)
    if name in hyper:
        walls = hyper[name]["times"]
        rss = hyper[name].get("memory_usage_byte") or rss
    if not walls:
        sys.exit(f"compare.sh: no timings recorded for {name}")
    s = summary(name)
    rows[name] = {
        "objects": s["objects"],
        "files": s["files"],
        "errors": s["errors"],
        "findings": s["findings"],
        "wall": statistics.median(walls),
        "runs": len(walls),
        "rss": statistics.median(rss) if rss else None,
    }

floor = rows["floor"]["wall"]
print()
print(f"corpus: {copies} copies of {corpus}: {rows['aksguard']['files']} files, "
      f"{rows['aksguard']['objects']} objects; {cpus} CPUs; "
      f"timer: {'hyperfine' if have_hyperfine == '1' else '/usr/bin/time -v'}")
print()
header = ["run", "objects", "findings", "errors", "wall (median)", "objects/s", "peak RSS", "vs floor"]
table = []
for name in names:
    r = rows[name]
    table.append([
        labels[name],
        str(r["objects"]),
        str(r["findings"]),
        str(r["errors"]),
        f"{r['wall']:.3f} s ({r['runs']} runs)",
        f"{r['objects'] / r['wall']:,.0f}" if r["wall"] > 0 else "-",
        f"{r['rss'] / 1048576:.1f} MiB" if r["rss"] else "n/a",
        f"{r['wall'] / floor:.2f}x" if floor > 0 else "-",
    ])
widths = [max(len(row[i]) for row in table + [header]) for i in range(len(header))]
def line(cells):
    return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
print(line(header))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for row in table:
    print(line(row))
if rows["aksguard"]["objects"] != rows["floor"]["objects"]:
    print("\nwarning: the two runs loaded different object counts", file=sys.stderr)
PY
