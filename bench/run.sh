#!/usr/bin/env bash
# The hotspot-billing benchmark, end to end: build (if stale), start a WireMock IntaSend fake and the app in
# embedded mode on a throwaway data dir, drive every scenario with bench/LoadGen.java, verify the completion storm
# settled exactly once, write bench/results/latest.md, and stop everything it started (also on failure or Ctrl-C).
# Loopback only. Takes about 9 minutes. See README "Benchmarks".
#
# Knobs (environment): BENCH_WARMUP (5 s), BENCH_DURATION (15 s), BENCH_CONNS (32), BENCH_SANDBOX_CONNS
# ("32,128,256"), BENCH_STORM (1000), BENCH_STORM_CONNS (32), BENCH_OUT (bench/results/latest.md),
# BENCH_APP_WARMUP (5: seconds per path of each unmeasured JIT warm-up round), BENCH_ONLY (comma list of
# live,packages,initiate,check,sandbox,storm), BENCH_APP_ENV (extra app settings), BENCH_JAVA_OPTS (extra JVM
# options for the app, e.g. JFR), BENCH_JAR (run another build of the app instead of building this one),
# BENCH_KEEP=1 keeps the temp dir (logs, database).
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${BENCH_OUT:-bench/results/latest.md}
WIREMOCK_JAR=${WIREMOCK_JAR:-$HOME/.m2/repository/org/wiremock/wiremock-standalone/3.13.1/wiremock-standalone-3.13.1.jar}

# --- app settings for the benchmark ---------------------------------------------------------------------------------
# Rate limits raised far above anything the run sends (they stay on: each initiate still pays for its four bucket
# checks), the reconciler off (it would compete with the measured requests for the pool).
BENCH_ENV=(
    HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_PUBLIC_KEY_CAPACITY=1000000000
    HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_PHONE_CAPACITY=1000000
    HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_MAC_CAPACITY=1000000
    HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_IP_CAPACITY=1000000000
    HOTSPOT_PAYMENTS_RECONCILE_ENABLED=false
)
# Extra settings to try (space-separated NAME=value), e.g. BENCH_APP_ENV="HOTSPOT_DB_POOL_SIZE=40".
read -r -a EXTRA_ENV <<<"${BENCH_APP_ENV:-}"
BENCH_ENV+=("${EXTRA_ENV[@]}")

# shellcheck source=bench/lib.sh
source bench/lib.sh
FAKE_NAME=WireMock
FAKE_LOG=wiremock.log
bench_init hotspot-bench

build_app
[ -f "$WIREMOCK_JAR" ] || { log "missing $WIREMOCK_JAR (run ./mvnw verify once: the tests use it)"; exit 1; }
machine_header "hotspot-billing benchmark"

# --- IntaSend fake -------------------------------------------------------------------------------------------------
WM_PORT=$(free_port)
mkdir -p "$WORK/wiremock"
cp -r bench/wiremock/mappings "$WORK/wiremock/"
log "starting WireMock on 127.0.0.1:$WM_PORT (STK push answers after 150 ms)"
java -Xmx512m -jar "$WIREMOCK_JAR" --port "$WM_PORT" --bind-address 127.0.0.1 --root-dir "$WORK/wiremock" \
    --container-threads 200 --async-response-enabled true --no-request-journal --disable-request-logging \
    --disable-banner ${BENCH_WIREMOCK_OPTS:-} >"$WORK/wiremock.log" 2>&1 &
FAKE_PID=$!

# --- the app -------------------------------------------------------------------------------------------------------
start_app "$WM_PORT" -- HOTSPOT_INTASEND_SANDBOX_URL="http://127.0.0.1:$WM_PORT/api/v1"
wait_for "http://127.0.0.1:$WM_PORT/__admin/health" "$FAKE_PID" wiremock
wait_for "http://127.0.0.1:$APP_PORT/q/health/ready" "$APP_PID" app
log "app ready"
read_pg_settings

# --- measure -------------------------------------------------------------------------------------------------------
run_loader java -Xss512k -Xmx1g -cp "$(compile_loader LoadGen)" bench.LoadGen \
    --base-url "http://127.0.0.1:$APP_PORT" \
    --warmup "${BENCH_WARMUP:-5}" --duration "${BENCH_DURATION:-15}" --conns "${BENCH_CONNS:-32}" \
    --sandbox-conns "${BENCH_SANDBOX_CONNS:-32,128,256}" \
    --storm "${BENCH_STORM:-1000}" --storm-conns "${BENCH_STORM_CONNS:-32}" --app-warmup "${BENCH_APP_WARMUP:-5}" \
    --only "${BENCH_ONLY:-live,packages,initiate,check,sandbox,storm}" \
    --app-pid "$APP_PID" --wm-pid "$FAKE_PID" --pg-data "$WORK/data/postgres" --db-port "$DB_PORT" \
    --out "$WORK/table.md"
write_results "$OUT" "DB pool 20, worker threads max 200"
