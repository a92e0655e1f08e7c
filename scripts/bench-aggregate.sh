#!/usr/bin/env bash
# `spur aggregate` next to DuckDB on the same segments: generates EVENTS events for LEADS leads
# (leads, campaigns, URL mix, 60 days, proxies, scanners, bots), folds and scores them with
# Spur, computes the same per-lead point sums with DuckDB (the default rules in SQL:
# scripts/bench_aggregate_duckdb.py), and prints wall time, events/s and peak RSS of both, the
# ratio DuckDB time / Spur time (≥ 1 means Spur is faster), and whether the sums agree. Then
# the nightly figures: one more day of segments (EVENTS/60 events) folded and scored as of the
# next day, and a run with the ten audiences of scripts/lib/bench-audiences.yaml; each as a
# share of the full fold, and the database's size per event and against the segments.
#   scripts/bench-aggregate.sh [EVENTS] [LEADS]        (defaults 10000000, 1000000)
#   NIGHTLY=0 skips the nightly figures.
# Installs: duckdb (PyPI, pinned) if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
EVENTS=${1:-10000000}; LEADS=${2:-1000000}
DUCKDB_VERSION=1.1.3
python3 -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$DUCKDB_VERSION')" 2>/dev/null \
  || pip install -q --break-system-packages "duckdb==$DUCKDB_VERSION" 2>/dev/null || pip install -q "duckdb==$DUCKDB_VERSION"
BIN=$(spur_bin release)
WORK=${BENCH_DIR:-$(mktemp -d)}
trap '[ -z "${BENCH_DIR:-}" ] && rm -rf "$WORK"' EXIT
mkdir -p "$WORK"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -r); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
if [ ! -d "$WORK/d/segments" ]; then
  start=$(date +%s.%N)
  "$BIN" segments generate --data "$WORK/d" --events "$EVENTS" --leads "$LEADS" --campaigns 24 >/dev/null
  printf 'generated %d events for %d leads in %.1f s\n'  "$EVENTS" "$LEADS" "$(echo "$(date +%s.%N) - $start" | bc)"
fi
rm -f "$WORK"/d/segments/*-gen2-*   # a previous run's nightly day
SEG_BYTES=$(du -cb "$WORK"/d/segments/*.jsonl.gz | tail -1 | cut -f1)
AS_OF=$(date -u +%Y-%m-%dT%H:%M:%SZ)
AS_OF_MS=$(( $(date -u -d "$AS_OF" +%s) * 1000 ))
rm -f "$WORK/d/spur.sqlite"*
# Spur: fold every segment and score every lead (one process, as the nightly job runs it).
/usr/bin/time -f "%e %M" -o "$WORK/spur.time" "$BIN" aggregate --data "$WORK/d" --as-of "$AS_OF" --quiet >/dev/null
read -r S_SECS S_KB < "$WORK/spur.time"
"$BIN" leads export --data "$WORK/d" --jsonl \
  | python3 -c 'import sys, json
for line in sys.stdin:
    p = json.loads(line)
    print(p["lead"], p["lifetime"], sep="\t")' > "$WORK/spur.tsv"
# DuckDB: the same sums in SQL (time measured inside, around the query; RSS of the process).
/usr/bin/time -f "%e %M" -o "$WORK/duck.time" python3 scripts/bench_aggregate_duckdb.py \
  "$WORK/d/segments/*.jsonl.gz" "$AS_OF_MS" "$WORK/duck.tsv" > "$WORK/duck.query"
D_SECS=$(cat "$WORK/duck.query"); read -r _ D_KB < "$WORK/duck.time"

SUMS=0
python3 - "$WORK/spur.tsv" "$WORK/duck.tsv" "$EVENTS" "$S_SECS" "$D_SECS" "$S_KB" "$D_KB" "$SEG_BYTES" <<'PY' || SUMS=$?
import sys
spur_tsv, duck_tsv, events, s_secs, d_secs, s_kb, d_kb, seg_bytes = sys.argv[1:]
events, s_secs, d_secs = int(events), float(s_secs), float(d_secs)
def load(path):
    out = {}
    for line in open(path):
        lead, value = line.rstrip("\n").split("\t")
        out[lead] = float(value)
    return out
spur, duck = load(spur_tsv), load(duck_tsv)
leads = set(spur) | set(duck)
differ = [l for l in leads if abs(spur.get(l, 0.0) - duck.get(l, 0.0)) > 0.011]
print(f"{'':24}{'spur aggregate':>16}{'duckdb':>12}")
print(f"{'wall time (s)':24}{s_secs:16.1f}{d_secs:12.1f}")
print(f"{'events/s':24}{events / s_secs:16,.0f}{events / d_secs:12,.0f}")
print(f"{'peak RSS (MiB)':24}{int(s_kb) / 1024:16.0f}{int(d_kb) / 1024:12.0f}")
print(f"ratio duckdb/spur time: {d_secs / s_secs:.2f} (>= 1.0 means spur is faster)")
print(f"segments: {int(seg_bytes) / 1e6:.1f} MB, {int(seg_bytes) / events * 1e6 / 1e6:.1f} MB per million events")
print(f"per-lead point sums: {len(leads) - len(differ)} of {len(leads)} leads agree, {len(differ)} differ")
for l in sorted(differ)[:5]:
    print(f"  {l}: spur {spur.get(l, 0.0)} duckdb {duck.get(l, 0.0)}")
sys.exit(1 if differ else 0)
PY
[ "${NIGHTLY:-1}" = 0 ] && exit $SUMS

# Nightly: the 60 days are folded; one new day arrives (another node's segments, same leads).
NEXT_AS_OF=$(date -u -d "$AS_OF + 1 day" +%Y-%m-%dT%H:%M:%SZ)
rm -rf "$WORK/night"
"$BIN" segments generate --data "$WORK/night" --events $((EVENTS / 60)) --leads "$LEADS" --campaigns 24 --days 1 \
  --node gen2 --seed 2 >/dev/null
cp "$WORK"/night/segments/*.jsonl.gz "$WORK/d/segments/"
/usr/bin/time -f "%e %M" -o "$WORK/night.time" "$BIN" aggregate --data "$WORK/d" --as-of "$NEXT_AS_OF" --quiet >/dev/null
read -r N_SECS N_KB < "$WORK/night.time"
# The same night's scoring with ten audiences (no new segments: the difference is the audiences).
/usr/bin/time -f "%e %M" -o "$WORK/aud.time" "$BIN" aggregate --data "$WORK/d" --as-of "$NEXT_AS_OF" --quiet \
  --audiences scripts/lib/bench-audiences.yaml >/dev/null
read -r A_SECS A_KB < "$WORK/aud.time"
DB_BYTES=$(du -cb "$WORK"/d/spur.sqlite* | tail -1 | cut -f1)
ALL_SEG_BYTES=$(du -cb "$WORK"/d/segments/*.jsonl.gz | tail -1 | cut -f1)
python3 - "$S_SECS" "$N_SECS" "$N_KB" "$A_SECS" "$A_KB" "$DB_BYTES" "$ALL_SEG_BYTES" "$EVENTS" <<'PY'
import sys
s_secs, n_secs, n_kb, a_secs, a_kb, db, seg, events = sys.argv[1:]
s_secs, n_secs, a_secs, db, seg, events = float(s_secs), float(n_secs), float(a_secs), int(db), int(seg), int(events)
events = events + events // 60
print(f"nightly (one new day, {events // 61:,} events): {n_secs:.1f} s = {n_secs / s_secs * 100:.0f} % of the full fold "
      f"(target <= 10 %), peak RSS {int(n_kb) / 1024:.0f} MiB")
print(f"nightly with 10 audiences (no new day): {a_secs:.1f} s = {a_secs / s_secs * 100:.0f} % of the full fold, "
      f"peak RSS {int(a_kb) / 1024:.0f} MiB")
print(f"database: {db / 1e6:.0f} MB, {db / events:.0f} bytes per event, {db / seg:.1f}x the compressed segments (target <= 2x)")
PY
exit $SUMS
