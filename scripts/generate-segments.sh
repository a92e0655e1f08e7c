#!/usr/bin/env bash
# Writes realistic synthetic segments (leads, campaigns, days, proxies, scanners, bots) so the
# aggregator can be exercised at scale:
#   scripts/generate-segments.sh DATA_DIR [EVENTS] [LEADS] [extra `spur segments generate` flags]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
DATA=${1:?usage: scripts/generate-segments.sh DATA_DIR [EVENTS] [LEADS]}
EVENTS=${2:-1000000}
LEADS=${3:-20000}
shift $(( $# < 3 ? $# : 3 ))
CONF=release; [ "${DEBUG:-0}" = 1 ] && CONF=debug
"$(spur_bin "$CONF")" segments generate --data "$DATA" --events "$EVENTS" --leads "$LEADS" "$@"
