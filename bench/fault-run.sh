#!/usr/bin/env bash
# The fault-injection run at size (README "Fault-injection run"): build (if stale), then run
# src/test/java/org/hotspotbilling/fault/FaultRun with 1,000 purchases: two app instances on one embedded
# PostgreSQL, IntaSend faked with faults, push and poll routers with outages, one instance SIGKILLed mid-run and
# started again. Writes its table to bench/results/fault-run-latest.md (with the machine's facts) and the report of
# every broken payment to the work dir, and stops everything it started (also on failure or Ctrl-C). Loopback only.
# Takes about 7 minutes on a quiet 2-core machine. Exits 1 when the promise broke.
#
# Knobs (environment): FAULT_SEED (a fresh one; printed), FAULT_PURCHASES (1000), FAULT_PER_SECOND (5: purchases
# started per second), BENCH_OUT (bench/results/fault-run-latest.md), BENCH_KEEP=1 keeps the work dir (instance
# logs, purchases.log with every purchase's plan, IntaSend's side and the page's, report.md).
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${BENCH_OUT:-bench/results/fault-run-latest.md}

# shellcheck source=bench/lib.sh
source bench/lib.sh
FAKE_NAME="nothing else (the run starts its fakes itself)"
FAKE_LOG="data/purchases.log, data/report.md, data/instance-*.log"
bench_init hotspot-fault-run

build_app
[ -d target/test-classes/org/hotspotbilling/fault ] || ./mvnw -B -q test-compile
log "test classpath"
./mvnw -B -q dependency:build-classpath -Dmdep.outputFile="$WORK/classpath" -Dmdep.includeScope=test
machine_header "hotspot-billing fault-injection run (bench/fault-run.sh)"

# The run's work dir is $WORK/data, so lib.sh finds (and stops, after a failure) its PostgreSQL.
run_loader java -Xmx1g -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
    ${FAULT_SEED:+-Dfault.run.seed="$FAULT_SEED"} -Dfault.run.purchases="${FAULT_PURCHASES:-1000}" \
    -Dfault.run.per-second="${FAULT_PER_SECOND:-5}" -Dfault.run.work="$WORK/data" \
    -cp "target/test-classes:target/classes:$(cat "$WORK/classpath")" org.hotspotbilling.fault.FaultRun \
    "$WORK/table.md"

[ -f "$WORK/table.md" ] || exit "$LOADGEN_RC"
{
    cat "$WORK/header.md"
    echo "- app: two instances of $JAR, settings and database durability under the table"
    echo "- instance logs: $(cat "$WORK"/data/instance-*.log | grep -c ' WARN ' || true) WARN and" \
        "$(cat "$WORK"/data/instance-*.log | grep -c ' ERROR ' || true) ERROR lines"
    echo "- load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- other processes that used CPU during the $((RUN_MS / 1000)) s of the run (average cores):"
    awk '{print "  - " $1 " cores: pid " $2 " (" $3 ")"}' "$WORK/others"
    [ -s "$WORK/others" ] || echo "  - none above 0.01 cores"
    echo
    cat "$WORK/table.md"
} >"$OUT"
log "results in $OUT"
exit "$LOADGEN_RC"
