#!/usr/bin/env bash
# Validates deploy/ and runs the scale-out demo on loopback:
#  1. systemd-analyze verify on the units, nginx -t on the proxy config;
#  2. two collectors (nodes c1, c2, own data dirs) behind nginx (TLS, HTTP/2, X-Forwarded-For),
#     traffic through the proxy, SIGTERM, then one `spur aggregate` folding both data dirs;
#  3. the same segments queried directly by DuckDB (when Python's duckdb is installed);
#  4. deploy/ exactly as shipped, in a private network and mount namespace (scripts/lib/deploy-shipped.sh).
# Needs: systemd (systemd-analyze), nginx (nginx-light), openssl, curl. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
for tool in systemd-analyze nginx openssl curl; do
  command -v "$tool" >/dev/null || { echo "deploy-check: $tool is missing (apt-get install -y systemd nginx-light openssl curl)"; exit 2; }
done
BIN=$(spur_bin debug)
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
PASS=0; FAIL=0
check() { if [ "$2" = 0 ]; then PASS=$((PASS + 1)); echo "PASS $1"; else FAIL=$((FAIL + 1)); echo "FAIL $1"; fi; }

# 1a. systemd units (ExecStart pointed at the built binary, so verify can find it).
mkdir -p "$WORK/units"
for unit in deploy/spur@.service deploy/spur-aggregate.service deploy/spur-aggregate.timer deploy/spur-console.service deploy/spur-deliver.service; do
  sed "s#/usr/local/bin/spur#$BIN#g" "$unit" > "$WORK/units/$(basename "$unit")"
done
cp "$WORK/units/spur@.service" "$WORK/units/spur@8081.service"
OUT=$(cd "$WORK/units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no ./spur@8081.service ./spur-aggregate.service ./spur-aggregate.timer ./spur-console.service ./spur-deliver.service 2>&1 | grep -v -E "Failed to (connect|create)|user-runtime|/run/systemd|Falling back|No such file or directory.*bus" || true)
[ -z "$OUT" ] && check "systemd-analyze verify deploy units" 0 || { echo "$OUT"; check "systemd-analyze verify deploy units" 1; }

# 1b. The shipped files agree with each other and with the README (each of these once broke a
# first deployment): the proxy's upstream ports are instance ports of spur@.service, the env
# file does not pin one port for all instances, the hand-off folder is created, a hand-off
# command can reach the network, the handle limit is raised, the API keys are shown, and the
# README's hand-off curl fails on HTTP errors.
UPSTREAMS=$(grep -oE 'server 127\.0\.0\.1:[0-9]+' deploy/nginx-spur.conf | grep -oE '[0-9]+$' | sort -u | tr '\n' ' ')
grep -q -- '--port %i' deploy/spur@.service && [ -n "$UPSTREAMS" ] && check "nginx upstreams ($UPSTREAMS) are spur@PORT instances" 0 || check "nginx upstreams are spur@PORT instances" 1
! grep -qE '^SPUR_PORT=' deploy/spur.env.example && check "the env example leaves the port to the instance" 0 || check "the env example leaves the port to the instance" 1
HANDOFF_DIR=$(grep -oE -- '--handoff-file [^ ]+' deploy/spur-aggregate.service | awk '{print $2}' | xargs dirname | sed 's#^/var/lib/##')
grep -qE "^StateDirectory=.*\b$HANDOFF_DIR\b" deploy/spur-aggregate.service && check "the aggregate unit creates its hand-off folder ($HANDOFF_DIR)" 0 || check "the aggregate unit creates its hand-off folder" 1
! grep -q '^PrivateNetwork=true' deploy/spur-aggregate.service && check "a hand-off command may reach the network" 0 || check "a hand-off command may reach the network" 1
CONSOLE_PORT=$(grep -oE -- '--port [0-9]+' deploy/spur-console.service | awk '{print $2}')
! grep -qE "127\.0\.0\.1:$CONSOLE_PORT\b" deploy/nginx-spur.conf && grep -q "127.0.0.1:$CONSOLE_PORT" deploy/nginx-spur-console.conf \
  && check "the console ($CONSOLE_PORT) is proxied on its own host, not among the collectors" 0 || check "the console port is its own" 1
grep -qE '^LimitNOFILE=[0-9]{5,}' deploy/spur@.service && check "the collector unit raises LimitNOFILE" 0 || check "the collector unit raises LimitNOFILE" 1
grep -q 'SPUR_API_KEYS' deploy/spur.env.example && check "the env example shows SPUR_API_KEYS" 0 || check "the env example shows SPUR_API_KEYS" 1
! grep -E 'handoff-command .curl' README.md docs/*.md | grep -qv -- '-sf' && check "documented hand-off curls use -f" 0 || check "documented hand-off curls use -f" 1

# 1c. nginx config, on loopback ports with a throwaway certificate.
P1=$((20000 + RANDOM % 10000)); P2=$((P1 + 1)); HTTPS=$((P1 + 2)); HTTP=$((P1 + 3))
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=t.example.com -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
sed -e "s#127.0.0.1:8081#127.0.0.1:$P1#" -e "s#127.0.0.1:8082#127.0.0.1:$P2#" -e "s#listen 443 ssl#listen 127.0.0.1:$HTTPS ssl#" \
    -e "s#listen 80;#listen 127.0.0.1:$HTTP;#" -e "s#/etc/ssl/spur/fullchain.pem#$WORK/cert.pem#" -e "s#/etc/ssl/spur/privkey.pem#$WORK/key.pem#" \
    deploy/nginx-spur.conf > "$WORK/spur.conf"
nginx_conf "$WORK" 256 > "$WORK/nginx.conf" <<NGINX
  include $WORK/spur.conf;
NGINX
if nginx -t -q -c "$WORK/nginx.conf" -p "$WORK" 2>"$WORK/nginx-t.log"; then check "nginx -t on deploy/nginx-spur.conf" 0; else cat "$WORK/nginx-t.log"; check "nginx -t on deploy/nginx-spur.conf" 1; fi
mkdir -p "$WORK/console-conf"
sed -e "s#listen 443 ssl#listen 127.0.0.1:$((HTTPS + 10)) ssl#" -e "s#listen 80;#listen 127.0.0.1:$((HTTP + 10));#" \
    -e "s#/etc/ssl/spur-console/fullchain.pem#$WORK/cert.pem#" -e "s#/etc/ssl/spur-console/privkey.pem#$WORK/key.pem#" \
    deploy/nginx-spur-console.conf > "$WORK/console-conf/console.conf"
nginx_conf "$WORK/console-conf" 256 > "$WORK/console-conf/nginx.conf" <<NGINX
  include $WORK/console-conf/console.conf;
NGINX
if nginx -t -q -c "$WORK/console-conf/nginx.conf" -p "$WORK/console-conf" 2>"$WORK/nginx-console-t.log"; then check "nginx -t on deploy/nginx-spur-console.conf" 0; else cat "$WORK/nginx-console-t.log"; check "nginx -t on deploy/nginx-spur-console.conf" 1; fi

# 2. Two collectors behind the proxy.
for n in 1 2; do
  port=$([ $n = 1 ] && echo $P1 || echo $P2)
  SPUR_SECRET="k1:0123456789abcdef0123456789abcdef" "$BIN" serve --data "$WORK/c$n" --port "$port" --node "c$n" \
    --trusted-proxy 127.0.0.1 --public-url "https://t.example.com" --commit-interval 100ms --log-level warning 2>"$WORK/c$n.log" &
  PIDS+=($!)
done
nginx -c "$WORK/nginx.conf" -p "$WORK"
for _ in $(seq 1 100); do curl -sk "https://127.0.0.1:$HTTPS/healthz" >/dev/null && break; sleep 0.1; done
export SPUR_SECRET="k1:0123456789abcdef0123456789abcdef"
PIXEL=$("$BIN" pixel --data "$WORK/c1" --base "https://127.0.0.1:$HTTPS" --campaign demo --lead lead-1)
CLICK=$("$BIN" link --data "$WORK/c1" --base "https://127.0.0.1:$HTTPS" --campaign demo --lead lead-1 https://shop.example/malbedarf/pinsel)
if H2=$(curl -sk -o /dev/null -w '%{http_version}' "$PIXEL"); [ "$H2" = 2 ]; then check "HTTP/2 to clients through the proxy" 0; else check "HTTP/2 to clients through the proxy" 1; fi
OK=0
for i in $(seq 1 100); do
  c1=$(curl -sk -o /dev/null -w '%{http_code}' -H 'X-Forwarded-For: 6.6.6.6' "$PIXEL")
  c2=$(curl -sk -o /dev/null -w '%{http_code}' "$CLICK")
  [ "$c1" = 200 ] && [ "$c2" = 302 ] && OK=$((OK + 1))
done
if [ "$OK" = 100 ]; then check "100 pixels and 100 redirects answered through the proxy" 0; else check "100 pixels and 100 redirects answered through the proxy" 1; fi
for p in "${PIDS[@]}"; do kill -TERM "$p"; done
for p in "${PIDS[@]}"; do wait "$p" || true; done
PIDS=()
N1=$(zcat "$WORK"/c1/segments/*.jsonl.gz 2>/dev/null | wc -l); N2=$(zcat "$WORK"/c2/segments/*.jsonl.gz 2>/dev/null | wc -l)
if [ "$((N1 + N2))" = 201 ] && [ "$N1" -gt 0 ] && [ "$N2" -gt 0 ]; then check "both collectors wrote events ($N1 + $N2 = 201: 200 + the HTTP/2 probe)" 0; else check "both collectors wrote events ($N1 + $N2 = 201: 200 + the HTTP/2 probe)" 1; fi
SPOOFED=$(zcat "$WORK"/c*/segments/*.jsonl.gz | grep -c '"ip":"6\.6\.6' || true)  # the field, not any digits of an id or a time
REAL=$(zcat "$WORK"/c*/segments/*.jsonl.gz | grep -c '"ip":"127.0.0.0"' || true)
if [ "$SPOOFED" = 0 ] && [ "$REAL" = 201 ]; then check "client-sent X-Forwarded-For ignored, proxy's value truncated" 0; else check "client-sent X-Forwarded-For ignored, proxy's value truncated" 1; fi
if "$BIN" aggregate --data "$WORK/c1" --data "$WORK/c2" --db "$WORK/spur.sqlite" --quiet > "$WORK/agg.txt"; then check "spur aggregate folds both data dirs" 0; else check "spur aggregate folds both data dirs" 1; fi
if grep -q "folded 2 segments (201 events" "$WORK/agg.txt"; then check "201 events from 2 segments folded" 0; else check "201 events from 2 segments folded" 1; fi
OPENS=$("$BIN" report campaign demo --json --db "$WORK/spur.sqlite" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["opens"]["total"], r["clicks"]["total"])')
if [ "$OPENS" = "101 100" ]; then check "campaign report: 101 opens, 100 clicks" 0; else check "campaign report: 101 opens, 100 clicks" 1; fi

# 3. DuckDB reads the segments as they are.
if python3 -c 'import duckdb' 2>/dev/null; then
  # connect().execute().fetchone() exists in DuckDB 1.x and 2.x alike (2.x dropped fetchone on relations).
  COUNT=$(python3 -c "import duckdb; print(duckdb.connect().execute(\"select count(*) from read_json('$WORK/c*/segments/*.jsonl.gz', format='newline_delimited')\").fetchone()[0])")
  if [ "$COUNT" = 201 ]; then check "DuckDB read_json over the segments sees all 201 events" 0; else check "DuckDB read_json over the segments sees all 201 events" 1; fi
else
  echo "SKIP DuckDB check (pip install duckdb to run it)"
fi
# 4. The files as shipped, unmodified, in a private network and mount namespace (root only):
# scripts/lib/deploy-shipped.sh.
if unshare --net --mount --fork true 2>/dev/null; then
  while read -r line; do
    echo "$line"
    case "$line" in PASS*) PASS=$((PASS + 1)) ;; FAIL*) FAIL=$((FAIL + 1)) ;; esac
  done < <(unshare --net --mount --fork bash scripts/lib/deploy-shipped.sh "$BIN" "$WORK" 2>"$WORK/shipped.log")
  [ -s "$WORK/shipped.log" ] && sed 's/^/  /' "$WORK/shipped.log"
else
  check "deploy/ as shipped (needs unshare --net --mount, i.e. root)" 1
fi
echo "deploy-check: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
