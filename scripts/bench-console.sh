#!/usr/bin/env bash
# The console on a million leads: p99 latency with wrk (16 connections) for the pages people
# wait for, and the console's peak memory. Targets (docs/performance.md#console): p99 <= 50 ms
# for the overview, the filtered list on a deep page and the lead pages (rows marked "target";
# the other rows are measured and shown, not judged), RSS <= 128 MiB.
#
#  1. `spur segments generate` (4 M events, 2 M lead ids: about 1.07 M of them get events) and
#     `spur aggregate` build the database once into $SPUR_BENCH_DIR (kept for the next run).
#  2. A user signs in with curl; wrk sends that session cookie.
#  3. Measured: the overview; the lead list filtered (grade 6, letter D) on a deep page (after
#     100,000 leads, by a cursor read from the database); the list filtered to a rare stage (SQL);
#     the list searched by id prefix; the list filtered by the commonest interest after 10,000
#     leads; the list filtered by a campaign sorted by last activity; the
#     page of a lead from the top 5,000 and of the lead with the most events (score history,
#     rules, events).
#
#   scripts/bench-console.sh            SECS=10 CONNECTIONS=16 SPUR_BENCH_DIR=/tmp/spur-bench-console
# Installs: wrk, sqlite3 (Debian). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
for pkg in wrk sqlite3; do dpkg -s "$pkg" >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null; }; done
SECS=${SECS:-10}; CONNECTIONS=${CONNECTIONS:-16}
DIR=${SPUR_BENCH_DIR:-/tmp/spur-bench-console}
BIN=$(spur_bin release)
PORT=$((30000 + RANDOM % 10000))
PW=bench-password-123

if [ ! -f "$DIR/spur.sqlite" ] || [ "$(sqlite3 "$DIR/spur.sqlite" 'SELECT count(*) FROM profiles')" -lt 1000000 ]; then
  rm -rf "$DIR"; mkdir -p "$DIR"
  echo "building the database in $DIR (a few minutes)"
  "$BIN" segments generate --data "$DIR" --events 4000000 --leads 2000000 --days 60 >/dev/null
  /usr/bin/time -f "aggregate: %e s, %M KiB peak" "$BIN" aggregate --data "$DIR" --quiet
fi
LEADS=$(sqlite3 "$DIR/spur.sqlite" 'SELECT count(*) FROM profiles')
rm -f "$DIR/console-users"
printf '%s\n' "$PW" | "$BIN" console user add bench --role viewer --data "$DIR" >/dev/null

"$BIN" console --data "$DIR" --port "$PORT" --log-level error &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/login" >/dev/null && break; sleep 0.1; done
JAR=$(mktemp)
TOKEN=$(curl -s -c "$JAR" "http://127.0.0.1:$PORT/login" | grep -o 'name="csrf" value="[^"]*"' | sed 's/.*value="//;s/"//')
curl -s -b "$JAR" -c "$JAR" -o /dev/null -d "csrf=$TOKEN&user=bench&password=$PW&next=/" "http://127.0.0.1:$PORT/login"
SESSION=$(awk '$6 == "spur_console_session" {print $7}' "$JAR")
[ -n "$SESSION" ] || { echo "bench-console: sign-in failed"; exit 1; }

# A cursor after 100,000 leads of the filtered list (base64url of "score\nVALUE\nLEAD").
ROW=$(sqlite3 -separator $'\n' "$DIR/spur.sqlite" "SELECT score, lead FROM profiles WHERE grade = 6 AND letter = 'D' ORDER BY score DESC, lead LIMIT 1 OFFSET 100000")
CURSOR=$(printf 'score\n%s\n%s' "$(sed -n 1p <<<"$ROW")" "$(sed -n 2p <<<"$ROW")" | base64 -w0 | tr '+/' '-_' | tr -d '=')
# The lead with the most events of its own (the slowest lead page) and a lead from the top.
BUSY=$(sqlite3 "$DIR/spur.sqlite" "SELECT owner FROM facts WHERE kind = 0 ORDER BY events DESC LIMIT 1")
BUSY_EVENTS=$(sqlite3 "$DIR/spur.sqlite" "SELECT events FROM facts WHERE kind = 0 AND owner = '$BUSY'")
LEAD=$(sqlite3 "$DIR/spur.sqlite" "SELECT lead FROM profiles ORDER BY score DESC LIMIT 1 OFFSET 5000")
EVENTS=$(sqlite3 "$DIR/spur.sqlite" "SELECT events FROM facts WHERE kind = 0 AND owner = '$LEAD'")
# The most common interest, and a cursor after its first 10,000 leads (the tag key's order).
INTEREST=$(sqlite3 "$DIR/spur.sqlite" "SELECT value FROM profile_tags WHERE kind = 'interest' GROUP BY value ORDER BY count(*) DESC LIMIT 1")
ICURSOR_ROW=$(sqlite3 -separator $'\n' "$DIR/spur.sqlite" "SELECT tscore, tlead FROM profile_tags WHERE kind = 'interest' AND value = '$INTEREST' ORDER BY tscore DESC, tlead LIMIT 1 OFFSET 10000")
ICURSOR=$(printf 'score\n%s\n%s' "$(sed -n 1p <<<"$ICURSOR_ROW")" "$(sed -n 2p <<<"$ICURSOR_ROW")" | base64 -w0 | tr '+/' '-_' | tr -d '=')

declare -a NAMES=("overview" "leads grade 6 D, after 100k" "leads stage sql" "leads id prefix" "leads interest $INTEREST, after 10k"
  "leads campaign nl-3, by last seen" "lead page, top 5000 ($EVENTS events)" "lead page, busiest ($BUSY_EVENTS events)")
declare -a TARGET=(1 1 0 0 0 0 1 1)
declare -a PATHS=("/" "/leads?grade=6&letter=D&after=$CURSOR" "/leads?stage=sql" "/leads?q=lead-12345" "/leads?interest=$INTEREST&after=$ICURSOR"
  "/leads?campaign=nl-3&sort=last_seen" "/leads/$LEAD" "/leads/$BUSY")
echo "$LEADS leads; wrk ${SECS}s, $CONNECTIONS connections"
printf '%-40s %6s %9s %9s %9s %s\n' page status req/s p50 p99 "p99 <= 50 ms"
FAIL=0
for i in "${!PATHS[@]}"; do
  url="http://127.0.0.1:$PORT${PATHS[$i]}"
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: spur_console_session=$SESSION" "$url")
  wrk -t2 -c"$CONNECTIONS" -d"${SECS}s" --latency -H "Cookie: spur_console_session=$SESSION" "$url" > "$DIR/wrk.txt" 2>&1 || true
  rps=$(awk '/Requests\/sec/ {print $2}' "$DIR/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$DIR/wrk.txt"); p99=$(awk '$1=="99%" {print $2}' "$DIR/wrk.txt")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$DIR/wrk.txt")
  ms=$(awk -v v="$p99" 'BEGIN { if (v ~ /us$/) print v / 1000; else if (v ~ /ms$/) print v + 0; else print v * 1000 }')
  met=$(awk -v m="$ms" 'BEGIN { print (m <= 50 ? "yes" : "no") }')
  [ "${TARGET[$i]}" = 1 ] && judged="target: $met" || judged="(shown: $met)"
  printf '%-40s %6s %9s %9s %9s %s %s\n' "${NAMES[$i]}" "$status" "$rps" "$p50" "$p99" "$judged" "${non2xx:+(non-2xx: $non2xx)}"
  if [ "$status" != 200 ] || [ -n "$non2xx" ]; then FAIL=1; fi
  if [ "${TARGET[$i]}" = 1 ] && [ "$met" = no ]; then FAIL=1; fi
done
RSS=$(( $(awk '/VmHWM/ {print $2}' /proc/$PID/status) / 1024 ))
echo "console peak RSS: $RSS MiB (target <= 128)"
[ "$RSS" -le 128 ] || FAIL=1
[ $FAIL = 0 ] && echo "bench-console: all targets met" || echo "bench-console: a target was missed"
exit $FAIL
