#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback for the test suite and print its URL.
# Usage: scripts/pg-test-server.sh start|stop [DIR]   (needs Debian's postgresql package)
set -euo pipefail
action=${1:-start}
dir=${2:-/tmp/matchmaker-pg}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=${PGPORT_TEST:-$(cat "$dir/port" 2>/dev/null || free_port)}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$action" in
  start)
    if [ ! -d "$dir/data" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres "$dir"
      run "$bin/initdb" -D "$dir/data" -U matchmaker --auth=trust -E UTF8 >/dev/null
    fi
    echo "$port" > "$dir/port"
    run "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null
    for name in matchmaker_test matchmaker_test_gw{0..7}; do  # one per pytest-xdist worker
      run "$bin/createdb" -h 127.0.0.1 -p "$port" -U matchmaker "$name" 2>/dev/null || true
    done
    echo "postgresql://matchmaker@127.0.0.1:$port/matchmaker_test"
    ;;
  stop)
    run "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null || true
    ;;
esac
