#!/usr/bin/env bash
# End-to-end check of the real collector binary: start `spur serve`, send a few thousand mixed
# requests (opens, clicks, page-view pixels, beacons) over loopback, SIGTERM it, and prove that
# every answered request is an event in a sealed segment that gzip -t accepts.
#
#   scripts/e2e-collector.sh [REQUESTS_PER_KIND]     (default 1000; RELEASE=1 for a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
N=${1:-1000}
CONF=debug; [ "${RELEASE:-0}" = 1 ] && CONF=release
BIN=$(spur_bin "$CONF")
WORK=$(mktemp -d)
trap '[ -n "${PID:-}" ] && kill -9 "$PID" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
PORT=$((20000 + RANDOM % 20000))
BASE="http://127.0.0.1:$PORT"

# One client sends everything from loopback: the per-network site limit (docs/http.md#limits) is lifted.
"$BIN" serve --data "$WORK/data" --port "$PORT" --node e2e --commit-interval 100ms --site-rate-limit 0 --log-level warning 2>"$WORK/serve.log" &
PID=$!
for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

CLICK=$("$BIN" link --data "$WORK/data" --base "$BASE" --campaign e2e --lead lead-1 "https://shop.example/paint?x=1&y=2")
PIXEL=$("$BIN" pixel --data "$WORK/data" --base "$BASE" --campaign e2e --lead lead-1)

# One curl process, many transfers in parallel: a config file with one block per request.
{
  for i in $(seq 1 "$N"); do
    [ "$i" = 1 ] || echo next
    printf 'url = "%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code} %%{errormsg}\\n"\n' "$PIXEL"
    echo next
    printf 'url = "%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code} %%{errormsg}\\n"\n' "$CLICK"
    echo next
    printf 'url = "%s/p.gif?url=https%%3A%%2F%%2Fshop.example%%2Fp%%2F%d"\noutput = "/dev/null"\nwrite-out = "%%{http_code} %%{errormsg}\\n"\n' "$BASE" "$i"
    echo next
    printf 'url = "%s/e"\ndata = "{\\"url\\":\\"https://shop.example/b/%d\\"}"\nheader = "Content-Type: text/plain"\noutput = "/dev/null"\nwrite-out = "%%{http_code} %%{errormsg}\\n"\n' "$BASE" "$i"
  done
} > "$WORK/requests.curl"
START=$(date +%s.%N)
curl --parallel --parallel-max 32 -s -K "$WORK/requests.curl" > "$WORK/codes.txt" 2>"$WORK/curl.err" || true
END=$(date +%s.%N)

kill -TERM "$PID"
wait "$PID"; RC=$?
PID=

SENT=$((N * 4))
ANSWERED=$(grep -cE '^(200|202|302) ' "$WORK/codes.txt" || true)
OTHER=$(grep -vcE '^(200|202|302) ' "$WORK/codes.txt" || true)
OPEN_FILES=$(find "$WORK/data/segments" -name '*.open' | wc -l)
SEGMENTS=$(find "$WORK/data/segments" -name '*.jsonl.gz' | wc -l)
GZIP_OK=yes; for f in "$WORK"/data/segments/*.jsonl.gz; do gzip -t "$f" || GZIP_OK=no; done
VERIFY_OK=yes; "$BIN" segments verify --data "$WORK/data" >/dev/null || VERIFY_OK=no
EVENTS=$(zcat "$WORK"/data/segments/*.jsonl.gz | wc -l)
UNIQUE=$(zcat "$WORK"/data/segments/*.jsonl.gz | grep -o '"id":"[^"]*"' | sort -u | wc -l)

printf '%-28s %s\n' "requests sent" "$SENT" "answered 200/202/302" "$ANSWERED" "other answers" "$OTHER" \
  "seconds" "$(echo "$END - $START" | bc)" "exit status after SIGTERM" "$RC" "segments sealed" "$SEGMENTS" \
  ".open files left" "$OPEN_FILES" "gzip -t" "$GZIP_OK" "spur segments verify" "$VERIFY_OK" \
  "events in segments" "$EVENTS" "unique event ids" "$UNIQUE"

FAIL=0
[ "$RC" = 0 ] || { echo "FAIL: collector exited with $RC"; FAIL=1; }
[ "$ANSWERED" = "$SENT" ] || { echo "FAIL: not every request was answered: $(sort "$WORK/codes.txt" | uniq -c | tr "\n" " ")"; FAIL=1; }
[ "$EVENTS" = "$ANSWERED" ] || { echo "FAIL: $ANSWERED answered but $EVENTS events stored"; FAIL=1; }
[ "$UNIQUE" = "$EVENTS" ] || { echo "FAIL: duplicate event ids"; FAIL=1; }
[ "$OPEN_FILES" = 0 ] || { echo "FAIL: unsealed segments left"; FAIL=1; }
[ "$GZIP_OK" = yes ] && [ "$VERIFY_OK" = yes ] || { echo "FAIL: damaged segments"; FAIL=1; }
[ "$FAIL" = 0 ] && echo "e2e: OK" || { cat "$WORK/serve.log"; exit 1; }
