#!/usr/bin/env bash
# The access benchmark (README "Benchmarks"): build (if stale), start the fake RouterOS (bench/FakeRouter.java) and
# the app in embedded mode on a throwaway data dir, seed 10,000 poll routers × 20 grants in SQL, drive the poll
# endpoint and the push path with bench/PollLoad.java, write bench/results/poll-latest.md, and stop everything it
# started (also on failure or Ctrl-C). Loopback only. Takes about 6 minutes.
#
# Knobs (environment): BENCH_ROUTERS (10000), BENCH_GRANTS (20), BENCH_WARMUP (5 s), BENCH_DURATION (15 s),
# BENCH_CONNS (32), BENCH_APP_WARMUP (5: seconds per path of each unmeasured JIT warm-up round), BENCH_SWEEPS (3),
# BENCH_CHANGE_SETTLE ("1,0": pauses between the change and the polls of the changed lines, one line each),
# BENCH_PUSH_ROUTERS (100), BENCH_PAYMENTS (1000), BENCH_WARMUP_PAYMENTS (500, unmeasured, before them),
# BENCH_PAYMENT_RATE ("20,50,100" per s, one round of BENCH_PAYMENTS each), BENCH_PAYMENT_CONNS (8),
# BENCH_ONLY (comma list of live,full,etag,version,confirming,changed,push),
# BENCH_OUT (bench/results/poll-latest.md),
# BENCH_APP_ENV (extra app settings), BENCH_JAVA_OPTS (extra JVM options for the app, e.g. JFR), BENCH_JAR (run
# another build of the app, e.g. an older commit's, instead of building this one), BENCH_KEEP=1 keeps the temp dir.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${BENCH_OUT:-bench/results/poll-latest.md}

# --- app settings for the benchmark ---------------------------------------------------------------------------------
# Payments go through the portal API (rate limits raised far above the run, still checked); the reconciler is off;
# the push routers are the fake on 127.0.0.1, which only a lab setting allows.
BENCH_ENV=(
    HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_PUBLIC_KEY_CAPACITY=1000000000
    HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_PHONE_CAPACITY=1000000
    HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_MAC_CAPACITY=1000000
    HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_IP_CAPACITY=1000000000
    HOTSPOT_PAYMENTS_RECONCILE_ENABLED=false
    HOTSPOT_ROUTER_ALLOW_LOOPBACK=true
)
read -r -a EXTRA_ENV <<<"${BENCH_APP_ENV:-}"
BENCH_ENV+=("${EXTRA_ENV[@]}")

# shellcheck source=bench/lib.sh
source bench/lib.sh
FAKE_NAME="the fake router"
FAKE_LOG=fake.log
bench_init hotspot-pollbench

build_app
machine_header "hotspot-billing access benchmark (bench/poll.sh)"

# --- fake RouterOS -------------------------------------------------------------------------------------------------
FAKE_PORT=$(free_port)
log "starting the fake RouterOS on 127.0.0.1:$FAKE_PORT"
# TCP_NODELAY: without it the JDK's HTTP server sends headers and body in separate segments, and Nagle plus the
# client's delayed ACK add about 40 ms to every call (measured: 45 ms per call instead of 2).
java -Dsun.net.httpserver.nodelay=true -Xmx256m bench/FakeRouter.java "$FAKE_PORT" >"$WORK/fake.log" 2>&1 &
FAKE_PID=$!

# --- the app -------------------------------------------------------------------------------------------------------
start_app "$FAKE_PORT"
wait_for "http://127.0.0.1:$FAKE_PORT/__bench/requests" "$FAKE_PID" fake
wait_for "http://127.0.0.1:$APP_PORT/q/health/ready" "$APP_PID" app
log "app ready"
read_pg_settings

# --- measure -------------------------------------------------------------------------------------------------------
run_loader java -Xss512k -Xmx1g -cp "$(compile_loader PollLoad)" bench.PollLoad \
    --base-url "http://127.0.0.1:$APP_PORT" --fake-url "http://127.0.0.1:$FAKE_PORT" \
    --routers "${BENCH_ROUTERS:-10000}" --grants "${BENCH_GRANTS:-20}" \
    --warmup "${BENCH_WARMUP:-5}" --duration "${BENCH_DURATION:-15}" --conns "${BENCH_CONNS:-32}" \
    --app-warmup "${BENCH_APP_WARMUP:-5}" --sweeps "${BENCH_SWEEPS:-3}" \
    --change-settle "${BENCH_CHANGE_SETTLE:-1,0}" \
    --push-routers "${BENCH_PUSH_ROUTERS:-100}" --payments "${BENCH_PAYMENTS:-1000}" \
    --warmup-payments "${BENCH_WARMUP_PAYMENTS:-500}" \
    --payment-rate "${BENCH_PAYMENT_RATE:-20,50,100}" --payment-conns "${BENCH_PAYMENT_CONNS:-8}" \
    --only "${BENCH_ONLY:-live,full,etag,version,changed,push}" \
    --app-pid "$APP_PID" --fake-pid "$FAKE_PID" --pg-data "$WORK/data/postgres" --db-port "$DB_PORT" \
    --out "$WORK/table.md"
write_results "$OUT" "DB pool 20, push workers 8"
