#!/usr/bin/env bash
# Measures `spur wrap` for a large newsletter and many recipients (issue: 1 MB × 10,000 in
# seconds). Builds release, makes a ~1 MB newsletter from the test fixtures, wraps it once per
# recipient into a temporary directory, prints time, throughput and a sample check.
#   scripts/bench-wrap.sh [RECIPIENTS] [NEWSLETTER_KB]      (defaults 10000, 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
RECIPIENTS=${1:-10000}
KB=${2:-1024}
swift build -c release --product spur >/dev/null 2>&1
BIN=$(swift build -c release --show-bin-path)/spur
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# A big newsletter: the fixtures' bodies repeated until the size is reached.
{
  echo '<!doctype html><html><head><title>Big</title></head><body>'
  while [ "$(stat -c %s "$WORK/big.html" 2>/dev/null || echo 0)" -lt $((KB * 1024)) ]; do
    cat Tests/SpurHTTPTests/Fixtures/*.html | sed -e 's/<\/\?body[^>]*>//Ig' -e 's/<\/\?html[^>]*>//Ig'
  done
  echo '</body></html>'
} > "$WORK/big.html"
{ echo "lead,name"; for i in $(seq 1 "$RECIPIENTS"); do echo "lead-$i,Person $i"; done; } > "$WORK/recipients.csv"

LINKS=$("$BIN" wrap --data "$WORK/d" --campaign bench --dry-run "$WORK/big.html" 2>/dev/null | grep -c '^wrap' || true)
START=$(date +%s.%N)
"$BIN" wrap --data "$WORK/d" --campaign bench --recipients "$WORK/recipients.csv" --out "$WORK/out" "$WORK/big.html" 2>"$WORK/wrap.log"
SECONDS_TAKEN=$(echo "$(date +%s.%N) - $START" | bc)
FILES=$(find "$WORK/out" -name '*.html' | wc -l)
BYTES=$(du -sb "$WORK/out" | cut -f1)
printf '%-26s %s\n' "newsletter bytes" "$(stat -c %s "$WORK/big.html")" "links wrapped per copy" "$LINKS" \
  "recipients" "$RECIPIENTS" "files written" "$FILES" "output MiB" "$((BYTES / 1048576))" \
  "seconds" "$SECONDS_TAKEN" "recipients/s" "$(echo "$RECIPIENTS / $SECONDS_TAKEN" | bc)" \
  "MiB/s" "$(echo "$BYTES / 1048576 / $SECONDS_TAKEN" | bc)"
[ "$FILES" = "$RECIPIENTS" ] || { echo "FAIL: expected $RECIPIENTS files"; exit 1; }
grep -q 'lead-1' "$WORK/wrap.log" || true
echo "bench-wrap: OK"
