#!/usr/bin/env bash
# Measures `spur wrap` for a large newsletter and many recipients (issue: 1 MB × 10,000 in
# seconds). Builds release, makes a ~1 MB newsletter from the test fixtures, wraps it once per
# recipient into a temporary directory, prints time, throughput and a sample check.
#   scripts/bench-wrap.sh [RECIPIENTS] [NEWSLETTER_KB]      (defaults 10000, 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
RECIPIENTS=${1:-10000}
KB=${2:-1024}
BIN=$(spur_bin release)
WORK=$(mktemp -d)
# Output goes to memory (/dev/shm) when it has room, so the number measures Spur, not the disk;
# OUT=DIR to measure another place.
NEED=$(( RECIPIENTS * KB * 1300 ))
SHM_FREE=$(( $(df --output=avail -B1 /dev/shm 2>/dev/null | tail -1 || echo 0) ))
if [ -z "${OUT:-}" ] && [ "$SHM_FREE" -gt "$NEED" ]; then OUT=$(mktemp -d -p /dev/shm); fi
OUT=${OUT:-$WORK/out}
trap 'rm -rf "$WORK" "${OUT:-}"' EXIT

# A big newsletter: the four fixture newsletters as sections, each followed by
# an article of text, until the size is reached. LINKS_PER_MB (default 300) sets how link-dense it is.
LINKS_PER_MB=${LINKS_PER_MB:-300}
SECTIONS=$(( LINKS_PER_MB * KB / 1024 / 4 + 1 ))  # about 4 wrapped links per fixture body
PAD=$(( KB * 1024 / SECTIONS ))
python3 - "$WORK/big.html" "$SECTIONS" "$PAD" <<'PY'
import glob, re, sys
out, sections, pad = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
bodies = [re.sub(r"</?(html|body|head)[^>]*>", "", open(f).read(), flags=re.I) for f in sorted(glob.glob("Tests/SpurHTTPTests/Fixtures/*.html"))]
article = ("<p style=\"font-family:Arial,sans-serif;font-size:15px;line-height:1.5;color:#333\">"
           "Herbstzeit ist Malzeit: Acryl, Öl und Aquarell, dazu Pinsel und Leinwände in allen Größen. </p>\n")
with open(out, "w") as f:
    f.write("<!doctype html><html><head><title>Big</title></head><body>\n")
    for i in range(sections):
        chunk = bodies[i % len(bodies)]
        f.write(chunk)
        f.write(article * max(0, (pad - len(chunk.encode())) // len(article.encode())))
    f.write("</body></html>\n")
PY
{ echo "lead,name"; for i in $(seq 1 "$RECIPIENTS"); do echo "lead-$i,Person $i"; done; } > "$WORK/recipients.csv"

LINKS=$("$BIN" wrap --data "$WORK/d" --campaign bench --dry-run "$WORK/big.html" 2>/dev/null | grep -c '^wrap' || true)
START=$(date +%s.%N)
"$BIN" wrap --data "$WORK/d" --campaign bench --recipients "$WORK/recipients.csv" --out "$OUT" "$WORK/big.html" 2>"$WORK/wrap.log"
SECONDS_TAKEN=$(echo "$(date +%s.%N) - $START" | bc)
FILES=$(find "$OUT" -name '*.html' | wc -l)
BYTES=$(du -sb "$OUT" | cut -f1)
printf '%-26s %s\n' "output directory" "$OUT" "newsletter bytes" "$(stat -c %s "$WORK/big.html")" "links wrapped per copy" "$LINKS" \
  "recipients" "$RECIPIENTS" "files written" "$FILES" "output MiB" "$((BYTES / 1048576))" \
  "seconds" "$SECONDS_TAKEN" "recipients/s" "$(echo "$RECIPIENTS / $SECONDS_TAKEN" | bc)" \
  "MiB/s" "$(echo "$BYTES / 1048576 / $SECONDS_TAKEN" | bc)"
[ "$FILES" = "$RECIPIENTS" ] || { echo "FAIL: expected $RECIPIENTS files"; exit 1; }
grep -q 'lead-1' "$WORK/wrap.log" || true
echo "bench-wrap: OK"
