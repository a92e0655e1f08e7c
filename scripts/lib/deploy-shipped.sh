#!/usr/bin/env bash
# Runs deploy/ exactly as shipped, inside the private network and mount namespace that
# scripts/deploy-check.sh makes (unshare --net --mount): the binary at /usr/local/bin/spur, the
# certificate at /etc/ssl/spur/, the state in /var/lib/spur, nginx on ports 80 and 443 with the
# unmodified deploy/nginx-spur.conf, the collectors started by the ExecStart line of
# deploy/spur@.service with the settings of deploy/spur.env.example, and the nightly job by the
# lines of deploy/spur-aggregate.service. Nothing of this is visible outside the namespace.
#   scripts/lib/deploy-shipped.sh SPUR_BINARY WORK_DIR (WORK_DIR holds cert.pem and key.pem)
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh
BIN=$1; WORK=$2
check() { if [ "$2" = 0 ]; then echo "PASS $1"; else echo "FAIL $1"; fi; }
# The unit's value of KEY (the first line), with systemd's %i and %l filled in.
unit_value() { grep -m1 "^$2=" "$1" | cut -d= -f2- | sed -e "s/%i/${3:-}/g" -e "s/%l/$(hostname -s)/g"; }

ip link set lo up
mount --make-rprivate /
mount -t tmpfs tmpfs /usr/local/bin && ln -s "$BIN" /usr/local/bin/spur
mount -t tmpfs tmpfs /etc/ssl && mkdir -p /etc/ssl/spur && cp "$WORK/cert.pem" /etc/ssl/spur/fullchain.pem && cp "$WORK/key.pem" /etc/ssl/spur/privkey.pem
mount -t tmpfs tmpfs /var/lib

# What systemd does for a unit before ExecStart: state directories, the umask, the environment
# (EnvironmentFile first — here the shipped example —, then Environment=).
prepare() {
  local unit=$1
  for dir in $(unit_value "$unit" StateDirectory); do mkdir -p "/var/lib/$dir"; chmod "$(unit_value "$unit" StateDirectoryMode || echo 0755)" "/var/lib/$dir"; done
  umask "$(unit_value "$unit" UMask)"
  set -a; . deploy/spur.env.example; set +a
  export "$(unit_value "$unit" Environment)"
}

PORTS=$(grep -oE 'server 127\.0\.0\.1:[0-9]+' deploy/nginx-spur.conf | grep -oE '[0-9]+$')
PIDS=()
for port in $PORTS; do
  ( prepare deploy/spur@.service; exec $(unit_value deploy/spur@.service ExecStart "$port") ) 2>"$WORK/shipped-$port.log" &
  PIDS+=($!)
done
nginx_conf "$WORK/ns" 256 > "$WORK/ns.conf" <<NGINX
  include $PWD/deploy/nginx-spur.conf;
NGINX
nginx -t -q -c "$WORK/ns.conf" -p "$WORK/ns" 2>"$WORK/ns-t.log"; check "nginx -t with deploy/nginx-spur.conf as shipped" $?
nginx -c "$WORK/ns.conf" -p "$WORK/ns"
for port in $PORTS; do
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
done
CURL=(curl -sk --resolve t.example.com:443:127.0.0.1 --resolve t.example.com:80:127.0.0.1 -A "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
[ "$("${CURL[@]}" -o /dev/null -w '%{http_code}' http://t.example.com/healthz)" = 301 ]; check "port 80 redirects to https" $?
for port in $PORTS; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -I "http://127.0.0.1:$port/healthz")" = 200 ]; check "spur@$port answers (HEAD /healthz)" $?
done
export SPUR_DATA=/var/lib/spur
PIXEL=$(spur pixel --campaign demo --lead lead-1 2>"$WORK/ns-link.log")
CLICK=$(spur link --campaign demo --lead lead-1 https://shop.example/malbedarf/pinsel 2>>"$WORK/ns-link.log")
case "$PIXEL" in https://t.example.com/o/*) check "links use the public URL the collectors announced" 0 ;; *) check "links use the public URL the collectors announced ($PIXEL)" 1 ;; esac
OK=0
for _ in $(seq 1 20); do
  [ "$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$PIXEL")" = 200 ] && [ "$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$CLICK")" = 302 ] && OK=$((OK + 1))
done
[ "$OK" = 20 ]; check "pixels and redirects through nginx to the instances ($OK/20)" $?
for p in "${PIDS[@]}"; do kill -TERM "$p"; done
STOPPED=0
for p in "${PIDS[@]}"; do wait "$p" || STOPPED=1; done
check "the instances stop cleanly on SIGTERM" $STOPPED
kill "$(cat "$WORK/ns/nginx.pid")" 2>/dev/null
# Two months of traffic, so that some leads reach the hand-off stage.
spur segments generate --events 20000 --leads 200 --node gen >/dev/null
( prepare deploy/spur-aggregate.service
  $(unit_value deploy/spur-aggregate.service ExecStart); status=$?
  [ "$status" = 0 ] || [ "$status" = "$(unit_value deploy/spur-aggregate.service SuccessExitStatus)" ]; check "the nightly job succeeds (exit $status)" $?
  HANDOFF=$(unit_value deploy/spur-aggregate.service ExecStart | grep -oE -- '--handoff-file [^ ]+' | cut -d' ' -f2)
  [ -s "$HANDOFF" ]; check "newly qualified leads reach the hand-off file" $?
  $(unit_value deploy/spur-aggregate.service ExecStartPost); check "the prune step runs" $?
)
OPENS=$(spur report campaign demo --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["opens"]["human"], r["clicks"]["human"])')
[ "$OPENS" = "20 20" ]; check "the campaign report sees the 20 opens and 20 clicks that went through nginx ($OPENS)" $?
