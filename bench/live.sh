#!/usr/bin/env bash
# Live-scan benchmark: `aksguard scan --cluster` against a served cluster and `aksguard scan
# --complete` over the same objects as files, in the same run, on this machine (nothing pinned;
# the server shares the cores with the scanner, as `nproc` reports them).
#
# It builds release `aksguard` and `aksguard-fakekube`, generates a synthetic cluster of N
# declared objects (`aksguard-fakekube generate`: namespaces of applications, each a
# Deployment, StatefulSet or CronJob with its Service, ConfigMap, ServiceAccount, Role,
# RoleBinding, HPA, PDB, some Ingresses, NetworkPolicies and bare Pods), serves it over TLS
# with a bearer token (the server adds managedFields, status, last-applied annotations and the
# controllers' ReplicaSets, Jobs and Pods), and measures with GNU time:
#   1. the file scan of the N objects (`scan --complete --format json DIR`);
#   2. the live scan of the served cluster (`scan --cluster --kubeconfig K --format json`);
#   3. the live scan of a cluster of M declared objects (peak RSS; target <= 1 GiB).
# It prints a markdown table (wall seconds, peak RSS, findings) and the live/file time ratio
# (target <= 2).
#
# usage: bench/live.sh [--objects N] [--large M] [--plain] [--bin PATH] [--fakekube PATH]
#                      [--out FILE] [--keep]
#   --objects N     declared objects of the compared run (default 50000)
#   --large M       declared objects of the memory run (default 100000; 0 skips it)
#   --plain         serve plain HTTP instead of HTTPS
#   --bin PATH      use this aksguard binary instead of building it
#   --fakekube PATH use this aksguard-fakekube binary instead of building it
#   --out FILE      also write the table to FILE
#   --keep          keep the temp dir (manifests, reports, server log)
# Exit status: 0 when both scans ran and the targets held, 1 when a target was missed or the
# scans disagree on the finding count, 2 on a setup error. Loopback only; every wait is bounded.
set -euo pipefail
{

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
objects=50000
large=100000
plain=0
bin=""
fakekube=""
out=""
keep=0

die() {
    echo "live.sh: $*" >&2
    exit 2
}

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --objects) objects=${2:?}; shift 2 ;;
        --large) large=${2:?}; shift 2 ;;
        --plain) plain=1; shift ;;
        --bin) bin=${2:?}; shift 2 ;;
        --fakekube) fakekube=${2:?}; shift 2 ;;
        --out) out=${2:?}; shift 2 ;;
        --keep) keep=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done

[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time) is needed for peak RSS"
target_dir=${CARGO_TARGET_DIR:-$root/target}
if [ -z "$bin" ] || [ -z "$fakekube" ]; then
    (cd "$root" && cargo build --release --locked -q -p aksguard -p aksguard_fakekube) ||
        die "cargo build failed"
fi
bin=${bin:-$target_dir/release/aksguard}
fakekube=${fakekube:-$target_dir/release/aksguard-fakekube}
[ -x "$bin" ] || die "$bin is not executable"
[ -x "$fakekube" ] || die "$fakekube is not executable"

tmp=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    if [ "$keep" = 1 ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
# A random token that never appears on the command line or in output.
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$tmp/token"

# serve DIR NAME: starts the server on DIR, waits (bounded) for its kubeconfig.
serve() {
    local dir=$1 name=$2 flags=()
    [ "$plain" = 1 ] && flags+=(--plain)
    rm -f "$tmp/$name.kubeconfig"
    "$fakekube" serve --objects "$dir" --token-file "$tmp/token" --kubeconfig "$tmp/$name.kubeconfig" \
        --context bench "${flags[@]}" >"$tmp/$name.server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 600); do
        grep -q '^serving' "$tmp/$name.server.log" 2>/dev/null && return 0
        kill -0 "$server_pid" 2>/dev/null || die "the server stopped: $(cat "$tmp/$name.server.log")"
        sleep 0.5
    done
    die "the server did not start within 300 s"
}

stop() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

# measure NAME CMD...: runs CMD under GNU time (exit 0 or 1 accepted: 1 means findings),
# stdout to NAME.json; sets wall (s) and rss (KiB).
measure() {
    local name=$1 status=0
    shift
    /usr/bin/time -f '%e %M' -o "$tmp/$name.time" "$@" >"$tmp/$name.json" 2>"$tmp/$name.err" || status=$?
    if [ "$status" -gt 1 ]; then
        echo "live.sh: $name exited $status:" >&2
        head -c 2000 "$tmp/$name.err" >&2
        exit 1
    fi
    read -r wall rss < <(tail -n 1 "$tmp/$name.time")
}

findings() {
    python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$1"
}

mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

echo "generating $objects objects..." >&2
"$fakekube" generate --objects "$objects" --out "$tmp/objects" >/dev/null
serve "$tmp/objects" main
served=$(sed -n 's/^serving \([0-9]*\) objects.*/\1/p' "$tmp/main.server.log")

echo "file scan..." >&2
measure files "$bin" scan --complete --format json "$tmp/objects"
file_wall=$wall file_rss=$rss file_findings=$(findings "$tmp/files.json")
echo "live scan..." >&2
measure live "$bin" scan --cluster --kubeconfig "$tmp/main.kubeconfig" --format json
live_wall=$wall live_rss=$rss live_findings=$(findings "$tmp/live.json")
stop

large_row=""
large_rss=0
if [ "$large" -gt 0 ]; then
    echo "generating $large objects..." >&2
    "$fakekube" generate --objects "$large" --out "$tmp/large" >/dev/null
    serve "$tmp/large" large
    large_served=$(sed -n 's/^serving \([0-9]*\) objects.*/\1/p' "$tmp/large.server.log")
    echo "live scan of $large..." >&2
    measure large "$bin" scan --cluster --kubeconfig "$tmp/large.kubeconfig" --format json
    large_rss=$rss
    large_row="| live scan, $large declared ($large_served served) | $wall | $(mib "$rss") | $(findings "$tmp/large.json") |"
    stop
fi

grep -q "$(cat "$tmp/token")" "$tmp"/*.json "$tmp"/*.err && { echo "live.sh: the token appears in an output" >&2; exit 1; }
ratio=$(awk -v l="$live_wall" -v f="$file_wall" 'BEGIN { printf "%.2f", (f > 0 ? l / f : 0) }')
table=$(
    echo "Live-scan benchmark, $(nproc) cores, $( [ "$plain" = 1 ] && echo HTTP || echo HTTPS ) on loopback, $(date -u +%Y-%m-%d)"
    echo
    echo "| run | wall s | peak RSS MiB | findings |"
    echo "|---|---:|---:|---:|"
    echo "| file scan --complete, $objects objects | $file_wall | $(mib "$file_rss") | $file_findings |"
    echo "| live scan --cluster, $objects declared ($served served) | $live_wall | $(mib "$live_rss") | $live_findings |"
    [ -n "$large_row" ] && echo "$large_row"
    echo
    echo "live/file time ratio: $ratio (target <= 2)"
)
echo "$table"
[ -n "$out" ] && echo "$table" >"$out"

failed=0
awk -v r="$ratio" 'BEGIN { exit !(r > 2) }' && { echo "MISSED: live scan takes more than 2x the file scan" >&2; failed=1; }
[ "$large_rss" -gt $((1024 * 1024)) ] && { echo "MISSED: peak RSS above 1 GiB at $large objects" >&2; failed=1; }
[ "$file_findings" = "$live_findings" ] || { echo "DIFFER: $file_findings findings from files, $live_findings live" >&2; failed=1; }
exit "$failed"
}
