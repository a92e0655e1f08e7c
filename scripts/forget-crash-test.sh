#!/usr/bin/env bash
# Kills `spur forget` with SIGKILL at random moments, reruns it, and checks that afterwards no
# byte of the data directory (segments decompressed, database) mentions the lead or its visitor
# ids, every segment verifies, and the next `spur aggregate` runs clean.
#   scripts/forget-crash-test.sh [ROUNDS]     (default 10; RELEASE=1 for a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
ROUNDS=${1:-10}
CONF=debug; [ "${RELEASE:-0}" = 1 ] && CONF=release
BIN=$(spur_bin "$CONF")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ASOF=2026-12-01T00:00:00Z

"$BIN" segments generate --data "$WORK/seed" --events 20000 --leads 300 --segment-max-bytes 16384 --seed 3 >/dev/null
"$BIN" aggregate --data "$WORK/seed" --as-of "$ASOF" --quiet >/dev/null
LEAD=lead-7
# Every visitor id ever linked to the lead (what forget erases), from a dry run.
VISITORS=$("$BIN" forget "$LEAD" --dry-run --data "$WORK/seed" | head -1 | sed -n 's/.*visitor id(s): //p')

START=$(date +%s.%N)
cp -r "$WORK/seed" "$WORK/timing"
"$BIN" forget "$LEAD" --data "$WORK/timing" >/dev/null
FORGET_SECONDS=$(echo "$(date +%s.%N) - $START" | bc)

PATTERN="\"($LEAD|${VISITORS// /|})\""   # as JSON strings, so lead-7 does not match lead-70
traces() {  # how many files still mention the lead or one of its visitors
  local dir=$1 n=0 hits
  for f in $(find "$dir" -type f); do
    if [[ $f == *.gz ]]; then hits=$(zcat "$f" | grep -cE "$PATTERN" || true); else hits=$(grep -caE "$PATTERN|'($LEAD|${VISITORS// /|})'" "$f" || true); fi
    if [ "$hits" != 0 ]; then n=$((n + 1)); echo "  trace in $f ($hits)" >&2; fi
  done
  echo "$n"
}
[ "$(traces "$WORK/seed" 2>/dev/null)" != 0 ] || { echo "FAIL: the check finds nothing even before forget"; exit 1; }

PASS=0; FAIL=0; KILLED=0
for round in $(seq 1 "$ROUNDS"); do
  rm -rf "$WORK/r"; cp -r "$WORK/seed" "$WORK/r"
  DELAY=$(echo "scale=3; $FORGET_SECONDS * $RANDOM / 32767" | bc)
  "$BIN" forget "$LEAD" --data "$WORK/r" >/dev/null 2>&1 &
  PID=$!
  sleep "$DELAY"
  if kill -9 "$PID" 2>/dev/null; then KILLED=$((KILLED + 1)); fi
  wait "$PID" 2>/dev/null || true
  "$BIN" forget "$LEAD" --data "$WORK/r" >/dev/null
  LEFT=$(traces "$WORK/r")
  VERIFY=0; "$BIN" segments verify --data "$WORK/r" >/dev/null || VERIFY=1
  AGG=0; "$BIN" aggregate --data "$WORK/r" --as-of "$ASOF" --quiet >/dev/null || AGG=$?
  if [ "$LEFT" = 0 ] && [ "$VERIFY" = 0 ] && [ "$AGG" = 0 ]; then PASS=$((PASS + 1)); else
    FAIL=$((FAIL + 1)); echo "round $round: traces=$LEFT verify=$VERIFY aggregate=$AGG"; fi
done
printf '%-30s %s\n' "visitor ids of $LEAD" "$(echo $VISITORS | wc -w)" "forget run (s)" "$FORGET_SECONDS" \
  "rounds" "$ROUNDS" "kills that hit a running forget" "$KILLED"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
