#!/usr/bin/env bash
# History benchmark (issue 14, "Performance"): what recording a large scan in the history
# store costs beside the scan itself, on SQLite and on PostgreSQL, in one run on this machine.
#
#   1. generates a corpus of OBJECTS objects (bench/gen_corpus.py over ../shared/corpus/real)
#      and times a release `aksguard scan DIR --format json` on it (wall time and peak RSS from
#      GNU time): the reference every ratio is taken against;
#   2. records that scan's report in a fresh SQLite store and a fresh PostgreSQL database
#      (crates/aksguard_store/examples/ingest.rs: the report is read first and not timed;
#      `Store::record` is, and the peak RSS it adds on top of the loaded report is reported);
#   3. records the same report again (an unchanged re-scan: it must insert 0 finding rows and
#      resolve none) and then the report with 1% of its findings changed (each a fixed finding
#      and a new one: it must write about 2 x 1% rows, counted in the database).
# Prints a markdown table with the core count, the load average and each ingest's ratio to
# the scan's own wall time (target: ingest <= scan on SQLite).
#
# usage: bench/history.sh [--objects N] [--postgres URL | --no-postgres] [--change-percent P]
#                         [--corpus DIR] [--out FILE] [--keep]
#   --objects N        objects in the generated corpus (default 200000)
#   --corpus DIR       scan DIR (e.g. a corpus gen_corpus.py wrote before) instead of
#                      generating one; it is left in place
#   --postgres URL     an admin URL of a PostgreSQL server (a fresh database is created on it
#                      and dropped after); default: AKSGUARD_TEST_POSTGRES_URL, else a
#                      throwaway server from `.ci/postgres.sh start` (stopped after)
#   --no-postgres      SQLite only
#   --change-percent P the changed share of the third ingest (default 1)
#   --out FILE         also write the table to FILE
#   --keep             keep the temp dir (corpus, report, stores)
# Exit status: 0 when every check held (unchanged re-scan wrote no finding row; the changed
# one wrote only its changes), 1 when one did not, 2 on a setup error. Loopback only.
set -euo pipefail
{

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
objects=200000
postgres_url=${AKSGUARD_TEST_POSTGRES_URL:-}
use_postgres=1
change_percent=1
out=""
keep=0
corpus=""

die() {
    echo "history.sh: $*" >&2
    exit 2
}

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --objects) objects=${2:?}; shift 2 ;;
        --postgres) postgres_url=${2:?}; shift 2 ;;
        --no-postgres) use_postgres=0; shift ;;
        --corpus) corpus=${2:?}; shift 2 ;;
        --change-percent) change_percent=${2:?}; shift 2 ;;
        --out) out=${2:?}; shift 2 ;;
        --keep) keep=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done
[[ $objects =~ ^[1-9][0-9]*$ ]] || die "--objects must be a positive integer, got '$objects'"
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time) is needed for peak RSS"
command -v python3 >/dev/null || die "python3 is needed (corpus generator, table)"
corpus_src="$root/../shared/corpus/real"
[ -n "$corpus" ] || [ -d "$corpus_src" ] || die "$corpus_src not found (the shared corpus beside the repository)"

target_dir=${CARGO_TARGET_DIR:-$root/target}
echo "==> building release aksguard and the ingest example" >&2
(cd "$root" && cargo build --release --locked -q -p aksguard &&
    cargo build --release --locked -q -p aksguard_store --example ingest) || die "cargo build failed"
bin=$target_dir/release/aksguard
ingest=$target_dir/release/examples/ingest
[ -x "$bin" ] && [ -x "$ingest" ] || die "release binaries not found under $target_dir"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/aksguard-history.XXXXXX")
pg_dir=""
database=""
cleanup() {
    if [ -n "$database" ]; then
        psql -q "$postgres_url" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    if [ -n "$pg_dir" ]; then "$root/.ci/postgres.sh" stop "$pg_dir" >/dev/null 2>&1 || true; fi
    if [ "$keep" = 1 ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

if [ "$use_postgres" = 1 ]; then
    command -v psql >/dev/null || die "psql is needed to create the benchmark database (or --no-postgres)"
    if [ -z "$postgres_url" ]; then
        [ -x "$root/.ci/postgres.sh" ] || die "no --postgres URL, no AKSGUARD_TEST_POSTGRES_URL and no .ci/postgres.sh"
        # It prints the admin URL, then the cluster's directory (for `stop`).
        # Durable settings (fsync, synchronous commit): what a real server pays per commit.
        AKSGUARD_PG_DURABLE=1 "$root/.ci/postgres.sh" start >"$tmp/postgres.txt" 2>"$tmp/postgres.err" ||
            { cat "$tmp/postgres.err" >&2; die ".ci/postgres.sh start failed"; }
        { read -r postgres_url; read -r pg_dir; } <"$tmp/postgres.txt"
    fi
    database="aksguard_history_bench_$$"
    psql -q "$postgres_url" -c "CREATE DATABASE $database" >/dev/null ||
        die "cannot create database $database"
    # The same server and credentials, the fresh database (the URL's path is the database).
    pg_store=$(python3 -c '
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$postgres_url" "$database")
fi

if [ -z "$corpus" ]; then
    echo "==> generating $objects objects" >&2
    python3 "$here/gen_corpus.py" "$corpus_src" "$tmp/corpus" --objects "$objects" >"$tmp/gen.txt" 2>&1 ||
        { cat "$tmp/gen.txt" >&2; die "corpus generation failed"; }
    corpus=$tmp/corpus
fi
[ -d "$corpus" ] || die "--corpus: $corpus is not a directory"

# measure NAME CMD...: runs CMD under GNU time, stdout to NAME.out; exit 0 or 1 accepted
# (aksguard exits 1 when it finds something); sets wall (s) and rss (KiB).
measure() {
    local name=$1 status=0
    shift
    /usr/bin/time -f '%e %M' -o "$tmp/$name.time" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || status=$?
    if [ "$status" -gt 1 ]; then
        echo "history.sh: $name exited $status:" >&2
        head -c 2000 "$tmp/$name.err" >&2
        exit 2
    fi
    read -r wall rss < <(tail -n 1 "$tmp/$name.time")
}

echo "==> aksguard scan (the reference)" >&2
measure scan "$bin" scan "$corpus" --no-render --format json -o "$tmp/report.json"
scan_wall=$wall scan_rss=$rss
rm -rf "$tmp/corpus"  # generated ones only: the report is all the ingests need

pg_settings="-"
if [ "$use_postgres" = 1 ]; then
    # Said in the table: a server with fsync off commits far faster than a durable one.
    pg_settings=$(psql -qtA "$pg_store" -c "SELECT 'fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') || ', PostgreSQL ' || current_setting('server_version')") ||
        die "cannot read the PostgreSQL settings"
fi

steps=(fresh unchanged changed)
engines=(sqlite)
[ "$use_postgres" = 1 ] && engines+=(postgres)
for engine in "${engines[@]}"; do
    case "$engine" in
        sqlite) store="sqlite://$tmp/history.sqlite3" ;;
        postgres) store=$pg_store ;;
    esac
    for step in "${steps[@]}"; do
        echo "==> ingest into $engine: $step" >&2
        extra=()
        [ "$step" = changed ] && extra=(--change-percent "$change_percent")
        measure "$engine-$step" "$ingest" --store "$store" --report "$tmp/report.json" \
            --target-name history-bench "${extra[@]}"
        echo "$wall $rss" >"$tmp/$engine-$step.process"
    done
done

table=$(python3 - "$tmp" "$scan_wall" "$scan_rss" "$objects" "$(nproc)" "$change_percent" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" "$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)" \
    "${engines[*]}" "$pg_settings" <<'PY'
import json, os, sys

tmp, scan_wall, scan_rss, objects, cores, percent, load, commit, engines, pg_settings = sys.argv[1:11]
scan_wall, scan_rss = float(scan_wall), int(scan_rss)
report = json.load(open(os.path.join(tmp, "report.json")))
summary = report["summary"]
findings = summary["findings"] + summary.get("suppressed", 0)
mib = lambda kib: f"{kib / 1024:,.0f}"
print(f"History benchmark: {summary['objects']:,} objects in {summary['files']:,} files, "
      f"{findings:,} findings; {cores} cores, load average {load}; commit {commit}")
if "postgres" in engines.split():
    print(f"PostgreSQL: {pg_settings}")
print()
print("| run | wall s | vs scan | peak RSS MiB | finding rows written | new / resolved / changed | store size MiB |")
print("|---|---:|---:|---:|---:|---|---:|")
print(f"| aksguard scan --format json | {scan_wall:.2f} | 1.00x | {mib(scan_rss)} | - | - | - |")
labels = {"fresh": "fresh store", "unchanged": "unchanged re-scan", "changed": f"{percent}% changed"}
failed = []
for engine in engines.split():
    for step in ("fresh", "unchanged", "changed"):
        line = json.loads(open(os.path.join(tmp, f"{engine}-{step}.out")).read().strip().splitlines()[-1])
        record = line["record_seconds"] + line["open_seconds"]
        added = line["peak_rss_kib"] - line["loaded_peak_rss_kib"]
        written = line["finding_rows_inserted"] + line["finding_rows_resolved_by_run"] + line["changed"]
        print(f"| ingest into {engine}, {labels[step]} | {record:.2f} | {record / scan_wall:.2f}x | "
              f"{mib(line['peak_rss_kib'])} (+{mib(added)} over the loaded report) | {written:,} | "
              f"{line['new']:,} / {line['resolved']:,} / {line['changed']:,} | "
              f"{line['database_bytes'] / 1048576:,.0f} |")
        # A report may hold one fingerprint more than once (identical objects in two files
        # of one copy): the store keeps one episode per fingerprint.
        if step == "fresh" and not (0 < line["finding_rows_inserted"] == line["new"] <= line["findings"]):
            failed.append(f"{engine}: a fresh store got {line['finding_rows_inserted']} rows for {line['new']} new findings")
        if step == "unchanged" and written != 0:
            failed.append(f"{engine}: the unchanged re-scan wrote {written} finding rows")
        if step == "changed":
            expected = 2 * line["changed_fingerprints"]
            if not (0 < written <= expected + line["changed"] and 0 < line["finding_rows_inserted"] == line["new"] <= line["changed_fingerprints"]):
                failed.append(f"{engine}: the changed re-scan wrote {written} rows for {line['changed_fingerprints']} changed findings")
print()
print("wall s of an ingest: Store::open + Store::record of the report already in memory; the "
      "ingest's peak RSS is the whole process (the report as records included).")
for message in failed:
    print(f"FAILED: {message}")
sys.exit(1 if failed else 0)
PY
) && status=0 || status=$?
echo "$table"
[ -n "$out" ] && echo "$table" >"$out"
exit "$status"
}
