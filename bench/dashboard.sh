#!/usr/bin/env bash
# Dashboard load benchmark of `aksguard serve`'s application (pages, API, security layers)
# on a synthetic fleet, on SQLite and on PostgreSQL, with the example
# crates/aksguard_server/examples/dashboard_load.rs (see its header for what it does).
#
# For each engine: a fresh store (a SQLite file in a temp dir; a database on a throwaway
# PostgreSQL started by .ci/postgres.sh unless AKSGUARD_TEST_POSTGRES_URL is set), seeded
# through Store::record with TARGETS targets × DAYS daily runs × FINDINGS findings
# (CHURN % fixed and as many new per day), then a bounded loopback load (REQUESTS requests
# per route, CONCURRENCY at once) against `/`, `/targets/{id}` and `/api/v1/fleet`. Prints
# markdown tables of p50/p95/p99, server-side (a timing layer inside the server) and
# client-side (loopback, body read). Client and server share the machine's cores.
#
# usage: bench/dashboard.sh [--engines sqlite,postgres] [--targets 200] [--days 90]
#                           [--findings 300] [--churn 3] [--requests 2000]
#                           [--concurrency 8] [--out FILE] [--keep]
# Exit status: 0 when every run answered 200 throughout, 1 otherwise, 2 on a setup error.
set -euo pipefail
{
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
engines=sqlite,postgres
targets=200 days=90 findings=300 churn=3 requests=2000 concurrency=8
out="" keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --engines) engines=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    --days) days=$2; shift 2 ;;
    --findings) findings=$2; shift 2 ;;
    --churn) churn=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d /tmp/aksguard-dashboard-bench.XXXXXX)
pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ]; then "$root/.ci/postgres.sh" stop "$pg_dir" >/dev/null 2>&1 || true; fi
  if [ "$keep" -eq 0 ]; then rm -rf "$work"; else echo "kept $work" >&2; fi
}
trap cleanup EXIT

cd "$root"
cargo build --release --locked -q -p aksguard_server --example dashboard_load || exit 2
bin="${CARGO_TARGET_DIR:-$root/target}/release/examples/dashboard_load"

status=0
IFS=, read -r -a list <<<"$engines"
for engine in "${list[@]}"; do
  case "$engine" in
    sqlite) url="sqlite://$work/history.sqlite3" ;;
    postgres)
      admin=${AKSGUARD_TEST_POSTGRES_URL:-}
      if [ -z "$admin" ]; then
        { read -r admin; read -r pg_dir; } < <("$root/.ci/postgres.sh" start) || exit 2
      fi
      db="aksguard_dashboard_bench_$$"
      psql "$admin" -qc "CREATE DATABASE $db" >/dev/null || exit 2
      url="${admin%/*}/$db"
      ;;
    *) echo "unknown engine $engine" >&2; exit 2 ;;
  esac
  echo "== $engine" >&2
  if ! "$bin" --store "$url" --targets "$targets" --days "$days" --findings "$findings" \
      --churn "$churn" --requests "$requests" --concurrency "$concurrency" \
      | tee -a "$work/results.md"; then
    status=1
  fi
  if [ "$engine" = postgres ]; then psql "$admin" -qc "DROP DATABASE $db" >/dev/null || true; fi
done
if grep -Eq '^\| `[^|]+` \| [0-9]+ \| [1-9]' "$work/results.md"; then status=1; fi
if [ -n "$out" ]; then cp "$work/results.md" "$out"; fi
exit "$status"
}
