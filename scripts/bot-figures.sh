#!/usr/bin/env bash
# Bot detection against public lists (docs/honest-numbers.md#bots): recall on crawler lists,
# false positives on browsers, in-app browsers and mail clients, with the patterns `spur serve`
# uses. The lists are Tests/SpurHTTPTests/Fixtures/user-agents (sources and licences in its
# SOURCES.md; refresh with scripts/generate-bot-patterns.py).
#   scripts/bot-figures.sh [ISBOT_DIR]   # with an isbot checkout: also its downloaded crawler lists
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
BIN=$(spur_bin release)
DIR=Tests/SpurHTTPTests/Fixtures/user-agents
figure() {  # figure NAME FILE KIND(recall|false-positives)
  read -r bots _ total < <("$BIN" bots check --count < "$2")
  if [ "$3" = recall ]; then
    awk -v b="$bots" -v t="$total" -v n="$1" 'BEGIN { printf "%-44s recall          %5d / %5d = %.4f\n", n, b, t, b / t }'
  else
    awk -v b="$bots" -v t="$total" -v n="$1" 'BEGIN { printf "%-44s false positives %5d / %5d = %.4f\n", n, b, t, b / t }'
  fi
}
figure "crawlers: isbot fixtures" "$DIR/crawlers-isbot.txt" recall
figure "crawlers: monperrus/crawler-user-agents" "$DIR/crawlers-monperrus.txt" recall
figure "browsers and apps: isbot fixtures" "$DIR/browsers-isbot.txt" false-positives
figure "mail clients and in-app browsers: Spur's" "$DIR/mail-and-apps.txt" false-positives
if [ -n "${1:-}" ]; then
  # isbot's downloaded lists (not committed: their licences are not all clear), from a checkout
  # or a bare mirror; one user agent per line, filtered as isbot filters them.
  for name in $(git -C "$1" ls-tree --name-only HEAD fixtures/downloaded/ | grep '\.json$'); do
    git -C "$1" show "HEAD:$name" | python3 -c 'import json,re,sys; [print(u) for u in json.load(sys.stdin) if isinstance(u, str) and u and not u.startswith("#") and not re.search("ucweb|cubot", u, re.I) and "\n" not in u and len(u) < 4000]' > /tmp/spur-bots-list.txt
    figure "crawlers: $(basename "$name" .json) (isbot download)" /tmp/spur-bots-list.txt recall
  done
fi
