# Shared by the scripts in scripts/ (sourced, not run).

# spur_bin CONF [PRODUCT]: builds PRODUCT (default spur) in CONF (debug or release) and prints the
# binary's path. With SPUR_BIN set, PRODUCT spur is that binary and nothing is built (for callers
# that already hold the SwiftPM build lock, such as `swift test`).
spur_bin() {
  local conf=$1 product=${2:-spur}
  if [ "$product" = spur ] && [ -n "${SPUR_BIN:-}" ]; then
    echo "$SPUR_BIN"
    return
  fi
  if ! swift build -c "$conf" --product "$product" >/dev/null 2>&1; then
    swift build -c "$conf" --product "$product" >&2  # show why
    return 1
  fi
  echo "$(swift build -c "$conf" --show-bin-path)/$product"
}

# nginx_conf DIR CONNECTIONS < HTTP_BLOCK: an nginx.conf for an unprivileged, throwaway nginx whose
# pid, logs and temporary files all live in DIR; standard input goes inside `http { }`.
nginx_conf() {
  local dir=$1 connections=$2
  mkdir -p "$dir/tmp"
  cat <<NGINX
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections $connections; }
http {
  client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp; uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
$(cat)
}
NGINX
}
