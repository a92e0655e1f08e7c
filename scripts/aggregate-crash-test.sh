#!/usr/bin/env bash
# Kills `spur aggregate` with SIGKILL at random moments, reruns it, and checks that the result
# equals one clean run: same profiles, same campaign report, nothing folded twice.
#   scripts/aggregate-crash-test.sh [ROUNDS]     (default 20; RELEASE=1 for a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
ROUNDS=${1:-20}
CONF=debug; [ "${RELEASE:-0}" = 1 ] && CONF=release
BIN=$(spur_bin "$CONF")  # SPUR_BIN: use that binary, build nothing
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ASOF=2026-12-01T00:00:00Z

"$BIN" segments generate --data "$WORK/seed" --events 20000 --leads 800 --segment-max-bytes 16384 --seed 7 >/dev/null
SEGMENTS=$(ls "$WORK/seed/segments"/*.jsonl.gz | wc -l)

fingerprint() {  # profiles + a campaign report
  "$BIN" leads export --jsonl --db "$1" | sha256sum | cut -c1-16
  "$BIN" report campaign nl-1 --json --db "$1" | sha256sum | cut -c1-16
}

cp -r "$WORK/seed" "$WORK/clean"
START=$(date +%s.%N)
"$BIN" aggregate --data "$WORK/clean" --as-of "$ASOF" --quiet >/dev/null
CLEAN_SECONDS=$(echo "$(date +%s.%N) - $START" | bc)
EXPECTED=$(fingerprint "$WORK/clean/spur.sqlite")

PASS=0; KILLED=0; FAIL=0
for round in $(seq 1 "$ROUNDS"); do
  rm -rf "$WORK/r"; cp -r "$WORK/seed" "$WORK/r"
  # Kill anywhere in the clean run's duration (twice per round: crash during the rerun too).
  for _ in 1 2; do
    DELAY=$(echo "scale=3; $CLEAN_SECONDS * $RANDOM / 32767" | bc)
    "$BIN" aggregate --data "$WORK/r" --as-of "$ASOF" --quiet >/dev/null 2>&1 &
    PID=$!
    sleep "$DELAY"
    if kill -9 "$PID" 2>/dev/null; then KILLED=$((KILLED + 1)); fi
    wait "$PID" 2>/dev/null || true
  done
  "$BIN" aggregate --data "$WORK/r" --as-of "$ASOF" --quiet >/dev/null
  SECOND=$("$BIN" aggregate --data "$WORK/r" --as-of "$ASOF" --quiet)
  GOT=$(fingerprint "$WORK/r/spur.sqlite")
  if [ "$GOT" = "$EXPECTED" ] && echo "$SECOND" | grep -q "folded 0 segments"; then
    PASS=$((PASS + 1))
  else
    FAIL=$((FAIL + 1)); echo "round $round: MISMATCH"
  fi
done
printf '%-30s %s\n' "segments" "$SEGMENTS" "clean run (s)" "$CLEAN_SECONDS" "rounds" "$ROUNDS" \
  "kills that hit a running job" "$KILLED" "rounds equal to clean run" "$PASS" "rounds differing" "$FAIL"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
