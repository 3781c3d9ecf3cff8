#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft, broker + controller in one process) for local
# development and CI, from the official jars on Maven Central. No Docker needed.
#
#   scripts/kafka.sh start    fetch the jars (first time), format storage (first time), start, wait
#   scripts/kafka.sh stop     stop the broker this script started (by its pid file only)
#   scripts/kafka.sh status   print whether it runs and answers
#   scripts/kafka.sh reset    stop and delete its data (topics, offsets), then say what that means
#                             for the projection and offer to drop it (--drop-projection /
#                             --keep-projection answer without asking)
#
# Environment: KAFKA_HOME (default .local/kafka in the repo: data, logs, pid), KAFKA_PORT (9092),
# KAFKA_CONTROLLER_PORT (9093), KAFKA_START_TIMEOUT seconds (120).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
home=${KAFKA_HOME:-$root/.local/kafka}
port=${KAFKA_PORT:-9092}
cport=${KAFKA_CONTROLLER_PORT:-9093}
timeout=${KAFKA_START_TIMEOUT:-120}
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml")
# The jars are shared by every KAFKA_HOME (a test may run a second, private broker).
libs="${KAFKA_LIBS:-$root/.local/kafka-libs/$version}"
data="$home/data"
logs="$home/logs"
pidfile="$home/kafka.pid"
props="$home/server.properties"

log() { printf '[kafka] %s\n' "$*" >&2; }

alive() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

running() {
  # The pid must still be our java process, not a recycled pid.
  alive && grep -q 'kafka.Kafka' "/proc/$(cat "$pidfile")/cmdline" 2>/dev/null
}

answers() {
  # "Serves metadata" = a client can open the port and the broker logged its start.
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || return 1
  grep -q 'Kafka Server started' "$logs/server.log" 2>/dev/null
}

fetch() {
  if [ -f "$libs/.complete" ]; then return; fi
  command -v mvn >/dev/null || { log "Maven (mvn) is required to fetch the broker jars"; exit 1; }
  command -v java >/dev/null || { log "Java 17+ is required to run the broker"; exit 1; }
  log "fetching Apache Kafka $version jars from Maven Central (first run only)..."
  rm -rf "$libs"; mkdir -p "$libs"
  MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.passthrough=false" mvn -B -q -Dstyle.color=never -f "$here/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs" >&2
  touch "$libs/.complete"
  log "fetched $(ls "$libs" | wc -l) jars"
}

configure() {
  mkdir -p "$data" "$logs"
  cat > "$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
auto.create.topics.enable=false
PROPS
  if [ ! -f "$data/meta.properties" ]; then
    local id; id=$(java -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    log "formatting KRaft storage (cluster $id)"
    java -cp "$libs/*" -Dlog4j2.configurationFile="file:$here/kafka/log4j2.properties" \
      -Dkafka.logs.dir="$logs" kafka.tools.StorageTool format -t "$id" -c "$props" -g >&2
  fi
}

start() {
  if running; then
    log "already running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; wait_ready; return
  fi
  fetch
  configure
  : > "$logs/server.log"
  log "starting broker on 127.0.0.1:$port"
  nohup java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="file:$here/kafka/log4j2.properties" -Dkafka.logs.dir="$logs" \
    -cp "$libs/*" kafka.Kafka "$props" > "$logs/stdout.log" 2>&1 &
  echo $! > "$pidfile"
  wait_ready
}

wait_ready() {
  local started=$SECONDS
  until answers; do
    # alive, not running: right after the start the child may not have become java yet (its
    # cmdline is still the shell's), which is not an exit.
    if ! alive; then log "broker exited; last lines of $logs/stdout.log:"; tail -n 30 "$logs/stdout.log" >&2; exit 1; fi
    if (( SECONDS - started > timeout )); then log "not ready after ${timeout}s"; exit 1; fi
    sleep 0.5
  done
  log "ready on 127.0.0.1:$port after $(( SECONDS - started ))s"
}

stop() {
  if ! running; then log "not running"; rm -f "$pidfile"; return; fi
  local pid; pid=$(cat "$pidfile")
  log "stopping pid $pid"
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && { log "did not stop in 30s; killing"; kill -9 "$pid"; }
  rm -f "$pidfile"
}

# The projection in PostgreSQL was built from the log just deleted: its checkpoints name that log
# (cluster id + topic id), so the projector refuses the new one rather than skip its events.
projection_after_reset() {
  local schema=${DB_SCHEMA:-callbacks} choice=${1:-} answer
  log "the projector's PostgreSQL projection (schema $schema) was built from the log just deleted;"
  log "on the new log the projector refuses to start with it rather than skip the new log's events."
  if [ -z "$choice" ] && [ -t 0 ] && [ -t 2 ]; then
    read -r -p "[kafka] drop schema \"$schema\" now (the deleted log's history goes with it)? [y/N] " answer
    case "$answer" in y|Y|yes) choice=--drop-projection ;; *) choice=--keep-projection ;; esac
  fi
  case "$choice" in
    --drop-projection) node "$here/drop-projection.mjs" ;;
    *)
      log "kept it. Before the next start, drop it (node scripts/drop-projection.mjs), or start once with"
      log "ON_LOG_MISMATCH=rebuild: it is rebuilt from the new log and the old one kept as ${schema}_old_<time>"
      log "(docs/projector.md, \"Log identity\")." ;;
  esac
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running && answers; then echo "running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; else echo "not running"; exit 1; fi ;;
  reset)
    case "${2:-}" in ""|--drop-projection|--keep-projection) ;; *) echo "usage: $0 reset [--drop-projection|--keep-projection]" >&2; exit 2 ;; esac
    stop; rm -rf "$data" "$logs"; log "data deleted"; projection_after_reset "${2:-}" ;;
  *) echo "usage: $0 start|stop|status|reset [--drop-projection|--keep-projection]" >&2; exit 2 ;;
esac
