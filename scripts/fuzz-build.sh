#!/usr/bin/env bash
# Builds spur-fuzz with libFuzzer (coverage-guided) in its own build directory and prints the
# path of the binary. Run a target with its corpus:
#   SPUR_FUZZ_TARGET=token "$(scripts/fuzz-build.sh)" Tests/Fuzz/corpus/token -max_total_time=60
# Targets: token frame html beacon query http (Sources/spur-fuzz/FuzzTarget.swift).
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=.build/fuzz
swift build -c release --scratch-path "$SCRATCH" --product spur-fuzz \
  -Xswiftc -sanitize=fuzzer -Xswiftc -DSPUR_LIBFUZZER -Xswiftc -parse-as-library >&2
BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)
cp "$BIN/spur-fuzz" "$SCRATCH/spur-fuzz-libfuzzer"
echo "$PWD/$SCRATCH/spur-fuzz-libfuzzer"
