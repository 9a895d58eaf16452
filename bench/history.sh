#!/usr/bin/env bash
# History at scale (README "Benchmarks"): build (if stale), start the app in embedded mode on a throwaway data dir,
# seed one owner with a year of payments in SQL (generate_series), and measure, one request at a time, the owner's
# payment list through the HTTP API (first page, deep keyset pages, filtered pages, a numbered page) and the
# reconciler's claim query (src/main/resources/sql/reconcile-claim.sql, the text the app runs) with bench/HistoryLoad.java;
# write bench/results/history-latest.md and stop everything it started (also on failure or Ctrl-C). Loopback only.
# Takes about 5 minutes, most of it the seeding.
#
# Knobs (environment): BENCH_PAYMENTS (1000000), BENCH_SAMPLES (500 per line), BENCH_WARMUP (500 per line),
# BENCH_OUT (bench/results/history-latest.md), BENCH_APP_ENV (extra app settings), BENCH_JAVA_OPTS (extra JVM options
# for the app), BENCH_JAR (run another build of the app), BENCH_KEEP=1 keeps the temp dir.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${BENCH_OUT:-bench/results/history-latest.md}

# The reconciler is off so that the measured claim query is the only one touching the open payments.
BENCH_ENV=(
    HOTSPOT_PAYMENTS_RECONCILE_ENABLED=false
)
read -r -a EXTRA_ENV <<<"${BENCH_APP_ENV:-}"
BENCH_ENV+=("${EXTRA_ENV[@]}")

# shellcheck source=bench/lib.sh
source bench/lib.sh
start_app_alone hotspot-historybench "hotspot-billing history benchmark (bench/history.sh)"

run_loader java -Xmx512m -cp "$(compile_loader HistoryLoad)" bench.HistoryLoad \
    --base-url "http://127.0.0.1:$APP_PORT" --db-port "$DB_PORT" \
    --payments "${BENCH_PAYMENTS:-1000000}" --samples "${BENCH_SAMPLES:-500}" --warmup "${BENCH_WARMUP:-500}" \
    --claim-sql src/main/resources/sql/reconcile-claim.sql --out "$WORK/table.md"
write_results "$OUT" "DB pool 20"
