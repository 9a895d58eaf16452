#!/usr/bin/env bash
# CI: builds the images, brings docker/compose.yaml up and runs the end-to-end check (docker/e2e.py) through its
# proxy, then tears everything down. Needs the target/quarkus-app of `./mvnw package` (or verify). Installs
# Debian's docker.io, docker-compose and mmdebstrap when missing, and starts a Docker engine for the run when none
# is running (stopped again at the end). No registry is needed: the one base image is made from Debian's packages.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || exec sudo --preserve-env "$0" "$@"
cd "$(dirname "$0")/.."

started=$SECONDS
log() { echo "[ci-e2e $(date -u +%H:%M:%S) +$((SECONDS - started))s] $*"; }
fail() { log "FAILED: $*" >&2; exit 1; }

[ -f target/quarkus-app/quarkus-run.jar ] || fail "target/quarkus-app is missing: run ./mvnw package first"

if ! command -v dockerd >/dev/null || ! command -v docker-compose >/dev/null || ! command -v mmdebstrap >/dev/null; then
  log "installing docker.io docker-compose mmdebstrap"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose mmdebstrap >/dev/null
fi

# The classic builder: the images use nothing of BuildKit's, and Debian's docker.io has no buildx.
export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0
project=hotspot-billing-e2e
compose=(docker-compose --project-name "$project" --file docker/compose.yaml)
work=$(mktemp -d)
dockerd_pid=""

cleanup() {
  status=$?
  if [ "$status" -ne 0 ] && [ -n "${stack_up:-}" ]; then
    log "state and logs of the stack:"
    "${compose[@]}" ps || true
    "${compose[@]}" logs --no-color --tail=150 || true
  fi
  if [ -n "${stack_up:-}" ]; then
    "${compose[@]}" down --volumes --remove-orphans >/dev/null 2>&1 || log "docker-compose down failed"
  fi
  if [ -n "$dockerd_pid" ]; then
    [ "$status" -eq 0 ] || { log "dockerd log (tail):"; tail -n 30 "$work/dockerd.log" || true; }
    kill "$dockerd_pid" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$dockerd_pid" 2>/dev/null && log "dockerd $dockerd_pid did not stop within 30s"
  fi
  rm -rf "$work"
  [ "$status" -eq 0 ] && log "done" || log "failed (exit $status)"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if docker info >/dev/null 2>&1; then
  log "using the Docker engine already running"
else
  log "starting dockerd"
  dockerd >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && break
    kill -0 "$dockerd_pid" 2>/dev/null || { cat "$work/dockerd.log" >&2; fail "dockerd exited"; }
    sleep 1
  done
  docker info >/dev/null 2>&1 || { tail -n 30 "$work/dockerd.log" >&2; fail "dockerd did not answer within 60s"; }
fi

# Stands in for the public debian:bookworm-slim, which cannot be pulled here (no registry is reachable): the same
# Debian release made from Debian's own packages, under the name the Dockerfiles use.
if ! docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
  log "building the base image debian:bookworm-slim with mmdebstrap"
  mmdebstrap --quiet --variant=minbase bookworm - | docker import - debian:bookworm-slim >/dev/null \
    || fail "could not build debian:bookworm-slim with mmdebstrap"
fi

log "building the app, postgres and proxy images"
# The three images at once (mostly apt downloading), then app1 and app2, which share keys' image: all cached.
{ "${compose[@]}" build --parallel postgres proxy keys && "${compose[@]}" build app1 app2; } >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; fail "image build failed"; }

# Never the default 8000, which a developer's ./mvnw quarkus:dev may hold.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export HOTSPOT_HTTP_PORT=$port HOTSPOT_DB_PASSWORD="e2e-$RANDOM$RANDOM"
log "starting the stack (proxy on port $port; waits for PostgreSQL, the keys and both instances to be healthy)"
stack_up=1
"${compose[@]}" down --volumes --remove-orphans >/dev/null 2>&1 || true  # what an interrupted run left
# docker-compose gives up as soon as a dependency's health check fails, even once while the host is busy; up
# again waits on what is still starting.
up_until=$((SECONDS + 300))
until timeout 300 "${compose[@]}" up --detach --no-build; do
  [ "$SECONDS" -lt "$up_until" ] || fail "the stack did not come up healthy within 300s"
  log "not healthy yet; up again"
  sleep 5
done

log "end-to-end check through the proxy"
python3 docker/e2e.py "http://127.0.0.1:$port" "${compose[@]}" || fail "end-to-end check"
