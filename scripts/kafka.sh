#!/usr/bin/env bash
# Real Apache Kafka brokers (KRaft, broker + controller in one process) for local development and
# CI, from the official jars on Maven Central. No Docker needed.
#
#   scripts/kafka.sh start    fetch the jars (first time), format storage (first time), start, wait
#   scripts/kafka.sh secure   the same broker with a SASL_SSL listener beside the plaintext one:
#                             a throw-away CA and broker keystore (keytool) and one SCRAM user per
#                             service, created at format time (see "Secure mode" below)
#   scripts/kafka.sh stop     stop the broker this script started (by its pid file only)
#   scripts/kafka.sh status   print whether it runs and answers
#   scripts/kafka.sh reset    stop and delete its data (topics, offsets), then say what that means
#                             for the projection and offer to drop it (--drop-projection /
#                             --keep-projection answer without asking)
#   scripts/kafka.sh cluster start|stop|status|reset|brokers|kill N|start-node N
#                             three combined broker+controller nodes on 127.0.0.1 (replication
#                             factor 3, min.insync.replicas=2); `kill N` SIGKILLs node N (a crash),
#                             `start-node N` starts it again, `brokers` prints the bootstrap list
#
# Environment: KAFKA_HOME (default .local/kafka in the repo: data, logs, pid), KAFKA_PORT (9092),
# KAFKA_CONTROLLER_PORT (9093), KAFKA_SECURE_PORT (9095, the SASL_SSL listener of `secure`),
# KAFKA_START_TIMEOUT seconds (120). Cluster: KAFKA_CLUSTER_HOME (.local/kafka-cluster),
# KAFKA_CLUSTER_PORTS (19092,29092,39092), KAFKA_CLUSTER_CONTROLLER_PORTS (19093,29093,39093).
#
# Secure mode writes under $KAFKA_HOME/secure: ca.pem (what clients trust: KAFKA_SSL_CA_FILE) and
# <user>.password for the SCRAM users ingest, dispatcher, projector and tools (KAFKA_SASL_PASSWORD_FILE).
# Every user has SCRAM-SHA-256 and SCRAM-SHA-512 credentials and PLAIN is enabled too. Everything is
# throw-away: `reset` deletes it with the data.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
timeout=${KAFKA_START_TIMEOUT:-120}
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml")
# The jars are shared by every KAFKA_HOME (a test may run a second, private broker).
libs="${KAFKA_LIBS:-$root/.local/kafka-libs/$version}"
users="ingest dispatcher projector tools"

log() { printf '[kafka] %s\n' "$*" >&2; }

# One node's paths and ports; `use_single` or `use_cluster_node N` set them.
home= port= cport= sport= node_id=1 voters= mode=single
set_paths() { data="$home/data"; logs="$home/logs"; pidfile="$home/kafka.pid"; props="$home/server.properties"; }

use_single() {
  home=${KAFKA_HOME:-$root/.local/kafka}
  port=${KAFKA_PORT:-9092}; cport=${KAFKA_CONTROLLER_PORT:-9093}; sport=
  node_id=1; voters="1@127.0.0.1:$cport"; mode=single
  set_paths
}

cluster_home=${KAFKA_CLUSTER_HOME:-$root/.local/kafka-cluster}
IFS=, read -r -a cluster_ports <<< "${KAFKA_CLUSTER_PORTS:-19092,29092,39092}"
IFS=, read -r -a cluster_cports <<< "${KAFKA_CLUSTER_CONTROLLER_PORTS:-19093,29093,39093}"

use_cluster_node() {
  local n=$1
  case "$n" in 1|2|3) ;; *) echo "node must be 1, 2 or 3" >&2; exit 2 ;; esac
  home="$cluster_home/node$n"; port=${cluster_ports[$((n - 1))]}; cport=${cluster_cports[$((n - 1))]}; sport=
  node_id=$n; mode=cluster
  voters="1@127.0.0.1:${cluster_cports[0]},2@127.0.0.1:${cluster_cports[1]},3@127.0.0.1:${cluster_cports[2]}"
  set_paths
}

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

# A throw-away CA, a broker certificate it signs (localhost, 127.0.0.1) in a PKCS12 keystore, and
# a random password per SCRAM user. Made once per KAFKA_HOME.
make_secrets() {
  local dir="$home/secure"
  [ -f "$dir/.complete" ] && return
  command -v keytool >/dev/null || { log "the JDK's keytool is required for the secure mode"; exit 1; }
  rm -rf "$dir"; mkdir -p "$dir"; chmod 700 "$dir"
  local pw; pw=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  printf '%s' "$pw" > "$dir/keystore.password"
  local kt=(keytool -storetype PKCS12 -storepass "$pw")
  "${kt[@]}" -genkeypair -alias ca -keyalg RSA -keysize 2048 -keystore "$dir/ca.p12" \
    -dname "CN=Dispatch Callbacks throw-away CA" -ext bc:c -validity 3650 2>/dev/null
  "${kt[@]}" -exportcert -rfc -alias ca -keystore "$dir/ca.p12" > "$dir/ca.pem" 2>/dev/null
  "${kt[@]}" -genkeypair -alias broker -keyalg RSA -keysize 2048 -keystore "$dir/broker.p12" \
    -dname "CN=localhost" -validity 3650 2>/dev/null
  "${kt[@]}" -certreq -alias broker -keystore "$dir/broker.p12" 2>/dev/null \
    | "${kt[@]}" -gencert -alias ca -keystore "$dir/ca.p12" -rfc -validity 3650 \
      -ext SAN=dns:localhost,ip:127.0.0.1 -ext KU=digitalSignature,keyEncipherment -ext EKU=serverAuth \
      > "$dir/broker.pem" 2>/dev/null
  "${kt[@]}" -importcert -noprompt -alias ca -file "$dir/ca.pem" -keystore "$dir/broker.p12" >/dev/null 2>&1
  "${kt[@]}" -importcert -noprompt -alias broker -file "$dir/broker.pem" -keystore "$dir/broker.p12" >/dev/null 2>&1
  for u in $users; do
    (umask 077; head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/$u.password")
  done
  touch "$dir/.complete"
  log "made a throw-away CA ($dir/ca.pem) and SCRAM users: $users"
}

secure_props() {
  local dir="$home/secure" plain_users="" u
  for u in $users; do plain_users+=" user_$u=\"$(cat "$dir/$u.password")\""; done
  cat <<PROPS
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required$plain_users;
ssl.keystore.type=PKCS12
ssl.keystore.location=$dir/broker.p12
ssl.keystore.password=$(cat "$dir/keystore.password")
ssl.client.auth=none
PROPS
}

configure() {
  mkdir -p "$data" "$logs"
  local listeners="PLAINTEXT://127.0.0.1:$port" advertised="PLAINTEXT://127.0.0.1:$port"
  local map="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
  if [ -n "$sport" ]; then
    listeners+=",SASL_SSL://127.0.0.1:$sport"; advertised+=",SASL_SSL://127.0.0.1:$sport"
    map+=",SASL_SSL:SASL_SSL"
  fi
  # One node keeps one copy of everything; three keep three and acknowledge with two
  # (a transactional producer needs transaction.state.log.min.isr live replicas to commit).
  local rf=1 isr=1 parts=1
  if [ "$mode" = cluster ]; then rf=3; isr=2; parts=3; fi
  {
    cat <<PROPS
process.roles=broker,controller
node.id=$node_id
controller.quorum.voters=$voters
listeners=$listeners,CONTROLLER://127.0.0.1:$cport
advertised.listeners=$advertised
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=$map
log.dirs=$data
num.partitions=1
default.replication.factor=$rf
min.insync.replicas=$isr
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=$parts
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
transaction.state.log.num.partitions=$parts
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
auto.create.topics.enable=false
PROPS
    # A crashed node is noticed in seconds, not the default 9 s + 30 s, so its partitions move and
    # the in-sync replica sets shrink while a test (or a deployment) keeps producing.
    if [ "$mode" = cluster ]; then
      printf '%s\n' broker.session.timeout.ms=6000 broker.heartbeat.interval.ms=1000 \
        replica.lag.time.max.ms=10000 controller.quorum.fetch.timeout.ms=4000 controller.quorum.election.timeout.ms=2000
    fi
    if [ -n "$sport" ]; then secure_props; fi
  } > "$props"
  if [ ! -f "$data/meta.properties" ]; then
    local id=${cluster_id:-} scram=()
    [ -n "$id" ] || id=$(java -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    if [ -n "$sport" ]; then
      for u in $users; do
        for m in SCRAM-SHA-256 SCRAM-SHA-512; do
          scram+=(--add-scram "$m=[name=$u,password=$(cat "$home/secure/$u.password")]")
        done
      done
    fi
    log "formatting KRaft storage of node $node_id (cluster $id)"
    java -cp "$libs/*" -Dlog4j2.configurationFile="file:$here/kafka/log4j2.properties" \
      -Dkafka.logs.dir="$logs" kafka.tools.StorageTool format -t "$id" -c "$props" -g "${scram[@]}" >&2
    if [ -n "$sport" ]; then touch "$data/.secure"; fi
  elif [ -n "$sport" ] && [ ! -f "$data/.secure" ]; then
    log "this broker's storage was formatted without SCRAM users; run reset first"; exit 1
  fi
}

launch() {
  : > "$logs/server.log"
  log "starting node $node_id on 127.0.0.1:$port${sport:+ (SASL_SSL on 127.0.0.1:$sport)}"
  local heap="-Xms256m -Xmx512m"
  if [ "$mode" = cluster ]; then heap="-Xms128m -Xmx384m"; fi
  # shellcheck disable=SC2086
  nohup java $heap -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="file:$here/kafka/log4j2.properties" -Dkafka.logs.dir="$logs" \
    -cp "$libs/*" kafka.Kafka "$props" > "$logs/stdout.log" 2>&1 &
  echo $! > "$pidfile"
}

start() {
  if running; then
    log "already running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; wait_ready; return
  fi
  fetch
  if [ -n "$sport" ]; then make_secrets; fi
  configure
  launch
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
  log "node $node_id ready on 127.0.0.1:$port after $(( SECONDS - started ))s"
}

stop() {
  if ! running; then log "node $node_id not running"; rm -f "$pidfile"; return; fi
  local pid; pid=$(cat "$pidfile")
  log "stopping node $node_id (pid $pid)"
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

cluster() {
  local n
  case "${1:-}" in
    start)
      fetch
      # Every node is formatted with the same cluster id, kept beside the nodes.
      mkdir -p "$cluster_home"
      [ -s "$cluster_home/cluster.id" ] || java -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1 > "$cluster_home/cluster.id"
      cluster_id=$(cat "$cluster_home/cluster.id")
      # Launched together: a node is "started" only once a quorum of controllers answers.
      for n in 1 2 3; do use_cluster_node "$n"; running || { configure; launch; }; done
      for n in 1 2 3; do use_cluster_node "$n"; wait_ready; done ;;
    start-node)
      use_cluster_node "${2:-}"; cluster_id=$(cat "$cluster_home/cluster.id"); start ;;
    kill)
      use_cluster_node "${2:-}"
      if running; then log "SIGKILL node $node_id (pid $(cat "$pidfile"))"; kill -9 "$(cat "$pidfile")"; fi
      for _ in $(seq 1 40); do alive || break; sleep 0.25; done
      rm -f "$pidfile" ;;
    stop) for n in 3 2 1; do use_cluster_node "$n"; stop; done ;;
    status)
      local down=0
      for n in 1 2 3; do
        use_cluster_node "$n"
        if running && answers; then echo "node $n running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; else echo "node $n not running"; down=1; fi
      done
      return $down ;;
    brokers) echo "127.0.0.1:${cluster_ports[0]},127.0.0.1:${cluster_ports[1]},127.0.0.1:${cluster_ports[2]}" ;;
    reset) cluster stop; rm -rf "$cluster_home"; log "cluster data deleted" ;;
    *) echo "usage: $0 cluster start|stop|status|reset|brokers|kill N|start-node N" >&2; exit 2 ;;
  esac
}

case "${1:-}" in
  start) use_single; start ;;
  secure) use_single; sport=${KAFKA_SECURE_PORT:-9095}; start ;;
  stop) use_single; stop ;;
  status) use_single; if running && answers; then echo "running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; else echo "not running"; exit 1; fi ;;
  reset)
    case "${2:-}" in ""|--drop-projection|--keep-projection) ;; *) echo "usage: $0 reset [--drop-projection|--keep-projection]" >&2; exit 2 ;; esac
    use_single; stop; rm -rf "$data" "$logs" "$home/secure"; log "data deleted"; projection_after_reset "${2:-}" ;;
  cluster) shift; cluster "$@" ;;
  *) echo "usage: $0 start|secure|stop|status|reset [--drop-projection|--keep-projection] | cluster ..." >&2; exit 2 ;;
esac
