#!/usr/bin/env bash
# Runs the README's "Five minutes with curl" exactly as written, on a fresh data directory:
# the collector in the background (the README's first terminal), the sh blocks in order, Ctrl-C
# (SIGINT) where the README says so, and checks that it ends with a lead that has points.
#   scripts/readme-walkthrough.sh        (SPUR_BIN=PATH uses that spur instead of building one)
# `swift run -c release spur` in the README stands for that binary. Loopback only (port 8080).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib/common.sh"
SPUR=$(cd "$ROOT" && spur_bin release)
WORK=$(mktemp -d)
trap 'kill -9 $SERVE 2>/dev/null || true; rm -rf "$WORK"' EXIT
SERVE=""
# The section's sh blocks, one file each.
python3 - "$ROOT/README.md" "$WORK" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
section = text[text.index("## Five minutes with curl"):text.index("## The nightly job")]
for i, block in enumerate(re.findall(r"```sh\n(.*?)```", section, re.S)):
    open(f"{sys.argv[2]}/block{i}.sh", "w").write(block)
PY
cd "$WORK"
swift() { [ "$1 $2 $3 $4" = "run -c release spur" ] || { echo "unexpected: swift $*" >&2; return 2; }; shift 4; "$SPUR" "$@"; }
export -f swift; export SPUR
if curl -s http://127.0.0.1:8080/ >/dev/null; then echo "FAIL port 8080, which the README uses, is taken"; exit 1; fi
"$SPUR" serve > serve.log 2>&1 &
SERVE=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:8080/healthz >/dev/null && break; sleep 0.1; done
blocks=$(ls block*.sh | wc -l)
[ "$blocks" = 3 ] || { echo "FAIL expected 3 sh blocks in the section, found $blocks"; exit 1; }
# The second block uses the first one's variables (UA): one terminal, one shell.
cat block0.sh block1.sh > terminal2.sh && bash -eu terminal2.sh > out1.txt
sleep 0.5
kill -INT "$SERVE"; wait "$SERVE"; SERVE=""
bash -e block2.sh > out2.txt 2>&1
cat out2.txt | tail -16
if grep -qE '^score +10\.0 ' out2.txt; then echo "PASS the walk-through ends with lead-42 at 10 points"; else echo "FAIL the walk-through does not end with points"; exit 1; fi
