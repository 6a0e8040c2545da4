#!/usr/bin/env bash
# A throwaway PostgreSQL for the store tests (CI and people): Debian's `postgresql`, a
# temporary cluster owned by the `postgres` user, listening on 127.0.0.1 and a free port,
# trust authentication on loopback only.
#
#   .ci/postgres.sh start      prints two lines: the admin URL, then the cluster directory
#   .ci/postgres.sh stop DIR   stops that cluster and removes its directory
#
# Typical use:
#   { read -r pg_url; read -r pg_dir; } < <(.ci/postgres.sh start)
#   export AKSGUARD_TEST_POSTGRES_URL="$pg_url" AKSGUARD_REQUIRE_POSTGRES=1
#   cargo test -p aksguard_store
#   .ci/postgres.sh stop "$pg_dir"
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# The newest installed server's bin directory (initdb, pg_ctl), or nothing.
pg_bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
    echo "$dir"
  fi
}

# A TCP port nobody listens on now (the kernel's pick for port 0).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
  local bin
  bin=$(pg_bin_dir)
  if [ -z "$bin" ]; then
    echo "installing postgresql with apt-get" >&2
    as_root apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      postgresql >/dev/null
    bin=$(pg_bin_dir)
    if [ -z "$bin" ]; then
      echo "postgresql was installed but no initdb/pg_ctl under /usr/lib/postgresql/*/bin" >&2
      exit 1
    fi
  fi
  if ! id postgres >/dev/null 2>&1; then
    echo "the postgres user does not exist (Debian's postgresql package creates it)" >&2
    exit 1
  fi

  local dir port
  dir=$(mktemp -d /tmp/aksguard-pg.XXXXXX)
  chmod 755 "$dir"
  mkdir "$dir/data" "$dir/socket" "$dir/log"
  chown postgres:postgres "$dir/data" "$dir/socket" "$dir/log"
  port=$(free_port)

  # initdb refuses to run as root: the cluster belongs to the postgres user. Trust on
  # loopback: the server listens on 127.0.0.1 only and lives as long as the test run.
  as_root runuser -u postgres -- "$bin/initdb" --pgdata="$dir/data" --username=postgres \
    --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  # Enough connections for concurrent tests (each test store is its own pool). Tests need no
  # durability; AKSGUARD_PG_DURABLE=1 keeps PostgreSQL's defaults (fsync, synchronous commit,
  # full page writes) for benchmarks that must measure what a real server pays.
  local speed="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if [ "${AKSGUARD_PG_DURABLE:-0}" = 1 ]; then speed=""; fi
  as_root runuser -u postgres -- "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/log/server.log" \
    --wait --timeout=60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/socket -c max_connections=300 $speed" \
    start >&2 || {
    cat "$dir/log/server.log" >&2
    exit 1
  }
  echo "postgres://postgres@127.0.0.1:$port/postgres"
  echo "$dir"
}

stop() {
  local dir=${1:?usage: .ci/postgres.sh stop DIR}
  local bin
  bin=$(pg_bin_dir)
  case "$dir" in
    /tmp/aksguard-pg.*) ;;
    *) echo "not a cluster directory made by .ci/postgres.sh start: $dir" >&2; exit 1 ;;
  esac
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_root runuser -u postgres -- "$bin/pg_ctl" --pgdata="$dir/data" --mode=fast --wait stop >&2 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: .ci/postgres.sh start | stop DIR" >&2; exit 2 ;;
esac
