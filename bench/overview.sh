#!/usr/bin/env bash
# The owner's overview at scale (README "Benchmarks", docs/overview.md): build (if stale), start the app in embedded
# mode on a throwaway data dir, seed one owner with a year of payments in SQL (bench/HistoryLoad's seed: 1,000,000
# payments, the rollup triggers running for each), half a million provider callbacks and 50,000 grants, then
# measure, one request at a time, GET /payments/overview/ for ranges of 1, 30 and 365 days (dates, and instants
# whose partial days are read from the rows), and EXPLAIN ANALYZE its statements at that size with
# bench/OverviewLoad.java; write bench/results/overview-latest.md and stop everything it started (also on failure
# or Ctrl-C). Loopback only. Takes about 6 minutes after the build, most of it the seeding.
#
# Knobs (environment): BENCH_PAYMENTS (1000000), BENCH_SAMPLES (300 per line), BENCH_WARMUP (100 per line),
# BENCH_OUT (bench/results/overview-latest.md), BENCH_APP_ENV (extra app settings), BENCH_JAVA_OPTS (extra JVM
# options for the app), BENCH_JAR (run another build of the app), BENCH_KEEP=1 keeps the temp dir.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${BENCH_OUT:-bench/results/overview-latest.md}

# The reconciler is off: nothing but the measured requests reads or writes the seeded payments.
BENCH_ENV=(
    HOTSPOT_PAYMENTS_RECONCILE_ENABLED=false
)
read -r -a EXTRA_ENV <<<"${BENCH_APP_ENV:-}"
BENCH_ENV+=("${EXTRA_ENV[@]}")

# shellcheck source=bench/lib.sh
source bench/lib.sh
start_app_alone hotspot-overviewbench "hotspot-billing overview benchmark (bench/overview.sh)"

run_loader java -Xmx512m -cp "$(compile_loader OverviewLoad HistoryLoad)" bench.OverviewLoad \
    --base-url "http://127.0.0.1:$APP_PORT" --db-port "$DB_PORT" \
    --payments "${BENCH_PAYMENTS:-1000000}" --samples "${BENCH_SAMPLES:-300}" --warmup "${BENCH_WARMUP:-100}" \
    --out "$WORK/table.md"
write_results "$OUT" "DB pool 20"
