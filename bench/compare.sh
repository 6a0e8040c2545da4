#!/usr/bin/env bash
# Whole-binary benchmark on one generated corpus, in one run on one machine: a release
# `aksguard scan --format json` with all rules, the parse-only floor (`--parse-only`: discover,
# read and parse everything, run no rule), the YAML parse floor `../shared/tools/yamlfloor`
# (saphyr-parser's events over every file, building nothing: no scanner on that parser can be
# faster), optionally `aksguard --threads 1`, and checkov when it is available, offline
# (`checkov -d DIR --framework kubernetes -o json --quiet --skip-download`, as in an
# air-gapped pipeline, so that its network retries are not timed). Prints objects, median
# wall time, objects/s, peak RSS, and the ratios aksguard/floor, aksguard/yamlfloor,
# checkov/aksguard and 1-thread/N-threads. A checkov run that scanned fewer resources than
# half of aksguard's objects is void (no ratio): checkov skips files silently, e.g. every path
# under a folder whose name starts with a dot.
#
# usage: bench/compare.sh [-n COPIES | -o OBJECTS] [-r RUNS] [-c CORPUS_DIR] [--bin PATH]
#                         [--checkov PATH|auto|off] [--checkov-runs N]
#                         [--checkov-timeout SECONDS] [--threads-compare]
#                         [--render] [--keep] [--no-hyperfine]
#   -n COPIES       renamed copies of the corpus to scan (default 10)
#   -o OBJECTS      instead of -n: as many copies as it takes to reach OBJECTS objects
#                   (e.g. -o 10000, -o 50000, -o 200000; see bench/gen_corpus.py)
#   -r RUNS         timed runs per aksguard command (default 10; medians are reported)
#   -c CORPUS_DIR   manifests to copy (default ../shared/corpus/real beside the repo)
#   --bin PATH      time this aksguard binary instead of building target/release/aksguard
#   --checkov WHAT  auto (default): `checkov` on PATH, else /tmp/checkov-venv/bin/checkov,
#                   else skip with a note; PATH: that executable; off: do not run checkov
#   --checkov-runs N       timed checkov runs (default 1: checkov takes minutes)
#   --checkov-timeout SEC  kill a checkov run after SEC seconds (default 1800); a killed run
#                          (timeout or OOM) is reported with a lower-bound ratio
#   --threads-compare      also time `aksguard scan ... --threads 1` and report the
#                          1-thread vs all-cores speed-up
#   --render        let aksguard run helm/kubectl on charts/kustomizations (default: off,
#                   so the numbers measure aksguard and not kubectl)
#   --keep          keep the generated corpus and raw results (path is printed)
#   --no-hyperfine  time with /usr/bin/time even if hyperfine is installed
#   --no-yamlfloor  do not build and time ../shared/tools/yamlfloor
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
copies=""
objects=""
runs=10
corpus="$root/../shared/corpus/real"
bin=""
checkov_mode=auto
checkov_runs=1
checkov_timeout=1800
threads_compare=0
render=0
keep=0
use_hyperfine=1
use_yamlfloor=1

die() {
    echo "compare.sh: $*" >&2
    exit 2
}

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        -n) [ $# -ge 2 ] || die "-n needs a number"; copies=$2; shift 2 ;;
        --no-yamlfloor) use_yamlfloor=0; shift ;;
        -o) [ $# -ge 2 ] || die "-o needs a number"; objects=$2; shift 2 ;;
        -r) [ $# -ge 2 ] || die "-r needs a number"; runs=$2; shift 2 ;;
        -c) [ $# -ge 2 ] || die "-c needs a directory"; corpus=$2; shift 2 ;;
        --bin) [ $# -ge 2 ] || die "--bin needs a path"; bin=$2; shift 2 ;;
        --checkov) [ $# -ge 2 ] || die "--checkov needs PATH, auto or off"; checkov_mode=$2; shift 2 ;;
        --checkov-runs) [ $# -ge 2 ] || die "--checkov-runs needs a number"; checkov_runs=$2; shift 2 ;;
        --checkov-timeout) [ $# -ge 2 ] || die "--checkov-timeout needs seconds"; checkov_timeout=$2; shift 2 ;;
        --threads-compare) threads_compare=1; shift ;;
        --render) render=1; shift ;;
        --keep) keep=1; shift ;;
        --no-hyperfine) use_hyperfine=0; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

if [ -n "$copies" ] && [ -n "$objects" ]; then
    die "-n and -o are mutually exclusive"
fi
if [ -n "$objects" ]; then
    [[ $objects =~ ^[1-9][0-9]*$ ]] || die "-o must be a positive integer, got '$objects'"
    gen_args=(--objects "$objects")
else
    copies=${copies:-10}
    [[ $copies =~ ^[1-9][0-9]*$ ]] || die "-n must be a positive integer, got '$copies'"
    gen_args=(--copies "$copies")
fi
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "-r must be a positive integer, got '$runs'"
[[ $checkov_runs =~ ^[1-9][0-9]*$ ]] || die "--checkov-runs must be a positive integer, got '$checkov_runs'"
[[ $checkov_timeout =~ ^[1-9][0-9]*$ ]] || die "--checkov-timeout must be a positive integer, got '$checkov_timeout'"
[ -d "$corpus" ] || die "corpus directory '$corpus' not found (use -c DIR)"
corpus=$(cd "$corpus" && pwd)
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

# checkov: resolved now so that a bad --checkov PATH fails before the long part.
checkov_bin=""
checkov_note=""
case "$checkov_mode" in
    off) checkov_note="checkov: not run (--checkov off)" ;;
    auto)
        if command -v checkov >/dev/null; then
            checkov_bin=$(command -v checkov)
        elif [ -x /tmp/checkov-venv/bin/checkov ]; then
            checkov_bin=/tmp/checkov-venv/bin/checkov
        else
            checkov_note="checkov: skipped (not on PATH and no /tmp/checkov-venv/bin/checkov; pip install checkov into a venv, or --checkov PATH)"
        fi
        ;;
    *)
        [ -x "$checkov_mode" ] || die "--checkov: '$checkov_mode' is not an executable (or use auto/off)"
        checkov_bin=$checkov_mode
        ;;
esac
if [ -n "$checkov_bin" ] && [ -z "$gnu_time" ]; then
    checkov_note="checkov: skipped (needs GNU /usr/bin/time -v for its wall time and RSS)"
    checkov_bin=""
fi
if [ -n "$checkov_bin" ] && ! command -v timeout >/dev/null; then
    checkov_note="checkov: skipped (needs coreutils timeout for --checkov-timeout)"
    checkov_bin=""
fi
checkov_version=""
if [ -n "$checkov_bin" ]; then
    checkov_version=$("$checkov_bin" --version 2>/dev/null | tail -n 1 || true)
fi

if [ -n "$bin" ]; then
    [ -x "$bin" ] || die "--bin: '$bin' is not an executable"
    bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
    build_note="binary given with --bin (not rebuilt)"
else
    command -v cargo >/dev/null || die "cargo is not on PATH (or give a binary with --bin)"
    echo "==> building release binary" >&2
    (cd "$root" && cargo build --release --quiet -p aksguard)
    target_dir=${CARGO_TARGET_DIR:-$root/target}
    bin="$target_dir/release/aksguard"
    [ -x "$bin" ] || die "release binary not found at $bin"
    build_note="built from the working tree"
fi
commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    commit="$commit+modified"
fi
aksguard_version=$("$bin" --version 2>/dev/null || echo "aksguard ?")

yamlfloor_bin=""
yamlfloor_dir="$root/../shared/tools/yamlfloor"
if [ "$use_yamlfloor" = 1 ] && [ -f "$yamlfloor_dir/Cargo.toml" ] && command -v cargo >/dev/null; then
    echo "==> building yamlfloor (the YAML parse floor)" >&2
    # ../shared may be read-only: build into the project's own target folder.
    cargo build --release --quiet --manifest-path "$yamlfloor_dir/Cargo.toml" \
        --target-dir "$root/target/yamlfloor"
    yamlfloor_bin="$root/target/yamlfloor/release/yamlfloor"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/aksguard-bench.XXXXXX")
cleanup() {
    if [ "$keep" = 1 ]; then
        echo "kept: $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

echo "==> generating the corpus from $corpus (${gen_args[*]})" >&2
python3 "$here/gen_corpus.py" "$corpus" "$work/corpus" "${gen_args[@]}" 2>&1 | tee "$work/gen.txt" >&2
copies=$(find "$work/corpus" -mindepth 1 -maxdepth 1 -type d -name 'copy-*' | wc -l)
corpus_bytes=$(du -sb "$work/corpus" | cut -f1)
# checkov skips every path with a component that starts with a dot; such a run would time a
# scan of nothing.
case "$work/corpus/" in
    */.*) die "the work folder $work has a component starting with '.', which checkov skips; set TMPDIR elsewhere" ;;
esac

common=(scan "$work/corpus" --format json)
[ "$render" = 1 ] || common+=(--no-render)
names=(aksguard)
[ "$threads_compare" = 1 ] && names+=(aksguard-t1)
names+=(floor)
[ -n "$yamlfloor_bin" ] && names+=(yamlfloor)
command_of() {
    case "$1" in
        aksguard) cmd=("$bin" "${common[@]}") ;;
        aksguard-t1) cmd=("$bin" "${common[@]}" --threads 1) ;;
        floor) cmd=("$bin" "${common[@]}" --parse-only) ;;
        yamlfloor) cmd=("$yamlfloor_bin" "$work/corpus") ;;
    esac
}
# The output option of a command (yamlfloor prints one summary line on stdout).
output_to() {
    if [ "$1" = yamlfloor ]; then out_args=(); else out_args=(-o "$2"); fi
}

# One untimed run of each: checks exit codes and records the summary (objects, errors).
# aksguard exits 1 when it finds something (expected here) and 2 on load errors, which are
# reported but do not stop the benchmark: the run still did all its work.
check_run() {
    local name=$1 rc=0
    command_of "$name"
    output_to "$name" "$work/$name.json"
    "${cmd[@]}" "${out_args[@]}" >"$work/$name.stdout" 2>"$work/$name.stderr" || rc=$?
    case "$rc" in
        0 | 1) ;;
        2) echo "warning: $name exited 2 (load errors; see the errors column)" >&2 ;;
        *) cat "$work/$name.stderr" >&2; die "$name failed with exit code $rc" ;;
    esac
}
echo "==> warm-up runs" >&2
for name in "${names[@]}"; do check_run "$name"; done

quote() {
    local out="" arg
    for arg in "$@"; do out+=" $(printf '%q' "$arg")"; done
    echo "${out# }"
}

# Wall times: hyperfine if present, else GNU time. Peak RSS always from GNU time when
# available (hyperfine 1.15 does not record memory).
if [ "$have_hyperfine" = 1 ]; then
    echo "==> timing with hyperfine ($runs runs each)" >&2
    hf=()
    for name in "${names[@]}"; do
        command_of "$name"
        output_to "$name" /dev/null
        hf+=(-n "$name" "$(quote "${cmd[@]}" "${out_args[@]}")")
    done
    hyperfine --style basic --warmup 1 --runs "$runs" --ignore-failure \
        --export-json "$work/hyperfine.json" "${hf[@]}" >&2
fi
if [ -n "$gnu_time" ]; then
    rss_runs=$runs
    [ "$have_hyperfine" = 1 ] && rss_runs=$(((runs + 2) / 3))
    echo "==> measuring with $gnu_time -v ($rss_runs runs each)" >&2
    for name in "${names[@]}"; do
        command_of "$name"
        output_to "$name" /dev/null
        for ((i = 0; i < rss_runs; i++)); do
            "$gnu_time" -v -o "$work/time-$name-$i.txt" "${cmd[@]}" "${out_args[@]}" \
                >/dev/null 2>/dev/null || true
        done
    done
fi

# checkov last: it takes minutes and may be killed (timeout, OOM) without losing the rest.
# Exit 1 (failed checks) is its normal outcome. The update check, the guideline download and
# every other download (`--skip-download`) are switched off so that the run stays local, as in
# an air-gapped pipeline; they do not change which checks run.
if [ -n "$checkov_bin" ]; then
    for ((i = 0; i < checkov_runs; i++)); do
        echo "==> checkov run $((i + 1))/$checkov_runs ($checkov_version, timeout ${checkov_timeout}s)" >&2
        out=/dev/null
        [ "$i" = 0 ] && out="$work/checkov.json"
        rc=0
        CKV_SKIP_PACKAGE_UPDATE_CHECK=true BC_SKIP_MAPPING=TRUE \
            "$gnu_time" -v -o "$work/time-checkov-$i.txt" \
            timeout -k 10 "$checkov_timeout" \
            "$checkov_bin" -d "$work/corpus" --framework kubernetes -o json --quiet \
            --skip-download \
            >"$out" 2>"$work/checkov-$i.stderr" || rc=$?
        echo "$rc" >"$work/checkov-$i.rc"
        case "$rc" in
            0 | 1) ;;
            124 | 137) echo "warning: checkov run $((i + 1)) was killed (exit $rc)" >&2 ;;
            *) echo "warning: checkov run $((i + 1)) failed with exit code $rc:" >&2
               tail -n 5 "$work/checkov-$i.stderr" >&2 ;;
        esac
    done
fi

python3 - "$work" "$copies" "$corpus" "$corpus_bytes" "$have_hyperfine" \
    "$(nproc 2>/dev/null || echo '?')" "$commit" "$aksguard_version" "$build_note" \
    "$checkov_version" "$checkov_timeout" "$checkov_note" "${names[*]}" <<'PY'
import glob, json, os, re, statistics, sys

(work, copies, corpus, corpus_bytes, have_hyperfine, cpus, commit, version, build_note,
 checkov_version, checkov_timeout, checkov_note, names) = sys.argv[1:14]
names = names.split()
labels = {
    "aksguard": "aksguard scan (all rules)",
    "aksguard-t1": "aksguard scan --threads 1",
    "floor": "floor (--parse-only)",
    "yamlfloor": "yamlfloor (saphyr events only)",
    "checkov": f"checkov {checkov_version}".strip(),
}

def summary(name):
    if name == "yamlfloor":
        # `files=N bytes=N docs=N events=N seconds=S MB/s=R`
        text = open(os.path.join(work, "yamlfloor.stdout")).read()
        fields = dict(part.split("=", 1) for part in text.split())
        return {"objects": int(fields["docs"]), "files": int(fields["files"]), "errors": "-",
                "findings": "-"}
    with open(os.path.join(work, f"{name}.json")) as f:
        return json.load(f)["summary"]

def gnu_time(name):
    runs = []  # (wall seconds, max RSS bytes or None, exit status or None, killed by signal)
    for path in sorted(glob.glob(os.path.join(work, f"time-{name}-*.txt"))):
        text = open(path).read()
        m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
        if not m:
            continue
        seconds = 0.0
        for p in m[1].split(":"):
            seconds = seconds * 60 + float(p)
        r = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        e = re.search(r"Exit status: (\d+)", text)
        s = re.search(r"Command terminated by signal (\d+)", text)
        runs.append((seconds, int(r[1]) * 1024 if r else None, int(e[1]) if e else None,
                     int(s[1]) if s else None))
    return runs

hyper = {}
if have_hyperfine == "1":
    with open(os.path.join(work, "hyperfine.json")) as f:
        for result in json.load(f)["results"]:
            hyper[result["command"]] = result

rows = {}
for name in names:
    timed = gnu_time(name)
    walls = [t[0] for t in timed]
    rss = [t[1] for t in timed if t[1]]
    if name in hyper:
        walls = hyper[name]["times"]
        rss = hyper[name].get("memory_usage_byte") or rss
    if not walls:
        sys.exit(f"compare.sh: no timings recorded for {name}")
    s = summary(name)
    rows[name] = {
        "objects": s["objects"], "files": s["files"], "errors": s["errors"],
        "findings": s["findings"], "wall": statistics.median(walls), "runs": len(walls),
        "rss": statistics.median(rss) if rss else None, "status": "ok",
    }
objects = rows["aksguard"]["objects"]

# checkov: completed runs exit 0 or 1; 124 is `timeout`, 137 (or a signal) a SIGKILL (OOM
# killer, or `timeout -k` after the grace period).
checkov_runs = gnu_time("checkov")
if checkov_runs:
    rcs = []
    for i in range(len(checkov_runs)):
        try:
            rcs.append(int(open(os.path.join(work, f"checkov-{i}.rc")).read()))
        except (OSError, ValueError):
            rcs.append(None)
    done = [t for t, rc in zip(checkov_runs, rcs) if rc in (0, 1)]
    bad = [(t, rc) for t, rc in zip(checkov_runs, rcs) if rc not in (0, 1)]
    csum = {}
    path = os.path.join(work, "checkov.json")
    if os.path.exists(path) and os.path.getsize(path) > 0:
        # The summary closes the report; read the tail instead of loading a huge file.
        with open(path, "rb") as f:
            size = f.seek(0, 2)
            f.seek(max(0, size - 65536))
            tail = f.read().decode("utf-8", "replace")
        m = None
        for m in re.finditer(r'"summary"\s*:\s*(\{[^{}]*\})', tail):
            pass
        if m:
            try:
                csum = json.loads(m[1])
            except ValueError:
                csum = {}
    row = {
        "objects": csum.get("resource_count", "?"), "files": "?",
        "errors": csum.get("parsing_errors", "?"), "findings": csum.get("failed", "?"),
        "runs": len(checkov_runs),
    }
    scanned = csum.get("resource_count")
    if not bad and (not isinstance(scanned, int) or scanned < objects / 2):
        # A run that scanned (almost) nothing is fast for the wrong reason: no ratio.
        row.update(status="void", why=f"checkov scanned {scanned} resources of aksguard's "
                   f"{objects} objects", wall=done[0][0], rss=done[0][1])
    elif not bad:
        row.update(status="ok", wall=statistics.median(t[0] for t in done),
                   rss=statistics.median(t[1] for t in done if t[1]) if any(t[1] for t in done) else None)
    else:
        (t, rc) = bad[0]
        killed = rc == 124 or (rc is not None and rc > 128) or t[3] is not None
        if rc == 124:
            why = f"timeout {checkov_timeout} s"
        elif killed and t[0] >= float(checkov_timeout) - 1:
            why = f"timeout {checkov_timeout} s, then SIGKILL"
        elif killed:
            why = f"signal {rc - 128 if rc and rc > 128 else t[3]}, likely the OOM killer"
        else:
            why = f"exit {rc}"
        row.update(status="killed" if killed else "failed", why=why, wall=t[0], rss=t[1],
                   runs=len(checkov_runs))
    rows["checkov"] = row
    names = names + ["checkov"]

floor = rows["floor"]["wall"]
base = rows["aksguard"]["wall"]
print()
print(f"corpus: {copies} renamed cop{'y' if copies == '1' else 'ies'} of {corpus}: {rows['aksguard']['files']} files, "
      f"{int(corpus_bytes) / 1e6:.1f} MB, {objects} objects (aksguard's count)")
print(f"machine: {cpus} CPUs; aksguard: {version}, git {commit} ({build_note}); "
      f"timer: {'hyperfine + /usr/bin/time -v for RSS' if have_hyperfine == '1' else '/usr/bin/time -v'}")
print()

def rate(wall):
    return f"{objects / wall:,.0f}" if wall > 0 else "-"

header = ["run", "objects", "findings", "errors", "wall (median)", "objects/s", "peak RSS",
          "vs floor", "vs aksguard"]
table = []
for name in names:
    r = rows[name]
    if r["status"] == "ok":
        wall = f"{r['wall']:.3f} s ({r['runs']} run{'s' if r['runs'] != 1 else ''})"
        per_s = rate(r["wall"])
        vs_floor = f"{r['wall'] / floor:.2f}x" if floor > 0 else "-"
        vs_base = f"{r['wall'] / base:,.2f}x" if base > 0 else "-"
    elif r["status"] == "void":
        wall = f"void after {r['wall']:.1f} s ({r['why']})"
        per_s = vs_floor = vs_base = "-"
    elif r["status"] == "killed":
        wall = f"killed after {r['wall']:.1f} s ({r['why']})"
        per_s = f"< {rate(r['wall'])}"
        vs_floor = f">= {r['wall'] / floor:,.0f}x" if floor > 0 else "-"
        vs_base = f">= {r['wall'] / base:,.0f}x" if base > 0 else "-"
    else:
        wall = f"failed after {r['wall']:.1f} s ({r['why']})"
        per_s = vs_floor = vs_base = "-"
    table.append([
        labels[name], str(r["objects"]), str(r["findings"]), str(r["errors"]), wall, per_s,
        f"{r['rss'] / 1048576:,.1f} MiB" if r.get("rss") else "n/a", vs_floor, vs_base,
    ])
widths = [max(len(row[i]) for row in table + [header]) for i in range(len(header))]
def line(cells):
    return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
print(line(header))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for row in table:
    print(line(row))
print()
print(f"aksguard / floor (median wall): {base / floor:.2f}x" if floor > 0 else "aksguard / floor: -")
if "yamlfloor" in rows and rows["yamlfloor"]["wall"] > 0:
    print(f"aksguard / yamlfloor (median wall): {base / rows['yamlfloor']['wall']:.2f}x "
          f"(yamlfloor parses {rows['yamlfloor']['objects']} YAML documents, builds nothing)")
if "checkov" in rows:
    c = rows["checkov"]
    if c["status"] == "ok":
        rss = f", peak RSS {c['rss'] / 1048576:,.0f} MiB" if c.get("rss") else ""
        print(f"checkov / aksguard (median wall): {c['wall'] / base:,.0f}x "
              f"(checkov {c['wall']:.1f} s{rss})")
    elif c["status"] == "void":
        print(f"checkov / aksguard: - (checkov run void: {c['why']})")
    elif c["status"] == "killed":
        print(f"checkov / aksguard (median wall): >= {c['wall'] / base:,.0f}x "
              f"(checkov killed after {c['wall']:.1f} s: {c['why']})")
    else:
        print(f"checkov / aksguard: - (checkov failed: {c['why']}; see checkov-*.stderr "
              f"with --keep)")
else:
    print(checkov_note or "checkov: not run")
if "aksguard-t1" in rows:
    t1 = rows["aksguard-t1"]["wall"]
    print(f"threads: --threads 1 / default ({cpus} CPUs) (median wall): {t1 / base:.2f}x speed-up")
if rows["aksguard"]["objects"] != rows["floor"]["objects"]:
    print("\nwarning: aksguard and the floor loaded different object counts", file=sys.stderr)
PY
