#!/usr/bin/env bash
# Collector throughput next to nginx, the practical ceiling for "answer with a GIF or a 302 and
# append a log line" (nginx: empty_gif / return 302, gzip-buffered JSON access log).
# Each server pinned to core 0, wrk on core 1, 64 keep-alive connections, browser-like headers.
# Runs A/B pairs and prints req/s, the spur/nginx ratio (median of pairs), p50/p99 latency,
# spur's RSS, and — after SIGTERM — events written vs requests answered. Then a second figure:
# spur with --threads 2 and wrk, both unpinned, sharing the two cores.
#   scripts/bench-collector.sh [SECONDS_PER_RUN] [PAIRS]      (defaults 10, 3)
# Installs: nginx-light, wrk (Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
SECS=${1:-10}; PAIRS=${2:-3}
for pkg in nginx-light wrk; do dpkg -s "$pkg" >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null; }; done
BIN=$(spur_bin release)
WORK=$(mktemp -d)
SPUR_PID=""
cleanup() { [ -n "$SPUR_PID" ] && kill -9 "$SPUR_PID" 2>/dev/null; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
SP=$((30000 + RANDOM % 10000)); NP=$((SP + 1))
export SPUR_SECRET="k1:0123456789abcdef0123456789abcdef"
PIXEL_PATH=$("$BIN" pixel --data "$WORK/d" --base "http://127.0.0.1:$SP" --campaign bench --lead lead-1 | sed "s#http://127.0.0.1:$SP##")
CLICK_PATH=$("$BIN" link --data "$WORK/d" --base "http://127.0.0.1:$SP" --campaign bench --lead lead-1 https://shop.example/p | sed "s#http://127.0.0.1:$SP##")

nginx_conf "$WORK" 1024 > "$WORK/nginx.conf" <<NGINX
  log_format spur escape=json '{"ts":"\$msec","uri":"\$request_uri","ua":"\$http_user_agent","ref":"\$http_referer","ip":"\$remote_addr","cookie":"\$cookie_spur_vid"}';
  access_log $WORK/access.log.gz spur gzip=1 buffer=64k flush=1s;
  server {
    listen 127.0.0.1:$NP;
    location /o/ { empty_gif; add_header Cache-Control "no-store, no-cache, must-revalidate, private"; }
    location /c/ { add_header Cache-Control no-store; return 302 https://shop.example/p; }
  }
NGINX

HEADERS=(-H "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
         -H "Referer: https://mail.example.com/" -H "Cookie: spur_vid=0123456789abcdef0123456789abcdef")
run_wrk() {  # url [cpu list, default 1; "all" unpinned] -> "req/s p50 p99 requests"
  local pin=(taskset -c "${2:-1}")
  [ "${2:-1}" = all ] && pin=()
  "${pin[@]}" wrk -t1 -c64 -d"${SECS}s" --latency "${HEADERS[@]}" "$1" > "$WORK/wrk.txt" 2>&1 || true
  local rps p50 p99 n
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$WORK/wrk.txt"); p99=$(awk '$1=="99%" {print $2}' "$WORK/wrk.txt")
  n=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
  echo "$rps $p50 $p99 $n"
}

TOTAL_SPUR=0; TOTAL_NGINX=0
declare -A RATIOS
printf '%-9s %-6s %12s %10s %10s %10s\n' kind server req/s p50 p99 RSS_MiB
for kind in pixel redirect; do
  path=$([ $kind = pixel ] && echo "$PIXEL_PATH" || echo "$CLICK_PATH")
  ratios=()
  for pair in $(seq 1 "$PAIRS"); do
    taskset -c 0 "$BIN" serve --data "$WORK/d" --port "$SP" --node bench --threads 1 --consent not-required --log-level error &
    SPUR_PID=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$SP/healthz" >/dev/null && break; sleep 0.1; done
    read -r s_rps s_p50 s_p99 s_n <<<"$(run_wrk "http://127.0.0.1:$SP$path")"
    RSS=$(( $(awk '/VmHWM/ {print $2}' /proc/$SPUR_PID/status) / 1024 ))
    kill -TERM "$SPUR_PID"; wait "$SPUR_PID" || true; SPUR_PID=""
    TOTAL_SPUR=$((TOTAL_SPUR + s_n))
    taskset -c 0 nginx -c "$WORK/nginx.conf" -p "$WORK"
    sleep 0.3
    read -r n_rps n_p50 n_p99 n_n <<<"$(run_wrk "http://127.0.0.1:$NP$path")"
    TOTAL_NGINX=$((TOTAL_NGINX + n_n))
    kill "$(cat "$WORK/nginx.pid")"; sleep 0.5
    printf '%-9s %-6s %12s %10s %10s %10s\n' "$kind" spur "$s_rps" "$s_p50" "$s_p99" "$RSS" "$kind" nginx "$n_rps" "$n_p50" "$n_p99" "-"
    ratios+=("$(echo "scale=3; $s_rps / $n_rps" | bc)")
  done
  RATIOS[$kind]=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
done
echo
printf '%-9s %-22s %12s %10s %10s\n' kind "unpinned" req/s p50 p99
for kind in pixel redirect; do
  path=$([ $kind = pixel ] && echo "$PIXEL_PATH" || echo "$CLICK_PATH")
  "$BIN" serve --data "$WORK/d" --port "$SP" --node bench --threads 2 --consent not-required --log-level error &
  SPUR_PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$SP/healthz" >/dev/null && break; sleep 0.1; done
  read -r s_rps s_p50 s_p99 s_n <<<"$(run_wrk "http://127.0.0.1:$SP$path" all)"
  kill -TERM "$SPUR_PID"; wait "$SPUR_PID" || true; SPUR_PID=""
  TOTAL_SPUR=$((TOTAL_SPUR + s_n))
  printf '%-9s %-22s %12s %10s %10s\n' "$kind" "spur --threads 2" "$s_rps" "$s_p50" "$s_p99"
done
WRITTEN=$(zcat "$WORK"/d/segments/*.jsonl.gz | wc -l)
echo
printf '%-40s %s\n' "ratio spur/nginx, pixel (median)" "${RATIOS[pixel]}" "ratio spur/nginx, redirect (median)" "${RATIOS[redirect]}" \
  "requests answered by spur (wrk)" "$TOTAL_SPUR" "events in sealed segments" "$WRITTEN"
SEG_BYTES=$(cat "$WORK"/d/segments/*.jsonl.gz | wc -c)
SPUR_PER_M=$(( SEG_BYTES * 1000000 / (WRITTEN > 0 ? WRITTEN : 1) ))
# nginx appends gzip members to one file; its lines are the requests it logged.
NGINX_LINES=$(zcat "$WORK/access.log.gz" 2>/dev/null | wc -l)
NGINX_PER_M=$(( $(stat -c %s "$WORK/access.log.gz") * 1000000 / (NGINX_LINES > 0 ? NGINX_LINES : 1) ))
printf '%-40s %s\n' "segment bytes per million events" "$SPUR_PER_M" "nginx gzip log bytes per million requests" "$NGINX_PER_M" \
  "ratio spur/nginx storage" "$(echo "scale=2; $SPUR_PER_M / $NGINX_PER_M" | bc)"
[ "$WRITTEN" -ge "$TOTAL_SPUR" ] || echo "WARNING: fewer events than answered requests"
