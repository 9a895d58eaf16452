# Shared by bench/run.sh and bench/poll.sh (sourced, not run): the throwaway work dir and its cleanup, the build,
# the machine facts, the app in embedded mode, the load generator's run with the CPU of everything else, and the
# results file. Each script sets BENCH_ENV (app settings), FAKE_PID / FAKE_NAME / FAKE_LOG (its fake provider or
# router) and calls these in order.

# The app's launch as the README gives it (MALLOC_ARENA_MAX=2 java $APP_JAVA_OPTS -jar ...): every script starts
# the app with these JVM options, before BENCH_JAVA_OPTS (extra options for one run, e.g. JFR), and the results say
# which. Why these: README "Memory and start".
APP_JAVA_OPTS="-XX:+UseSerialGC -Xmx128m -XX:+ExitOnOutOfMemoryError"
APP_LAUNCH_ENV=(MALLOC_ARENA_MAX=2)

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

stop_pid() { # pid, name: TERM, wait up to 30 s, then KILL
    local pid=$1 name=$2 i
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
}

wait_for() { # url, pid, name (its log is $WORK/<name>.log)
    local i
    for i in $(seq 1 240); do
        if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
        kill -0 "$2" 2>/dev/null || { log "$3 exited during start"; tail -30 "$WORK/$3.log" >&2; return 1; }
        sleep 0.5
    done
    log "$3 not ready after 120 s"; tail -30 "$WORK/$3.log" >&2; return 1
}

# Creates $WORK (name prefix as argument) and stops everything started from here on at exit, also on failure or
# Ctrl-C: the load generator, the app, its PostgreSQL (if the app could not), the fake. Keeps $WORK on failure or
# with BENCH_KEEP=1.
bench_init() {
    WORK=$(mktemp -d -t "$1.XXXXXX")
    APP_PID=""
    RSS_SAMPLERS=()
    FAKE_PID=""
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}
bench_cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "${LG_PID:-}" ] && [ -z "${LG_DONE:-}" ]; then
        kill -TERM "$LG_PID" 2>/dev/null || true
    fi
    stop_pid "$APP_PID" "the app"
    local sampler
    for sampler in "${RSS_SAMPLERS[@]}"; do
        kill "$sampler" 2>/dev/null || true
    done
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
    stop_pid "$FAKE_PID" "$FAKE_NAME"
    if [ "$rc" -ne 0 ] || [ "${BENCH_KEEP:-0}" = 1 ]; then
        log "kept $WORK (app.log, $FAKE_LOG, data/) — remove it when done"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}

# JAR: this checkout's build (rebuilt when src/ or pom.xml is newer), or BENCH_JAR (another build, e.g. an older
# commit's).
build_app() {
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
}

# $WORK/header.md: title (argument), date and what ran, the machine, and what else was busy before we start.
machine_header() {
    {
        echo "# $1"
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
}

# Starts the app in embedded mode on free ports (not the ones given) with BENCH_ENV and any extra NAME=value
# settings after "--": APP_PORT, DB_PORT, APP_PID. Its memory is sampled from then on (sample_rss).
start_app() {
    local taken=()
    while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do taken+=("$1"); shift; done
    [ "$#" -gt 0 ] && shift
    APP_EXTRA_ENV=("$@")
    APP_PORT=$(free_port "${taken[@]}")
    DB_PORT=$(free_port "${taken[@]}" "$APP_PORT")
    log "starting the app on 127.0.0.1:$APP_PORT, embedded PostgreSQL on $DB_PORT, data in $WORK/data"
    launch_app "$WORK/app.log"
}

# For a benchmark with no fake (history.sh, overview.sh): the work dir (name prefix, first argument), the build, the
# machine facts under the title (second argument), and the app started and ready, with its PostgreSQL's settings read.
start_app_alone() {
    FAKE_NAME="(no fake)"
    FAKE_LOG="(none)"
    bench_init "$1"
    build_app
    machine_header "$2"
    start_app
    wait_for "http://127.0.0.1:$APP_PORT/q/health/ready" "$APP_PID" app
    log "app ready"
    read_pg_settings
}

# The app's launch itself (argument: its log file), on APP_PORT and DB_PORT with the data in $WORK/data: APP_PID.
launch_app() {
    # shellcheck disable=SC2086
    env "${APP_LAUNCH_ENV[@]}" "${BENCH_ENV[@]}" "${APP_EXTRA_ENV[@]}" \
        HOTSPOT_EMBEDDED_DATA_DIR="$WORK/data" HOTSPOT_EMBEDDED_DB_PORT="$DB_PORT" PORT="$APP_PORT" \
        java $APP_JAVA_OPTS ${BENCH_JAVA_OPTS:-} -jar "$JAR" >"$1" 2>&1 &
    APP_PID=$!
    sample_rss "$APP_PID" &
    RSS_SAMPLERS+=($!)
}

# The resident memory (VmRSS) of a process once a second until it exits, appended to $WORK/rss.log as
# "epoch-ms pid kB": the whole run, start and warm-ups included. The generator reads it for each line's maximum.
sample_rss() {
    local key value unit now
    while [ -r "/proc/$1/status" ]; do
        while read -r key value unit; do
            if [ "$key" = VmRSS: ]; then
                now=${EPOCHREALTIME/[.,]/}
                echo "$((now / 1000)) $1 $value" >>"$WORK/rss.log"
                break
            fi
        done 2>/dev/null <"/proc/$1/status" || true
        sleep 1
    done
}

# The app's largest RSS over the whole run (every process started by launch_app) against the 300 MB target.
max_rss() {
    awk '$3 > m {m = $3} END {if (m) printf "%.0f MB (target ≤ 300 MB: %s)", m / 1024, m <= 300 * 1024 ? "met" : "**missed**";
        else print "?"}' "$WORK/rss.log" 2>/dev/null || echo '?'
}

# True when GET /q/health/ready on APP_PORT answers 200 now; bash's own /dev/tcp, so polling it every 20 ms forks
# nothing that would compete with the app's start for the CPU.
ready_now() {
    local status=""
    { printf 'GET /q/health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3 &&
        read -r -t 2 status <&3; } 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$APP_PORT" || return 1
    [[ $status == "HTTP/1."?" 200"* ]]
}

# Log timestamp ("2026-12-03 08:49:45,628" at the start of a line matching the pattern, first match) as epoch
# microseconds, or nothing.
log_time_us() {
    local stamp
    stamp=$(grep -m1 -E "$2" "$1" | cut -c1-23 | tr , .)
    [ -n "$stamp" ] || return 0
    date -d "$stamp" +%s%6N
}

# Start time on an existing database: stops the app (TERM, wait), starts it again on the same data dir, keys and
# ports, and measures from exec to the first 200 of /q/health/ready (polled every 20 ms), N times (argument). From
# the same polls: when the embedded PostgreSQL's postmaster.pid appeared and when it said "ready"; from the app's
# log: the embedded mode's banner (database there), Flyway's first and last line, Quarkus' "started in". Writes
# $WORK/start.md (each restart, then the median of each phase) and START_MEDIAN (seconds, or "?").
measure_restarts() {
    local n=$1 i t0 now pid_seen pg_ready ready line logfile fd banner flyway0 flyway1 quarkus own rss
    exec {fd}<> <(:) # a pipe nobody writes to: read -t on it sleeps without forking
    : >"$WORK/start.tsv"
    START_MEDIAN="?"
    for i in $(seq 1 "$n"); do
        stop_pid "$APP_PID" "the app"
        for _ in $(seq 1 100); do [ -f "$WORK/data/postgres/postmaster.pid" ] || break; sleep 0.1; done
        logfile="$WORK/app-restart-$i.log"
        t0=${EPOCHREALTIME/[.,]/}
        launch_app "$logfile"
        pid_seen="" pg_ready="" ready=""
        while [ -z "$ready" ]; do
            now=${EPOCHREALTIME/[.,]/}
            if [ -z "$pid_seen" ] && [ -f "$WORK/data/postgres/postmaster.pid" ]; then pid_seen=$now; fi
            if [ -n "$pid_seen" ] && [ -z "$pg_ready" ]; then
                while read -r line; do [[ $line == ready* ]] && pg_ready=$now; done \
                    2>/dev/null <"$WORK/data/postgres/postmaster.pid" || true
            fi
            if ready_now; then
                ready=${EPOCHREALTIME/[.,]/}
            elif ! kill -0 "$APP_PID" 2>/dev/null || [ $((now - t0)) -gt 120000000 ]; then
                log "restart $i: the app did not get ready"
                tail -20 "$logfile" >&2
                exec {fd}>&-
                restart_table "$n" "restart $i failed: the app did not get ready (app-restart-$i.log)"
                return 1
            fi
            read -r -t 0.02 -u "$fd" || true
        done
        banner=$(log_time_us "$logfile" 'EmbeddedDevEnvironment')
        flyway0=$(log_time_us "$logfile" '\[or\.fl\.|org\.flywaydb')
        flyway1=$(grep -E '\[or\.fl\.|org\.flywaydb' "$logfile" | tail -1 | cut -c1-23 | tr , . || true)
        [ -z "$flyway1" ] || flyway1=$(date -d "$flyway1" +%s%6N)
        quarkus=$(log_time_us "$logfile" 'started in [0-9.]+s')
        own=$(grep -m1 -oE 'started in [0-9.]+s' "$logfile" | grep -oE '[0-9.]+' || true)
        rss=$(awk -v p="$APP_PID" '$2 == p {m = $3} END {print m ? m : ""}' "$WORK/rss.log")
        # One line per restart, seconds after exec ("-" = not found): ready, pid file, PostgreSQL ready, banner,
        # Flyway first, Flyway last, Quarkus started, Quarkus' own figure, RSS kB.
        awk -v t0="$t0" -v v="$ready ${pid_seen:--} ${pg_ready:--} ${banner:--} ${flyway0:--} ${flyway1:--} ${quarkus:--}" \
            -v own="${own:--}" -v rss="${rss:--}" 'BEGIN { n = split(v, t, " ");
                for (k = 1; k <= n; k++) printf "%s ", t[k] == "-" ? "-" : sprintf("%.3f", (t[k] - t0) / 1e6);
                print own, rss }' >>"$WORK/start.tsv"
        log "restart $i: ready after $(cut -d' ' -f1 <<<"$(tail -1 "$WORK/start.tsv")") s (Quarkus: started in ${own:-?} s)"
    done
    exec {fd}>&-
    restart_table "$n" ""
}

# $WORK/start.md from $WORK/start.tsv (measure_restarts): the restarts, the median of each phase, START_MEDIAN.
restart_table() {
    {
        echo "Start to ready on the existing database and keys: $1 restarts after the load lines, each timed from exec"
        echo "to the first 200 of \`/q/health/ready\` (polled every 20 ms). Seconds after exec: the embedded"
        echo "PostgreSQL's postmaster.pid appeared / said \"ready\" (the same polls); the embedded mode's log line once"
        echo "its database is there; Flyway's first and last log line; Quarkus' \"started in\" line (Quarkus' own"
        echo "figure in brackets, counted from the JVM's start)."
        echo
        echo "| restart | ready s | PostgreSQL started / ready | database there | Flyway | Quarkus started | RSS at ready MB |"
        echo "|--:|--:|---|--:|---|---|--:|"
        awk '{ printf "| %d | **%s** | %s / %s | %s | %s – %s | %s (%s s) | %s |\n", NR, $1, $2, $3, $4, $5, $6, $7, $8,
            $9 == "-" ? "?" : sprintf("%.0f", $9 / 1024) }' "$WORK/start.tsv"
        [ -z "$2" ] || echo "| | $2 | | | | | |"
        echo
        # The phases, median over the restarts (each a difference of two columns above).
        awk 'function med(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
                 t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }; return n ? a[int((n + 1) / 2)] : "?" }
            function add(name, from, to,   f) { f = from ? $from : 0  # column 0: exec itself
                if (f != "-" && $to != "-") { k[name]++; v[name, k[name]] = $to - f } }
            { ready[NR] = $1; add("jvm", 0, 2); add("pg", 2, 3); add("db", 3, 4); add("boot", 4, 5); add("flyway", 5, 6);
              add("rest", 6, 7); add("first", 7, 1) }
            function m(name,   i, a) { for (i = 1; i <= k[name]; i++) a[i] = v[name, i]; return k[name] ? sprintf("%.2f", med(a, k[name])) : "?" }
            END { if (NR == 0) exit; printf "Median start to ready: **%s s** (target ≤ 2 s: %s). Where it goes " \
                "(medians, s): JVM and launcher to PostgreSQL started %s, PostgreSQL start %s, database check %s, " \
                "Quarkus boot up to Flyway %s, Flyway %s, Flyway to \"started\" %s, " \
                "\"started\" to the first ready answer %s.\n", med(ready, NR), med(ready, NR) <= 2 ? "met" : "**missed**",
                m("jvm"), m("pg"), m("db"), m("boot"), m("flyway"), m("rest"), m("first") }' "$WORK/start.tsv"
        local quoted
        quoted=$(grep -m1 -oE '[^ ]+ [^ ]+ on JVM .*started in [0-9.]+s' "$WORK/app-restart-1.log" 2>/dev/null || true)
        [ -z "$quoted" ] || printf '\nQuarkus, restart 1: `%s`.\n' "$quoted"
    } >"$WORK/start.md"
    START_MEDIAN=$(awk '{print $1}' "$WORK/start.tsv" | sort -n | awk '{v[NR] = $1} END {print NR ? v[int((NR + 1) / 2)] : "?"}')
}

# Once the app is ready: the settings of its embedded PostgreSQL, read from the server itself. Durability (fsync,
# synchronous_commit) decides what every write costs, so the results header names it on a line of its own: the
# app's embedded database is durable (boot/EmbeddedDevEnvironment); results from before that ran without it.
read_pg_settings() {
    PG_SETTINGS=$(PGPASSWORD=postgres psql -h localhost -p "$DB_PORT" -U postgres -d hotspot_billing -At -F= -c \
        "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', \
        'shared_buffers', 'max_connections') ORDER BY name" | tr '\n' ' ' || true)
    PG_DURABILITY=$(PGPASSWORD=postgres psql -h localhost -p "$DB_PORT" -U postgres -d hotspot_billing -At -c \
        "SELECT CASE WHEN current_setting('fsync') = 'on' AND current_setting('synchronous_commit') = 'on' \
        THEN 'durable' ELSE 'NOT durable' END || ' (fsync=' || current_setting('fsync') || ', synchronous_commit=' \
        || current_setting('synchronous_commit') || ')'" || echo '?')
}

# Compiles bench/<name>.java (and the other bench classes named after it) with bench/BenchKit.java into
# $WORK/classes; prints that directory.
compile_loader() {
    mkdir -p "$WORK/classes"
    javac -Xlint:none -d "$WORK/classes" bench/BenchKit.java $(printf 'bench/%s.java ' "$@") >&2
    echo "$WORK/classes"
}

# Runs the load generator (the command given), then writes to $WORK/others the processes other than ours (app,
# fake, our PostgreSQL, the generator) that used CPU meanwhile; one that started during the run counts with all its
# CPU time. LOADGEN_RC: its exit code; RUN_MS: how long it ran.
run_loader() {
    LOADGEN_RC=0
    proc_ticks >"$WORK/run1"
    local t0 pm
    t0=$(date +%s%N)
    "$@" &
    LG_PID=$!
    wait "$LG_PID" || LOADGEN_RC=$?
    LG_DONE=1
    RUN_MS=$((($(date +%s%N) - t0) / 1000000))
    proc_ticks >"$WORK/run2"
    pm=$(head -1 "$WORK/data/postgres/postmaster.pid" 2>/dev/null || echo 0)
    awk -v s="$RUN_MS" -v app="$APP_PID" -v fk="$FAKE_PID" -v pm="$pm" -v lg="$LG_PID" 'NR == FNR {t[$1] = $2; next}
        $1 != app && $1 != fk && $1 != pm && $4 != pm && $1 != lg && $4 != lg {
            d = ($2 - t[$1]) / s * 10; if (d >= 0.01) printf "%.2f %s %s\n", d, $1, $3 }' \
        "$WORK/run1" "$WORK/run2" | sort -rn | head -3 >"$WORK/others"
}

# The results file (argument: where): header, app and PostgreSQL settings (second argument: what else is default),
# the app log's warnings, what else ran, then the generator's table. Exits with the generator's code.
write_results() {
    [ -f "$WORK/table.md" ] || exit "$LOADGEN_RC"
    {
        cat "$WORK/header.md"
        echo "- app settings: ${BENCH_ENV[*]}; everything else default ($2)"
        echo "- app launch: ${APP_LAUNCH_ENV[*]}, APP_JAVA_OPTS \`${APP_JAVA_OPTS:-}\`${BENCH_JAVA_OPTS:+, BENCH_JAVA_OPTS \`$BENCH_JAVA_OPTS\`} (java \$APP_JAVA_OPTS \$BENCH_JAVA_OPTS -jar $JAR)"
        echo "- durability: ${PG_DURABILITY:-?}"
        echo "- app memory: max RSS $(max_rss) over the whole run (VmRSS sampled every second from the start, warm-ups and restarts included)"
        [ -z "${START_MEDIAN:-}" ] || echo "- start to ready on the existing database: median $START_MEDIAN s (target ≤ 2 s; details under the table)"
        echo "- embedded PostgreSQL $(PGPASSWORD=postgres psql -h localhost -p "$DB_PORT" -U postgres -d hotspot_billing -At -c 'SHOW server_version' 2>/dev/null || echo '?'): ${PG_SETTINGS:-?}(shared_buffers in 8 kB pages)"
        echo "- app log: $(grep -c ' WARN ' "$WORK/app.log" || true) WARN and $(grep -c ' ERROR ' "$WORK/app.log" || true) ERROR lines"
        echo "- load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "- other processes that used CPU during the $((RUN_MS / 1000)) s of load generation (average cores):"
        awk '{print "  - " $1 " cores: pid " $2 " (" $3 ")"}' "$WORK/others"
        [ -s "$WORK/others" ] || echo "  - none above 0.01 cores"
        echo
        cat "$WORK/table.md"
        if [ -f "$WORK/start.md" ]; then
            echo
            cat "$WORK/start.md"
        fi
    } >"$WORK/result.md"
    mkdir -p "$(dirname "$1")"
    cp "$WORK/result.md" "$1"
    log "results in $1"
    exit "$LOADGEN_RC"
}
