#!/usr/bin/env bash
# The access benchmark (README "Benchmarks"): build (if stale), start the fake RouterOS (bench/FakeRouter.java) and
# the app in embedded mode on a throwaway data dir, seed 10,000 poll routers × 20 grants in SQL, drive the poll
# endpoint and the push path with bench/PollLoad.java, write bench/results/poll-latest.md, and stop everything it
# started (also on failure or Ctrl-C). Loopback only. Takes about 12 minutes.
#
# Knobs (environment): BENCH_ROUTERS (10000), BENCH_GRANTS (20), BENCH_WARMUP (5 s), BENCH_DURATION (15 s),
# BENCH_CONNS (32), BENCH_APP_WARMUP (5: seconds per path of each unmeasured JIT warm-up round), BENCH_SWEEPS (3),
# BENCH_CHANGE_SETTLE ("1,0": pauses between the change and the polls of the changed lines, one line each),
# BENCH_PUSH_ROUTERS (100), BENCH_PAYMENTS (1000), BENCH_WARMUP_PAYMENTS (500, unmeasured, before them),
# BENCH_PAYMENT_RATE ("20,50,100" per s, one round of BENCH_PAYMENTS each), BENCH_PAYMENT_CONNS (8),
# BENCH_ONLY (comma list of live,full,etag,version,changed,push), BENCH_OUT (bench/results/poll-latest.md),
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
    HOTSPOT_PAYMENTS_RECONCILE_ENABLED=false
    HOTSPOT_ROUTER_ALLOW_LOOPBACK=true
)
read -r -a EXTRA_ENV <<<"${BENCH_APP_ENV:-}"
BENCH_ENV+=("${EXTRA_ENV[@]}")

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

free_port() { # a free loopback port, not one of the ports given as arguments
    local p
    while true; do
        p=$((20000 + RANDOM % 40000))
        case " $* " in *" $p "*) continue ;; esac
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return
        fi
    done
}

WORK=$(mktemp -d -t hotspot-pollbench.XXXXXX)

# CPU ticks (user+system) of every process, one awk over /proc: "pid ticks comm ppid".
proc_ticks() {
    awk 'FNR == 1 { p = match($0, /\)[^)]*$/); split(substr($0, p + 2), f, " ");
        c = substr($0, index($0, "(") + 1, p - index($0, "(") - 1); gsub(/ /, "_", c);
        print $1, f[12] + f[13], c, f[2] }' /proc/[0-9]*/stat 2>/dev/null || true # processes come and go
}
# Cores busy on the whole machine over about N seconds; writes the top 3 processes to $WORK/hogs.
machine_busy() {
    local a b t0 t1
    t0=$(date +%s%N)
    a=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9}' /proc/stat)
    proc_ticks >"$WORK/ticks1"
    sleep "$1"
    b=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9}' /proc/stat)
    proc_ticks >"$WORK/ticks2"
    t1=$(date +%s%N)
    awk -v s="$(((t1 - t0) / 1000000))" 'NR == FNR {t[$1] = $2; next}
        ($1 in t) && $2 - t[$1] > 0 {printf "%.2f %s %s\n", ($2 - t[$1]) / s * 10, $1, $3}' \
        "$WORK/ticks1" "$WORK/ticks2" | sort -rn | head -3 | awk '{print "  - " $1 " cores: pid " $2 " (" $3 ")"}' >"$WORK/hogs"
    awk -v a="$a" -v b="$b" -v s="$(((t1 - t0) / 1000000))" 'BEGIN {printf "%.2f", (b - a) / s * 10}'
}
APP_PID=""
FAKE_PID=""
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
    if [ -n "${LG_PID:-}" ] && [ -z "${LG_DONE:-}" ]; then
        kill -TERM "$LG_PID" 2>/dev/null || true
    fi
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
    stop_pid "$FAKE_PID" "the fake router"
    if [ "$rc" -ne 0 ] || [ "${BENCH_KEEP:-0}" = 1 ]; then
        log "kept $WORK (app.log, fake.log, data/) — remove it when done"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build -----------------------------------------------------------------------------------------------------------
JAR=${BENCH_JAR:-target/quarkus-app/quarkus-run.jar}
if [ -n "${BENCH_JAR:-}" ]; then
    [ -f "$JAR" ] || { log "no $JAR"; exit 1; }
    log "running $JAR (BENCH_JAR)"
elif [ ! -f "$JAR" ] || [ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]; then
    log "building (./mvnw -B -q package -DskipTests)"
    ./mvnw -B -q package -DskipTests
else
    log "$JAR is up to date"
fi

# --- machine facts, before we start anything -----------------------------------------------------------------------
{
    echo "# hotspot-billing access benchmark (bench/poll.sh)"
    echo
    if [ -n "${BENCH_JAR:-}" ]; then
        echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), app: $JAR (BENCH_JAR), bench scripts at $(git rev-parse --short HEAD)"
    else
        echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml || echo ' (src modified)')"
    fi
    echo "- machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1)"
    echo "- free -g: $(free -g | awk '/^Mem:/ {print "total " $2 " GiB, used " $3 ", free " $4 ", available " $7}')"
    echo "- load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- CPU used by other processes in the 3 s before the run (machine: $(machine_busy 3) of $(nproc) cores busy):"
    cat "$WORK/hogs"
} >"$WORK/header.md"

# --- fake RouterOS -------------------------------------------------------------------------------------------------
FAKE_PORT=$(free_port)
log "starting the fake RouterOS on 127.0.0.1:$FAKE_PORT"
# TCP_NODELAY: without it the JDK's HTTP server sends headers and body in separate segments, and Nagle plus the
# client's delayed ACK add about 40 ms to every call (measured: 45 ms per call instead of 2).
java -Dsun.net.httpserver.nodelay=true -Xmx256m bench/FakeRouter.java "$FAKE_PORT" >"$WORK/fake.log" 2>&1 &
FAKE_PID=$!

# --- the app -------------------------------------------------------------------------------------------------------
APP_PORT=$(free_port "$FAKE_PORT")
DB_PORT=$(free_port "$FAKE_PORT" "$APP_PORT")
log "starting the app on 127.0.0.1:$APP_PORT, embedded PostgreSQL on $DB_PORT, data in $WORK/data"
# shellcheck disable=SC2086
env "${BENCH_ENV[@]}" \
    HOTSPOT_EMBEDDED_DATA_DIR="$WORK/data" HOTSPOT_EMBEDDED_DB_PORT="$DB_PORT" PORT="$APP_PORT" \
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
wait_for "http://127.0.0.1:$FAKE_PORT/__bench/requests" "$FAKE_PID" fake
wait_for "http://127.0.0.1:$APP_PORT/q/health/ready" "$APP_PID" app
log "app ready"
PG_SETTINGS=$(PGPASSWORD=postgres psql -h localhost -p "$DB_PORT" -U postgres -d hotspot_billing -At -F= -c \
    "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', \
    'max_connections') ORDER BY name" | tr '\n' ' ' || true)

# --- measure -------------------------------------------------------------------------------------------------------
LOADGEN_RC=0
proc_ticks >"$WORK/run1"
RUN_T0=$(date +%s%N)
java -Xss512k -Xmx1g bench/PollLoad.java \
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
    --out "$WORK/table.md" &
LG_PID=$!
wait "$LG_PID" || LOADGEN_RC=$?
LG_DONE=1
RUN_MS=$((($(date +%s%N) - RUN_T0) / 1000000))
proc_ticks >"$WORK/run2"
PM=$(head -1 "$WORK/data/postgres/postmaster.pid" 2>/dev/null || echo 0)
awk -v s="$RUN_MS" -v app="$APP_PID" -v fk="$FAKE_PID" -v pm="$PM" -v lg="$LG_PID" 'NR == FNR {t[$1] = $2; next}
    $1 != app && $1 != fk && $1 != pm && $4 != pm && $1 != lg && $4 != lg {
        d = ($2 - t[$1]) / s * 10; if (d >= 0.01) printf "%.2f %s %s\n", d, $1, $3 }' \
    "$WORK/run1" "$WORK/run2" | sort -rn | head -3 >"$WORK/others"
[ -f "$WORK/table.md" ] || exit "$LOADGEN_RC"

{
    cat "$WORK/header.md"
    echo "- app settings: ${BENCH_ENV[*]}${BENCH_JAVA_OPTS:+, JVM: $BENCH_JAVA_OPTS}; everything else default (DB pool 20, push workers 8)"
    echo "- embedded PostgreSQL $(PGPASSWORD=postgres psql -h localhost -p "$DB_PORT" -U postgres -d hotspot_billing -At -c 'SHOW server_version' 2>/dev/null || echo '?'): ${PG_SETTINGS:-?}(shared_buffers in 8 kB pages)"
    echo "- app log: $(grep -c ' WARN ' "$WORK/app.log" || true) WARN and $(grep -c ' ERROR ' "$WORK/app.log" || true) ERROR lines"
    echo "- load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- other processes that used CPU during the $((RUN_MS / 1000)) s of load generation (average cores):"
    awk '{print "  - " $1 " cores: pid " $2 " (" $3 ")"}' "$WORK/others"
    [ -s "$WORK/others" ] || echo "  - none above 0.01 cores"
    echo
    cat "$WORK/table.md"
} >"$WORK/result.md"
mkdir -p "$(dirname "$OUT")"
cp "$WORK/result.md" "$OUT"
log "results in $OUT"
exit "$LOADGEN_RC"
