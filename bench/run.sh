#!/usr/bin/env bash
# The hotspot-billing benchmark, end to end: build (if stale), start a WireMock IntaSend fake and the app in
# embedded mode on a throwaway data dir, drive every scenario with bench/LoadGen.java, verify the completion storm
# settled exactly once, then restart the app on its database to time its start, write bench/results/latest.md, and
# stop everything it started (also on failure or Ctrl-C). Loopback only. Takes about 12 minutes. See README
# "Benchmarks".
#
# Knobs (environment): BENCH_WARMUP (5 s), BENCH_DURATION (15 s), BENCH_CONNS (32), BENCH_SANDBOX_CONNS
# ("32,128,256"), BENCH_STORM (1000), BENCH_STORM_CONNS (32), BENCH_OUT (bench/results/latest.md),
# BENCH_APP_WARMUP (5: seconds per path of each unmeasured JIT warm-up round), BENCH_ONLY (comma list of
# live,packages,owner,initiate,check,sandbox,storm), BENCH_OWNER_ROUTERS (5) and BENCH_OWNER_PACKAGES (8 per
# router): the owner lines' shop, BENCH_RESTARTS (3: timed restarts after the load; 0 = none), BENCH_APP_ENV (extra
# app settings), BENCH_JAVA_OPTS (extra JVM options for the app, e.g. JFR; the app's own are APP_JAVA_OPTS at the
# top of bench/lib.sh), BENCH_JAR (run another build of the app instead of building this one), BENCH_KEEP=1 keeps
# the temp dir (logs, database).
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${BENCH_OUT:-bench/results/latest.md}
WIREMOCK_JAR=${WIREMOCK_JAR:-$HOME/.m2/repository/org/wiremock/wiremock-standalone/3.13.1/wiremock-standalone-3.13.1.jar}

# --- app settings for the benchmark ---------------------------------------------------------------------------------
# Rate limits raised far above anything the run sends (they stay on: each initiate still takes its four tokens, in
# one statement; the sharded buckets keep their default 8 rows, though every connection shares one public key and
# one address), the reconciler off (it would compete with the measured requests for the pool), and pg_stat_statements
# loaded into the embedded PostgreSQL, for the statements per request.
BENCH_ENV=(
    HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_PUBLIC_KEY_CAPACITY=1000000000
    HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_PHONE_CAPACITY=1000000
    HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_MAC_CAPACITY=1000000
    HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_IP_CAPACITY=1000000000
    HOTSPOT_PAYMENTS_RECONCILE_ENABLED=false
    HOTSPOT_EMBEDDED_DB_SETTINGS=shared_preload_libraries=pg_stat_statements
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

# --- statement counts ----------------------------------------------------------------------------------------------
# The extension in the app's database, and a role of the generator's own, so the app's statements are those of its
# role (postgres). A build without HOTSPOT_EMBEDDED_DB_SETTINGS (BENCH_JAR) has no pg_stat_statements loaded: the
# table then says "—".
STATEMENTS=off
DB_USER=postgres
if PGPASSWORD=postgres psql -h localhost -p "$DB_PORT" -U postgres -d hotspot_billing -Atq -v ON_ERROR_STOP=1 -c \
    "SELECT 1 / (current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%')::int" >/dev/null 2>&1; then
    PGPASSWORD=postgres psql -h localhost -p "$DB_PORT" -U postgres -d hotspot_billing -Atq -v ON_ERROR_STOP=1 \
        -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" \
        -c "DO \$\$ BEGIN CREATE ROLE bench_gen LOGIN SUPERUSER; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$"
    STATEMENTS=on
    DB_USER=bench_gen
else
    log "pg_stat_statements is not loaded in this build's embedded PostgreSQL: no statement counts"
fi

# --- measure -------------------------------------------------------------------------------------------------------
run_loader java -Xss512k -Xmx1g -cp "$(compile_loader LoadGen)" bench.LoadGen \
    --base-url "http://127.0.0.1:$APP_PORT" \
    --warmup "${BENCH_WARMUP:-5}" --duration "${BENCH_DURATION:-15}" --conns "${BENCH_CONNS:-32}" \
    --sandbox-conns "${BENCH_SANDBOX_CONNS:-32,128,256}" \
    --storm "${BENCH_STORM:-1000}" --storm-conns "${BENCH_STORM_CONNS:-32}" --app-warmup "${BENCH_APP_WARMUP:-5}" \
    --only "${BENCH_ONLY:-live,packages,owner,initiate,check,sandbox,storm}" \
    --owner-routers "${BENCH_OWNER_ROUTERS:-5}" --owner-packages "${BENCH_OWNER_PACKAGES:-8}" \
    --app-pid "$APP_PID" --wm-pid "$FAKE_PID" --pg-data "$WORK/data/postgres" --db-port "$DB_PORT" \
    --db-user "$DB_USER" --statements "$STATEMENTS" --rss-log "$WORK/rss.log" \
    --out "$WORK/table.md"

# --- start time ----------------------------------------------------------------------------------------------------
if [ "${BENCH_RESTARTS:-3}" -gt 0 ] && [ -f "$WORK/table.md" ]; then
    measure_restarts "${BENCH_RESTARTS:-3}" || log "start time: a restart failed (see the results)"
fi
write_results "$OUT" "DB pool 20, worker threads max 200"
