#!/usr/bin/env bash
# Reliability and security checks (docs/reliability.md): kill -9 under load, power loss, a real
# full disk, EIO on fdatasync, corruption, aggregator crashes, fuzzing, abuse, security.
#   scripts/reliability.sh [--quick] [--only SECTION...] [--spur BIN] [--fuzzer BIN]
# --quick is the short version CI runs (a few minutes); the default is the full run.
# Sections: kill9 powerloss diskfull eio corruption aggcrash fuzz abuse security limits connections cli
# Without --spur it builds the release binary; without --fuzzer, the full run builds the libFuzzer
# binary (scripts/fuzz-build.sh) and the quick run uses the plain spur-fuzz. Installs strace.
# Only the full run starts `swift test` (the power-loss rounds of PowerLossTests); the quick run,
# which `swift test` itself starts (ReliabilityTests), never does.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
QUICK=""; SPUR=""; FUZZER=""; ONLY=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=--quick ;;
    --spur) SPUR=$2; shift ;;
    --fuzzer) FUZZER=$2; shift ;;
    --only) shift; while [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; do ONLY+=("$1"); shift; done; continue ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "${SPUR_IN_SWIFT_TEST:-}" ] && { [ -z "$SPUR" ] || [ -z "$FUZZER" ] || [ -z "$QUICK" ]; }; then
  # Calls go one way: swift test runs this with --quick and its own binaries; nothing here may
  # start swift build or swift test again.
  echo "inside swift test: give --quick, --spur and --fuzzer" >&2; exit 2
fi
command -v strace >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace >/dev/null; }
if [ -z "$SPUR" ]; then
  SPUR=$(spur_bin release)
fi
if [ -z "$FUZZER" ]; then
  if [ -n "$QUICK" ]; then
    FUZZER=$(spur_bin release spur-fuzz)
  else
    FUZZER=$(scripts/fuzz-build.sh)
  fi
fi
exec python3 scripts/reliability.py --spur "$SPUR" --fuzzer "$FUZZER" $QUICK ${ONLY:+--only "${ONLY[@]}"}
