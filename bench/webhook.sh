#!/usr/bin/env bash
# Load benchmark and soak of `aksguard webhook` over TLS on loopback, with the load generator
# (`aksguard-loadgen`, crates/aksguard_loadgen) on the same machine and nothing pinned: the
# generator and the server share the cores, as `nproc` reports them.
#
# Benchmark (default): builds release `aksguard` and `aksguard-loadgen`, makes a CA and a
# server certificate for 127.0.0.1 with openssl in a temp dir, starts `aksguard webhook` on
# 127.0.0.1 (default mode warn, full rule set, or --config FILE) and runs, each after its own
# warm-up, with 8 keep-alive HTTP/1.1 connections:
#   1. the baseline: GET /healthz at the target rate (TLS + HTTP, no judging);
#   2. POST /validate with a ~6 KB Deployment review (CREATE, 2 containers) at the target rate;
#   3. POST /validate as fast as the connections go (closed loop: the ceiling);
#   4. a search for the highest rate whose p99 is <= --p99-ms (steps up from the target rate,
#      then bisects; at most 10 runs).
# It samples the server's VmRSS/VmHWM (/proc/PID/status), prints a markdown table and stops
# the server. Every review must come back allowed with its own uid (warn mode allows).
#
# Soak (--soak): 5 minutes at 2,000/s after a 10 s warm-up; in the middle the certificate
# and key are replaced with a new pair from the same CA, the way the kubelet updates a mounted
# Secret (both files behind one `..data` symlink swapped atomically; --rotation rename
# replaces each file with its own rename instead); two thirds in, a burst of 5,000 malformed
# reviews (--burst) on two extra connections. It asserts: zero failed or unsent valid requests, every
# malformed review answered 400, no connection lost (8 opened in all), the served certificate
# changed, the server still alive, and RSS flat (the last sample within +10% of the first
# sample after the warm-up; samples are printed every 30 s).
#
# usage: bench/webhook.sh [--soak] [--rate N] [--duration SECS] [--warmup SECS]
#                         [--connections N] [--p99-ms MS] [--config FILE] [--mode MODE]
#                         [--bin PATH] [--loadgen PATH] [--rotation kubelet|rename]
#                         [--soak-rate N] [--soak-duration SECS] [--burst N]
#                         [--sample-every SECS] [--out FILE] [--keep]
#   --rate N           target rate of the benchmark (default 5000 reviews/s)
#   --duration SECS    measured seconds per benchmark run (default 10)
#   --warmup SECS      unmeasured seconds before each run (default 3; soak: 10)
#   --connections N    keep-alive connections (default 8)
#   --p99-ms MS        the latency target of the rate search (default 2)
#   --config FILE      aksguard.toml for the server (default: none, all rules, mode warn)
#   --mode MODE        --mode for the server (default: the server's default, warn)
#   --bin PATH         use this aksguard binary instead of building it
#   --loadgen PATH     use this aksguard-loadgen binary instead of building it
#   --rotation STYLE   soak certificate rotation: kubelet (default) or rename
#   --soak-rate N      soak rate (default 2000/s); --soak-duration SECS (default 300)
#   --burst N          malformed reviews in the soak's burst (default 5000)
#   --sample-every S   soak RSS sampling period in seconds (default 30)
#   --out FILE         also write the markdown table(s) to FILE
#   --keep             keep the temp dir (certificates, server log, JSON reports)
# Exit status: 0 when every run passed (soak: every assertion held), 1 otherwise, 2 on a
# setup error. Loopback only; every wait is bounded.
set -euo pipefail
# The whole script is one compound command, read before it runs: editing the file during a
# 5-minute soak cannot change the running script.
{

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
soak=0
rate=5000
duration=10
warmup=""
connections=8
p99_ms=2
config=""
mode=""
bin=""
loadgen=""
rotation=kubelet
soak_rate=2000
soak_duration=300
burst=5000
sample_every=30
out=""
keep=0

die() {
    echo "webhook.sh: $*" >&2
    exit 2
}

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

is_number() { [[ "$1" =~ ^[0-9]+([.][0-9]+)?$ ]]; }

while (($#)); do
    case "$1" in
    --soak) soak=1 ;;
    --rate) rate=${2:?}; shift ;;
    --duration) duration=${2:?}; shift ;;
    --warmup) warmup=${2:?}; shift ;;
    --connections) connections=${2:?}; shift ;;
    --p99-ms) p99_ms=${2:?}; shift ;;
    --config) config=${2:?}; shift ;;
    --mode) mode=${2:?}; shift ;;
    --bin) bin=${2:?}; shift ;;
    --loadgen) loadgen=${2:?}; shift ;;
    --rotation) rotation=${2:?}; shift ;;
    --soak-rate) soak_rate=${2:?}; shift ;;
    --soak-duration) soak_duration=${2:?}; shift ;;
    --burst) burst=${2:?}; shift ;;
    --sample-every) sample_every=${2:?}; shift ;;
    --out) out=${2:?}; shift ;;
    --keep) keep=1 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
done
[[ -z "$warmup" ]] && warmup=$((soak ? 10 : 3))
for pair in "rate:$rate" "duration:$duration" "warmup:$warmup" "connections:$connections" \
    "soak-rate:$soak_rate" "soak-duration:$soak_duration" "burst:$burst" \
    "sample-every:$sample_every"; do
    [[ "${pair#*:}" =~ ^[0-9]+$ ]] || die "--${pair%%:*} must be a whole number, not ${pair#*:}"
done
is_number "$p99_ms" || die "--p99-ms must be a number"
[[ "$rotation" == kubelet || "$rotation" == rename ]] || die "--rotation must be kubelet or rename"
[[ -z "$config" || -f "$config" ]] || die "--config $config: no such file"
for tool in openssl curl jq; do
    command -v "$tool" >/dev/null || die "$tool is required"
done

# --- build -------------------------------------------------------------------------------
target_dir=${CARGO_TARGET_DIR:-$root/target}
if [[ -z "$bin" || -z "$loadgen" ]]; then
    echo "building release aksguard and aksguard-loadgen ..." >&2
    (cd "$root" && cargo build --release --locked -q -p aksguard -p aksguard_loadgen) ||
        die "cargo build failed"
fi
bin=${bin:-$target_dir/release/aksguard}
loadgen=${loadgen:-$target_dir/release/aksguard-loadgen}
[[ -x "$bin" ]] || die "$bin: not an executable"
[[ -x "$loadgen" ]] || die "$loadgen: not an executable"
"$bin" webhook --help >/dev/null 2>&1 ||
    die "$bin has no working \`webhook\` subcommand (is the webhook server merged?)"

# --- temp dir, certificates --------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/aksguard-webhook-bench.XXXXXX")
server_pid=""
rotator_pid=""
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
    # stop only the processes this script started
    if [[ -n "$rotator_pid" ]] && kill -0 "$rotator_pid" 2>/dev/null; then
        kill "$rotator_pid" 2>/dev/null || true
    fi
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$server_pid" 2>/dev/null || true
    fi
    if ((keep)); then
        echo "kept: $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

openssl_quiet() { openssl "$@" >/dev/null 2>&1; }

# CA: ECDSA P-256, 1 day.
openssl_quiet req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -keyout "$work/ca.key" -out "$work/ca.pem" -days 1 -subj "/CN=aksguard bench CA" ||
    die "openssl could not make the CA"

# make_pair DIR SERIAL: a server key and certificate for IP 127.0.0.1, signed by the CA.
make_pair() {
    local dir=$1 serial=$2
    mkdir -p "$dir"
    openssl_quiet req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
        -keyout "$dir/tls.key" -out "$dir/tls.csr" -subj "/CN=aksguard-webhook" ||
        die "openssl could not make a server key"
    printf 'subjectAltName=IP:127.0.0.1,DNS:aksguard-webhook.aksguard.svc\nextendedKeyUsage=serverAuth\n' \
        >"$dir/ext.cnf"
    openssl_quiet x509 -req -in "$dir/tls.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
        -set_serial "$serial" -days 1 -extfile "$dir/ext.cnf" -out "$dir/tls.crt" ||
        die "openssl could not sign a server certificate"
    rm -f "$dir/tls.csr" "$dir/ext.cnf"
}

# The served files live as a kubelet writes a mounted Secret: tls.crt and tls.key are
# symlinks into `..data`, itself a symlink to a timestamped directory.
certs=$work/certs
mkdir -p "$certs"
make_pair "$certs/..pair1" 4097
ln -s ..pair1 "$certs/..data"
ln -s ..data/tls.crt "$certs/tls.crt"
ln -s ..data/tls.key "$certs/tls.key"

served_serial() {
    # the serial of the certificate the server presents now, e.g. 1001 (hex)
    timeout 5 openssl s_client -connect "127.0.0.1:$port" -servername aksguard-webhook.aksguard.svc \
        -CAfile "$work/ca.pem" </dev/null 2>/dev/null |
        openssl x509 -noout -serial 2>/dev/null | sed 's/^serial=//'
}

rotate() {
    make_pair "$certs/..pair2" 8193
    case "$rotation" in
    kubelet)
        ln -s ..pair2 "$certs/..data_tmp"
        mv -T "$certs/..data_tmp" "$certs/..data"
        ;;
    rename)
        # plain files: each replaced by one atomic rename (key first)
        cp "$certs/..pair2/tls.key" "$certs/tls.key.new"
        cp "$certs/..pair2/tls.crt" "$certs/tls.crt.new"
        mv -f "$certs/tls.key.new" "$certs/tls.key"
        mv -f "$certs/tls.crt.new" "$certs/tls.crt"
        ;;
    esac
}

if [[ "$rotation" == rename ]]; then
    # plain files from the start
    for f in tls.crt tls.key; do
        cp --remove-destination "$certs/..pair1/$f" "$certs/$f"
    done
fi

# --- server --------------------------------------------------------------------------------
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
port=$(free_port)
metrics_port=$(free_port)
server_args=(webhook --tls-cert "$certs/tls.crt" --tls-key "$certs/tls.key"
    --listen "127.0.0.1:$port" --metrics-listen "127.0.0.1:$metrics_port")
[[ -n "$config" ]] && server_args+=(--config "$config")
[[ -n "$mode" ]] && server_args+=(--mode "$mode")
"$bin" "${server_args[@]}" >"$work/server.log" 2>&1 &
server_pid=$!

ready=0
for _ in $(seq 100); do
    if curl -fsS --max-time 1 --cacert "$work/ca.pem" "https://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
        ready=1
        break
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if ((!ready)); then
    tail -20 "$work/server.log" >&2 || true
    die "the server did not answer /healthz within 10 s"
fi

cores=$(nproc)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
commit=$(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n "$(cd "$root" && git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
    commit="$commit+modified"
fi
review_url="https://127.0.0.1:$port/validate"
healthz_url="https://127.0.0.1:$port/healthz"

# loadgen NAME URL ARGS...: one generator run, its JSON report in $work/NAME.json; prints the
# text report to stderr; never stops the script (the caller reads `passed`).
loadgen_run() {
    local name=$1 url=$2
    shift 2
    "$loadgen" --url "$url" --ca "$work/ca.pem" --connections "$connections" \
        --server-pid "$server_pid" --json "$work/$name.json" "$@" >&2 || true
    [[ -s "$work/$name.json" ]] || die "the load generator wrote no report for $name"
}

j() { jq -r "$2" "$work/$1.json"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
hwm_now() { awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status"; }
rss_now() { awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status"; }

row() {
    # row NAME LABEL: one markdown table row from a report
    local name=$1 label=$2
    printf '| %s | %s | %.0f/s | %.3f | %.3f | %.3f | %.3f | %s / %s | %.2f | %s | %.2f | %s |\n' \
        "$label" "$(j "$name" '.setup.rate // "max"')" "$(j "$name" .throughput_rps)" \
        "$(j "$name" .latency.p50_ms)" "$(j "$name" .latency.p99_ms)" \
        "$(j "$name" .latency.p999_ms)" "$(j "$name" .latency.max_ms)" \
        "$(j "$name" .counts.failed)" "$(j "$name" .counts.unsent)" \
        "$(j "$name" '.server.cores // 0')" \
        "$(j "$name" 'if (.server.cpu_s // 0) > 0 and .counts.ok > 0 then (.server.cpu_s / .counts.ok * 1e6 | floor | tostring) + " µs" else "?" end')" \
        "$(j "$name" '.generator.cores // 0')" \
        "$(mib "$(j "$name" '.server.memory | map(.rss_kib) | max')")"
}

header() {
    echo "| run | offered /s | throughput | p50 ms | p99 ms | p99.9 ms | max ms | failed / unsent | server CPU (cores) | server CPU per request | generator CPU (cores) | server RSS (max sample) |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
}

emit() { if [[ -n "$out" ]]; then tee -a "$out"; else cat; fi; }
[[ -n "$out" ]] && : >"$out"

if ((!soak)); then
    common=(--warmup "${warmup}s" --duration "${duration}s" --sample-every 1s)
    echo "baseline: GET /healthz at $rate/s" >&2
    loadgen_run healthz "$healthz_url" --request get --rate "$rate" "${common[@]}"
    echo "reviews at $rate/s" >&2
    loadgen_run target "$review_url" --rate "$rate" "${common[@]}"
    echo "reviews, closed loop (max)" >&2
    loadgen_run max "$review_url" --rate max "${common[@]}"

    # highest rate with p99 <= target and no failure: step up from the target rate (x1.25),
    # then bisect between the last pass and the first failure; at most 10 runs in all
    meets() { # meets NAME
        [[ "$(j "$1" .passed)" == true && "$(j "$1" .kept_rate)" == true ]] &&
            awk -v p="$(j "$1" .latency.p99_ms)" -v t="$p99_ms" 'BEGIN { exit !(p <= t) }'
    }
    best=""
    best_name=""
    low=0
    high=0
    if meets target; then
        best=$rate best_name=target low=$rate
        probe=$((rate * 5 / 4))
    else
        high=$rate
        probe=$((rate / 2))
    fi
    for step in $(seq 10); do
        ((probe >= 100)) || break
        echo "search: reviews at $probe/s" >&2
        loadgen_run "search$step" "$review_url" --rate "$probe" "${common[@]}"
        if meets "search$step"; then
            best=$probe best_name="search$step" low=$probe
        else
            high=$probe
        fi
        if ((high == 0)); then
            probe=$((probe * 5 / 4))
        elif ((low == 0)); then
            probe=$((probe / 2))
        else
            # stop once the bracket is within 5%
            (((high - low) * 20 <= low)) && break
            probe=$(((low + high) / 2))
        fi
    done

    hwm_kib=$(hwm_now)
    rss_kib=$(rss_now)
    load_after=$(cut -d' ' -f1-3 /proc/loadavg)
    {
        echo
        echo "### aksguard webhook benchmark ($(date -u +%Y-%m-%d), commit $commit)"
        echo
        header
        row healthz "baseline: GET /healthz (TLS + HTTP, no judging)"
        row target "POST /validate, Deployment review"
        [[ -n "$best_name" ]] && row "$best_name" "POST /validate, highest rate with p99 <= $p99_ms ms"
        row max "POST /validate, closed loop (ceiling)"
        echo
        echo "- machine: $cores cores (nproc), shared by server and generator, nothing pinned;" \
            "load average before $load_before, after $load_after"
        echo "- generator: aksguard-loadgen, $connections keep-alive HTTP/1.1 connections" \
            "(rustls, aws-lc-rs; TLS 1.3 with a rustls server), open loop (latency counted from each request's due time)," \
            "$(j target .setup.threads) thread; ${warmup} s warm-up + ${duration} s per run"
        echo "- review: AdmissionReview v1, CREATE of a Deployment with 2 containers," \
            "$(j target .setup.body_bytes) bytes; server mode ${mode:-default (warn)}," \
            "${config:+config $config}${config:-all rules}; every review answered allowed with its uid"
        echo "- server RSS: $(mib "$rss_kib") at the end, peak (VmHWM) $(mib "$hwm_kib")"
        if [[ -n "$best" ]]; then
            echo "- highest rate meeting p99 <= $p99_ms ms without failures: $best reviews/s" \
                "(searched up to ${high:-?}/s)"
        else
            echo "- no rate tried met p99 <= $p99_ms ms without failures"
        fi
        if [[ "$(j target .kept_rate)" == true ]]; then
            awk -v b50="$(j healthz .latency.p50_ms)" -v b99="$(j healthz .latency.p99_ms)" \
                -v r50="$(j target .latency.p50_ms)" -v r99="$(j target .latency.p99_ms)" \
                -v rate="$rate" \
                'BEGIN { printf "- judging adds %.3f ms at p50 and %.3f ms at p99 over /healthz at %s/s\n", r50 - b50, r99 - b99, rate }'
        else
            printf -- '- at %s/s the server fell behind: %.0f reviews/s answered, %s due requests never sent\n' \
                "$rate" "$(j target .throughput_rps)" "$(j target .counts.unsent)"
        fi
        awk -v h="$(j healthz '.server.cpu_s / .counts.ok * 1e6')" -v m="$(j max '.server.cpu_s / .counts.ok * 1e6')" \
            'BEGIN { printf "- server CPU per request: %.0f us for /healthz (TLS + HTTP), %.0f us for a review at the ceiling: judging costs about %.0f us of CPU\n", h, m, m - h }'
    } | emit
    status=0
    for name in healthz target max; do
        [[ "$(j "$name" .passed)" == true ]] || {
            echo "FAIL: run $name had failures: $(j "$name" '.counts.failures + .counts.warmup_failures')" >&2
            status=1
        }
    done
    exit $status
fi

# --- soak ----------------------------------------------------------------------------------
serial_before=$(served_serial)
new_serial_hex=$(printf '%04X' 8193)
rotate_at=$((warmup + soak_duration / 2))
burst_at=$((warmup + soak_duration * 2 / 3))
echo "soak: ${soak_duration} s at $soak_rate/s after ${warmup} s warm-up; certificate rotation" \
    "($rotation) at t=${rotate_at} s, $burst malformed reviews at t=${burst_at} s" >&2
(
    sleep "$rotate_at"
    rotate
    echo "[webhook.sh] t=${rotate_at}s rotated the certificate ($rotation)" >&2
) &
rotator_pid=$!
loadgen_run soak "$review_url" --rate "$soak_rate" --warmup "${warmup}s" \
    --duration "${soak_duration}s" --sample-every "${sample_every}s" \
    --burst-malformed "$burst" --burst-at "${burst_at}s" --burst-connections 2
wait "$rotator_pid" 2>/dev/null || true
rotator_pid=""
serial_after=""
for _ in $(seq 20); do
    serial_after=$(served_serial)
    [[ "$serial_after" == "$new_serial_hex" ]] && break
    sleep 1
done

failures=()
[[ "$(j soak .counts.failed)" == 0 && "$(j soak .counts.unsent)" == 0 &&
    "$(j soak '.counts.warmup_failures | length')" == 0 ]] ||
    failures+=("valid requests failed or unsent: $(j soak '.counts.failures + .counts.warmup_failures'), unsent $(j soak .counts.unsent)")
[[ "$(j soak .burst.rejected_400)" == "$burst" ]] ||
    failures+=("malformed burst: $(j soak .burst.rejected_400) of $burst answered 400 ($(j soak .burst.failures))")
[[ "$(j soak .counts.connections_opened)" == "$connections" ]] ||
    failures+=("connections opened: $(j soak .counts.connections_opened), expected $connections (some were lost)")
[[ "$serial_after" == "$new_serial_hex" ]] ||
    failures+=("served certificate serial $serial_after after rotation, expected $new_serial_hex (before: $serial_before)")
kill -0 "$server_pid" 2>/dev/null || failures+=("the server exited")
grep -qi 'panicked' "$work/server.log" && failures+=("the server log reports a panic")
# flat RSS: the last sample within +10% of the first sample taken after the warm-up
flat=$(jq -r --argjson w "$warmup" '
    [.server.memory[] | select(.t_s >= $w)] as $m
    | if ($m | length) < 2 then "no samples"
      elif ($m[-1].rss_kib <= $m[0].rss_kib * 1.10) then "flat"
      else "grew \($m[0].rss_kib) -> \($m[-1].rss_kib) KiB" end' "$work/soak.json")
[[ "$flat" == flat ]] || failures+=("RSS not flat: $flat")

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
{
    echo
    echo "### aksguard webhook soak ($(date -u +%Y-%m-%d), commit $commit)"
    echo
    header
    row soak "soak: POST /validate, ${soak_duration} s, rotation + malformed burst"
    echo
    echo "- requests: $(j soak .counts.ok) ok of $(j soak .counts.sent) measured" \
        "(+$(j soak .counts.warmup_ok) in warm-up), failed $(j soak .counts.failed)," \
        "unsent $(j soak .counts.unsent); connections opened $(j soak .counts.connections_opened)"
    echo "- malformed burst: $(j soak .burst.rejected_400) of $(j soak .burst.sent) answered 400," \
        "p99 $(printf %.3f "$(j soak .burst.latency.p99_ms)") ms"
    echo "- certificate rotation ($rotation) at t=${rotate_at} s: served serial $serial_before -> $serial_after"
    echo "- server RSS samples (t: VmRSS / VmHWM):" \
        "$(jq -r '[.server.memory[] | "\(.t_s | floor) s: \(.rss_kib / 1024 * 10 | floor / 10) / \(.hwm_kib / 1024 * 10 | floor / 10) MiB"] | join("; ")' "$work/soak.json")"
    echo "- RSS: $flat (last sample within +10% of the first after warm-up)"
    echo "- machine: $cores cores (nproc), nothing pinned; load average before $load_before, after $load_after"
    if ((${#failures[@]})); then
        printf -- '- FAIL: %s\n' "${failures[@]}"
    else
        echo "- PASS: zero failed or dropped valid requests, rotation served, RSS flat"
    fi
} | emit
((${#failures[@]} == 0)) || exit 1
exit 0
}
