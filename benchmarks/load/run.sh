#!/usr/bin/env bash
# Load test on loopback: PostgreSQL + Redis + gunicorn, a 2,000-attendee demo, locust headless.
# Usage: benchmarks/load/run.sh        (settings below can be overridden from the environment)
# Needs: .venv with '.[postgres,queue,deploy,load]', Debian's postgresql and redis-server.
# Prints p50/p95/p99 per endpoint, failed requests and the double-booking checks;
# exits non-zero on a double booking.
set -euo pipefail
cd "$(dirname "$0")/../.."

USERS=${USERS:-100}            # concurrent simulated participants
SPAWN_RATE=${SPAWN_RATE:-5}    # new users a second while ramping up (each logs in once: argon2id)
export THINK_MIN=${THINK_MIN:-2} THINK_MAX=${THINK_MAX:-8}  # seconds on a page between clicks
export WARMUP_S=${WARMUP_S:-15}    # seconds between the last login and the start of measuring:
                               # the requests the ramp's logins queued drain first
export MEASURE_S=${MEASURE_S:-60}  # seconds measured after that warm-up (the ramp, its logins
                               # and the warm-up are not in the statistics)
RUN_TIME=${RUN_TIME:-300s}     # a cap: the ramp takes 20 s plus the time its last logins take
                               # (over two minutes on a busy machine: argon2id per login)
WORKERS=${WORKERS:-4}          # gunicorn worker processes
THREADS=${THREADS:-1}          # threads per gunicorn worker (gthread when > 1)
ATTENDEES=${ATTENDEES:-2000}
SCHEDULE_S=${SCHEDULE_S:-30}   # solve and publish a schedule first so agendas have meetings (0: skip)
LIVE=${LIVE:-1}                # then open live booking: an accepted request is placed at once (0: off)
LIVE_REQUESTS=${LIVE_REQUESTS:-4}  # pending requests added per simulated user for live booking
BIN=.venv/bin

work=$(mktemp -d /tmp/matchmaker-load.XXXXXX)
chmod 755 "$work"  # the postgres user must reach its data folder inside
free_port() { "$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  scripts/pg-test-server.sh stop "$work/pg" || true
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

export PGPORT_TEST=${PGPORT_TEST:-$(free_port)}
db_url=$(scripts/pg-test-server.sh start "$work/pg")
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
  --daemonize no --loglevel warning >"$work/redis.log" 2>&1 &
pids+=($!)
redis_pid=$!

export DATABASE_URL=$db_url
export SECRET_KEY=$("$BIN/python" -c 'import secrets; print(secrets.token_hex(32))')
export MATCHMAKER_INSTANCE_PATH=$work/instance
export MATCHMAKER_SECURE_COOKIES=0                 # plain http on loopback
export MATCHMAKER_RATELIMIT_STORAGE_URI=redis://127.0.0.1:$redis_port/0
export MATCHMAKER_RUNS_BACKEND=rq MATCHMAKER_RUNS_REDIS_URL=redis://127.0.0.1:$redis_port/1

echo "== setting up: $ATTENDEES attendees on $db_url"
"$BIN/matchmaker" init-db >/dev/null
"$BIN/matchmaker" seed-demo --attendees "$ATTENDEES" | sed -n 1p  # not head: pipefail
if [ "$SCHEDULE_S" != 0 ]; then
  MATCHMAKER_RUNS_BACKEND=thread "$BIN/matchmaker" schedule demo --time-limit "$SCHEDULE_S" --publish | tail -1
  [ "$LIVE" = 0 ] || "$BIN/python" benchmarks/load/live_setup.py "$USERS" "$LIVE_REQUESTS"
fi

port=$(free_port)
worker_class=sync; [ "$THREADS" -gt 1 ] && worker_class=gthread
"$BIN/gunicorn" --workers "$WORKERS" --threads "$THREADS" --worker-class "$worker_class" \
  --bind "127.0.0.1:$port" --error-logfile "$work/gunicorn.log" --timeout 120 \
  --access-logfile "$work/access.log" --access-logformat '%(t)s %(p)s %(s)s %(M)s ms "%(r)s"' \
  'matchmaker:create_app()' >"$work/gunicorn.out" 2>&1 &  # the workers' own output: mails, warnings
pids+=($!)
# CPU time of each process group over the measured window (benchmarks/load/cpu.py)
export LOAD_CPU_PIDS="gunicorn=$! postgres=$(head -1 "$work/pg/data/postmaster.pid") redis=$redis_pid"
export LOAD_CPU_FILE=$work/cpu.json
"$BIN/python" - "$port" <<'PY'
import sys, time, urllib.request
for _ in range(600):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/login", timeout=5)
        break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit("gunicorn did not start")
PY

echo "== load: $USERS users, think time ${THINK_MIN}-${THINK_MAX} s, ${WARMUP_S} s warm-up, ${MEASURE_S} s measured, gunicorn $WORKERS workers x $THREADS threads; machine before:"
uptime
busy=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$busy" 'BEGIN { exit !(l > 1.5) }'; then
  echo "WARNING: load average $busy before the run: other work shares the cores and the" \
       "latencies below are not comparable with a quiet machine's"
fi
load_start=$(date -u +%Y-%m-%dT%H:%M:%S+00:00)
"$BIN/locust" -f benchmarks/load/locustfile.py --headless --only-summary \
  --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$RUN_TIME" --stop-timeout 10 \
  --host "http://127.0.0.1:$port" --csv "$work/locust" --exit-code-on-error 0 \
  >"$work/locust.log" 2>&1 || { tail -40 "$work/locust.log"; exit 1; }
grep -o "All [0-9]* users logged in.*" "$work/locust.log" \
  || echo "WARNING: not every user logged in before $RUN_TIME: the ramp is in the statistics"
echo "== machine after:"
uptime
echo
status=0
"$BIN/python" benchmarks/load/report.py "$work/locust_stats.csv" "$db_url" "$load_start" \
  "$LOAD_CPU_FILE" "$work/access.log" || status=$?
if grep -q "Traceback\|Error" "$work/gunicorn.log"; then
  echo "gunicorn logged errors:"; grep -m 20 -A3 "Traceback\|Error" "$work/gunicorn.log"
fi
if grep -q "Traceback\|WARNING\|error ignored" "$work/gunicorn.out"; then
  echo "the workers printed warnings:"; grep -m 20 -A3 "Traceback\|WARNING\|error ignored" "$work/gunicorn.out"
fi
echo
echo "Slowest requests as the server saw them, ramp included (ms; the rest of a locust time is queueing):"
sort -k5 -n "$work/access.log" | tail -5
exit $status
