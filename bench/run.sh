#!/usr/bin/env bash
# The hotspot-billing benchmark, end to end: build (if stale), start a WireMock IntaSend fake and the app in
# embedded mode on a throwaway data dir, drive every scenario with bench/LoadGen.java, verify the completion storm
# settled exactly once, write bench/results/latest.md, and stop everything it started (also on failure or Ctrl-C).
# Loopback only. Takes about 3 minutes. See README "Benchmarks".
#
# Knobs (environment): BENCH_WARMUP (5 s), BENCH_DURATION (15 s), BENCH_CONNS (32), BENCH_SANDBOX_CONNS
# ("32,128,256"), BENCH_STORM (1000), BENCH_STORM_CONNS (32), BENCH_OUT (bench/results/latest.md),
# BENCH_APP_WARMUP (6 s of unmeasured traffic per path after start, for the JIT), BENCH_ONLY (comma list of
# live,packages,initiate,check,sandbox,storm), BENCH_APP_ENV (extra app settings), BENCH_JAVA_OPTS (extra JVM
# options for the app, e.g. JFR), BENCH_KEEP=1 keeps the temp dir (logs, database).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=${BENCH_OUT:-bench/results/latest.md}
WIREMOCK_JAR=${WIREMOCK_JAR:-$HOME/.m2/repository/org/wiremock/wiremock-standalone/3.13.1/wiremock-standalone-3.13.1.jar}

# --- app settings for the benchmark ---------------------------------------------------------------------------------
# Rate limits raised far above anything the run sends (they stay on: each initiate still pays for its two bucket
# checks), the reconciler off (it would compete with the measured requests for the pool).
BENCH_ENV=(
    HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_PUBLIC_KEY_CAPACITY=1000000000
    HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_PHONE_CAPACITY=1000000
    HOTSPOT_PAYMENTS_RECONCILE_ENABLED=false
)
# Extra settings to try (space-separated NAME=value), e.g. BENCH_APP_ENV="HOTSPOT_DB_POOL_SIZE=40".
read -r -a EXTRA_ENV <<<"${BENCH_APP_ENV:-}"
BENCH_ENV+=("${EXTRA_ENV[@]}")

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

free_port() {
    local p
    while true; do
        p=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            case " ${USED_PORTS:-} " in *" $p "*) continue ;; esac
            USED_PORTS="${USED_PORTS:-} $p"
            echo "$p"
            return
        fi
    done
}

WORK=$(mktemp -d -t hotspot-bench.XXXXXX)
APP_PID=""
WM_PID=""
stop_pid() { # pid, name: TERM, wait up to 30 s, then KILL
    local pid=$1 name=$2 i
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_pid "$APP_PID" "the app"
    # The app stops its embedded PostgreSQL on exit; if it could not, stop the postmaster ourselves (fast shutdown).
    if [ -f "$WORK/data/postgres/postmaster.pid" ]; then
        local pg
        pg=$(head -1 "$WORK/data/postgres/postmaster.pid")
        if [ -n "$pg" ] && kill -0 "$pg" 2>/dev/null && tr '\0' ' ' <"/proc/$pg/cmdline" | grep -q "$WORK"; then
            log "stopping the embedded PostgreSQL (pid $pg)"
            kill -INT "$pg" 2>/dev/null || true
            for _ in $(seq 1 40); do kill -0 "$pg" 2>/dev/null || break; sleep 0.5; done
        fi
    fi
    stop_pid "$WM_PID" "WireMock"
    if [ "$rc" -ne 0 ] || [ "${BENCH_KEEP:-0}" = 1 ]; then
        log "kept $WORK (app.log, wiremock.log, data/) — remove it when done"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build -----------------------------------------------------------------------------------------------------------
JAR=target/quarkus-app/quarkus-run.jar
if [ ! -f "$JAR" ] || [ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]; then
    log "building (./mvnw -B -q package -DskipTests)"
    ./mvnw -B -q package -DskipTests
else
    log "$JAR is up to date"
fi
[ -f "$WIREMOCK_JAR" ] || { log "missing $WIREMOCK_JAR (run ./mvnw verify once: the tests use it)"; exit 1; }

# --- machine facts, before we start anything -----------------------------------------------------------------------
{
    echo "# hotspot-billing benchmark"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml || echo ' (src modified)')"
    echo "- machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1)"
    echo "- free -g: $(free -g | awk '/^Mem:/ {print "total " $2 " GiB, used " $3 ", free " $4 ", available " $7}')"
    echo "- load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- other processes using CPU before the run (ps, %CPU over their lifetime, top 3):"
    ps -eo pid,pcpu,etime,comm --sort=-pcpu | awk 'NR>1 && $2>5 {print "  - pid " $1 ", " $2 "% CPU, up " $3 ", " $4}' | head -3
} >"$WORK/header.md"

# --- IntaSend fake -------------------------------------------------------------------------------------------------
WM_PORT=$(free_port)
mkdir -p "$WORK/wiremock"
cp -r bench/wiremock/mappings "$WORK/wiremock/"
log "starting WireMock on 127.0.0.1:$WM_PORT (STK push answers after 150 ms)"
java -Xmx512m -jar "$WIREMOCK_JAR" --port "$WM_PORT" --bind-address 127.0.0.1 --root-dir "$WORK/wiremock" \
    --container-threads 200 --async-response-enabled true --no-request-journal --disable-request-logging \
    --disable-banner >"$WORK/wiremock.log" 2>&1 &
WM_PID=$!

# --- the app -------------------------------------------------------------------------------------------------------
APP_PORT=$(free_port)
DB_PORT=$(free_port)
log "starting the app on 127.0.0.1:$APP_PORT, embedded PostgreSQL on $DB_PORT, data in $WORK/data"
# shellcheck disable=SC2086
env "${BENCH_ENV[@]}" \
    HOTSPOT_EMBEDDED_DATA_DIR="$WORK/data" HOTSPOT_EMBEDDED_DB_PORT="$DB_PORT" PORT="$APP_PORT" \
    HOTSPOT_INTASEND_SANDBOX_URL="http://127.0.0.1:$WM_PORT/api/v1" \
    java ${BENCH_JAVA_OPTS:-} -jar "$JAR" >"$WORK/app.log" 2>&1 &
APP_PID=$!

wait_for() { # url, pid, name
    local i
    for i in $(seq 1 240); do
        if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
        kill -0 "$2" 2>/dev/null || { log "$3 exited during start"; tail -30 "$WORK/$3.log" >&2; return 1; }
        sleep 0.5
    done
    log "$3 not ready after 120 s"; tail -30 "$WORK/$3.log" >&2; return 1
}
wait_for "http://127.0.0.1:$WM_PORT/__admin/health" "$WM_PID" wiremock
wait_for "http://127.0.0.1:$APP_PORT/q/health/ready" "$APP_PID" app
log "app ready"

# --- measure -------------------------------------------------------------------------------------------------------
LOADGEN_RC=0
java -Xss512k -Xmx1g bench/LoadGen.java \
    --base-url "http://127.0.0.1:$APP_PORT" \
    --warmup "${BENCH_WARMUP:-5}" --duration "${BENCH_DURATION:-15}" --conns "${BENCH_CONNS:-32}" \
    --sandbox-conns "${BENCH_SANDBOX_CONNS:-32,128,256}" \
    --storm "${BENCH_STORM:-1000}" --storm-conns "${BENCH_STORM_CONNS:-32}" --app-warmup "${BENCH_APP_WARMUP:-6}" \
    --only "${BENCH_ONLY:-live,packages,initiate,check,sandbox,storm}" \
    --app-pid "$APP_PID" --wm-pid "$WM_PID" --pg-data "$WORK/data/postgres" --db-port "$DB_PORT" \
    --out "$WORK/table.md" || LOADGEN_RC=$?
[ -f "$WORK/table.md" ] || exit "$LOADGEN_RC"

{
    cat "$WORK/header.md"
    echo "- app settings: ${BENCH_ENV[*]}${BENCH_JAVA_OPTS:+, JVM: $BENCH_JAVA_OPTS}"
    echo "- app log: $(grep -c ' WARN ' "$WORK/app.log" || true) WARN and $(grep -c ' ERROR ' "$WORK/app.log" || true) ERROR lines"
    echo "- load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    cat "$WORK/table.md"
} >"$WORK/latest.md"
mkdir -p "$(dirname "$OUT")"
cp "$WORK/latest.md" "$OUT"
log "results in $OUT"
exit "$LOADGEN_RC"
