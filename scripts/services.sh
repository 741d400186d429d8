#!/usr/bin/env bash
# Local services for the integration tests of the rotation Lambdas and the client
# (scripts/integration.sh): PostgreSQL (TLS, scram-sha-256) on 127.0.0.1:55432, MariaDB (TLS
# available) on 127.0.0.1:53306, moto (Secrets Manager mock) on 127.0.0.1:55000 and, when asked,
# LocalStack (Secrets Manager emulator) on 127.0.0.1:54566. No Docker: Debian packages and venvs.
#
#   bash scripts/services.sh start [localstack]
#                                     start what is not running (reuse what is healthy), write
#                                     .services/env.json (mode 600: hosts, ports, users, passwords,
#                                     CA path, Secrets Manager endpoints) and print one line per
#                                     service (never a password); `localstack` starts it too
#   bash scripts/services.sh stop     stop them all, waiting (bounded) until they are gone
#   bash scripts/services.sh status   one line per service; exit 0 only when the three core
#                                     services are up (and LocalStack, when it was started)
#
# LocalStack runs without Docker: localstack-core with its [runtime] extra on Python 3.13 (from
# pyenv, or python3.13 on PATH) in .build/localstack-venv, with OVERRIDE_IN_DOCKER=0 and
# GATEWAY_SERVER=hypercorn. It cannot execute Lambda functions (no Docker); the tests invoke the
# rotation handlers in process, as they do against moto. A stub function is created in it so that
# RotateSecret starts a rotation (creates the AWSPENDING version) as Secrets Manager does.
#
# Every start of a stopped service is a fresh one (new data directory, new random password); a
# healthy running service is reused with its password. All state lives under .services/
# (git-ignored): tls/ (throwaway CA + server cert for localhost/127.0.0.1), pg/, mysql/, venv/,
# *.log, *.pid, *.pw. Needs root (PostgreSQL runs as the `postgres` OS user through runuser,
# MariaDB as root). Missing packages are installed with apt-get (postgresql, mariadb-server,
# mariadb-client, python3-venv) and pip (moto) into .services/venv.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SVC="$REPO/.services"
TLS="$SVC/tls"
MOTO_VERSION=5.2.5

PG_PORT=55432
PG_DATA="$SVC/pg"
PG_SOCK_DIR="$SVC/pgsock"
PG_LOG="$SVC/pg.log"
PG_PID="$SVC/pg.pid"
PG_PW="$SVC/pg.pw"
PG_TIMEOUT=30

MY_PORT=53306
MY_DATA="$SVC/mysql"
MY_SOCK="$SVC/mysql.sock"
MY_LOG="$SVC/mysql.log"
MY_PID="$SVC/mysql.pid"
MY_PW="$SVC/mysql.pw"
MY_TIMEOUT=60

MOTO_PORT=55000
MOTO_URL="http://127.0.0.1:$MOTO_PORT"
MOTO_LOG="$SVC/moto.log"
MOTO_PID="$SVC/moto.pid"
MOTO_TIMEOUT=30
VENV="$SVC/venv"

# LocalStack: exact pins (cbor2 6 and pyOpenSSL 24.3 break localstack-core 4.14 on Python 3.13).
LOCALSTACK_VERSION=4.14.0
LS_PINS=("localstack-core[runtime]==$LOCALSTACK_VERSION" "cbor2==5.9.0" "pyopenssl==24.2.1")
LS_PORT=54566
LS_URL="http://127.0.0.1:$LS_PORT"
LS_VENV="$REPO/.build/localstack-venv"
LS_DATA="$SVC/localstack"
LS_LOG="$SVC/localstack.log"
LS_PID="$SVC/localstack.pid"
LS_TIMEOUT=90
LS_FUNCTION=secrets-rotation-under-test

STOP_TIMEOUT=30

log() { echo "services: $*"; }
die() { echo "services: ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------- helpers

# wait_ready WHAT TIMEOUT LOG PID CMD...: polls CMD every 0.2 s until it succeeds; on timeout (or
# when PID, if given, dies) prints LOG, stops PID and fails.
wait_ready() {
  local what=$1 timeout=$2 logfile=$3 pid=$4 i
  shift 4
  for ((i = 0; i < timeout * 5; i++)); do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then break; fi
    if "$@" >/dev/null 2>&1 </dev/null; then return 0; fi
    sleep 0.2
  done
  echo "----- $logfile -----" >&2
  cat "$logfile" >&2
  [ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null || true
  die "$what not ready within ${timeout}s (log above)"
}

# pid from a pid file when that process is alive and its command line contains $2
# (guards against a recycled pid belonging to something else).
live_pid() {
  local file=$1 expect=$2 pid
  [ -s "$file" ] || return 1
  pid=$(head -n1 "$file" | tr -dc '0-9')
  [ -n "$pid" ] && alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$expect" || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Alive and not a zombie (our servers are reparented to init once this script exits, and a
# slow-reaping init leaves exited ones as zombies for a while).
alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# Wait (bounded) until a pid is gone; SIGKILL it when the time is up.
wait_gone() {
  local pid=$1 name=$2 i
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  log "$name (pid $pid) still running after ${STOP_TIMEOUT}s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  die "$name (pid $pid) did not exit"
}

# term_stop NAME PIDFILE RUNNING_PID_FN: SIGTERM to a server this script started, wait (bounded)
# until it is gone, forget its pid file.
term_stop() {
  local pid
  if pid=$("$3"); then
    log "stopping $1 (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" "$1"
  fi
  rm -f "$2"
}

randpw() { # 24 alphanumeric characters
  local pw=""
  while [ "${#pw}" -lt 24 ]; do pw+=$(openssl rand -base64 48 | tr -dc 'A-Za-z0-9'); done
  printf '%s' "${pw:0:24}"
}

# A path inside a postgresql.conf string literal: single quotes doubled.
pgq() { printf "'%s'" "${1//\'/\'\'}"; }

# Commands as the postgres OS user, from a cwd it can read, without our lock fd.
as_pg() { (cd / && runuser -u postgres -- "$@" 9>&-); }

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do # 15 (bookworm) first
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && [ -x "$d/pg_isready" ] && [ -x "$d/psql" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

first_cmd() {
  local c
  for c in "$@"; do
    if command -v "$c" >/dev/null 2>&1; then command -v "$c"; return 0; fi
    if [ -x "/usr/sbin/$c" ]; then echo "/usr/sbin/$c"; return 0; fi
  done
  return 1
}

mariadbd_bin() { first_cmd mariadbd mysqld; }
mariadb_install_db_bin() { first_cmd mariadb-install-db mysql_install_db; }
mariadb_bin() { first_cmd mariadb mysql; }
mariadb_admin_bin() { first_cmd mariadb-admin mysqladmin; }

# --------------------------------------------------------------------------------- packages

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "missing packages ($*) and no apt-get to install them"
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    apt-get update -qq </dev/null 9>&- || die "apt-get update failed"
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" </dev/null 9>&- \
    || die "apt-get install $* failed"
}

ensure_packages() {
  local missing=()
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  pg_bindir >/dev/null || missing+=(postgresql postgresql-client)
  { mariadbd_bin && mariadb_install_db_bin; } >/dev/null || missing+=(mariadb-server)
  { mariadb_bin && mariadb_admin_bin; } >/dev/null || missing+=(mariadb-client)
  if ! command -v python3 >/dev/null 2>&1; then
    missing+=(python3 python3-venv)
  elif ! [ -x "$VENV/bin/python" ] && ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    missing+=(python3-venv)
  fi
  if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}"; fi

  PGBIN=$(pg_bindir) || die "PostgreSQL binaries still missing after apt-get"
  MARIADBD=$(mariadbd_bin) || die "mariadbd/mysqld still missing after apt-get"
  MARIADB_INSTALL_DB=$(mariadb_install_db_bin) || die "mariadb-install-db still missing after apt-get"
  MARIADB=$(mariadb_bin) || die "mariadb client still missing after apt-get"
  MARIADB_ADMIN=$(mariadb_admin_bin) || die "mariadb-admin still missing after apt-get"
  id postgres >/dev/null 2>&1 || die "no 'postgres' OS user (the postgresql package creates it)"

  if ! [ -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    log "creating $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV" 9>&- || die "python3 -m venv failed"
  fi
  local have
  have=$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null || true)
  if [ "$have" != "$MOTO_VERSION" ] || ! [ -x "$VENV/bin/moto_server" ]; then
    log "pip install moto[server]==$MOTO_VERSION into $VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" </dev/null 9>&- \
      || die "pip install moto[server]==$MOTO_VERSION failed"
  fi
}

# ---------------------------------------------------------------------------------------- TLS

tls_ok() {
  [ -s "$TLS/ca.pem" ] && [ -s "$TLS/server.pem" ] && [ -s "$TLS/server.key" ] || return 1
  openssl verify -CAfile "$TLS/ca.pem" "$TLS/server.pem" >/dev/null 2>&1 || return 1
  openssl x509 -in "$TLS/server.pem" -noout -checkend 86400 >/dev/null 2>&1 || return 1
  # the key matches the certificate
  [ "$(openssl x509 -in "$TLS/server.pem" -noout -pubkey 2>/dev/null | openssl sha256)" = \
    "$(openssl pkey -in "$TLS/server.key" -pubout 2>/dev/null | openssl sha256)" ]
}

ensure_tls() {
  if tls_ok; then
    TLS_DID="reused"
  else
    rm -rf "$TLS"
    mkdir -p "$TLS"
    local tmp
    tmp=$(mktemp -d)
    openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days 30 \
      -subj "/CN=secrets-platform integration test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout "$tmp/ca.key" -out "$TLS/ca.pem" >/dev/null 2>&1 || die "openssl: CA creation failed"
    openssl req -new -nodes -newkey rsa:2048 -sha256 -subj "/CN=localhost" \
      -keyout "$TLS/server.key" -out "$tmp/server.csr" >/dev/null 2>&1 || die "openssl: server key/CSR failed"
    cat >"$tmp/ext.cnf" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
EOF
    openssl x509 -req -sha256 -days 30 -in "$tmp/server.csr" -CA "$TLS/ca.pem" -CAkey "$tmp/ca.key" \
      -CAcreateserial -CAserial "$tmp/ca.srl" -extfile "$tmp/ext.cnf" -out "$TLS/server.pem" >/dev/null 2>&1 \
      || die "openssl: signing the server certificate failed"
    rm -rf "$tmp" # the CA key is thrown away: nothing else is ever signed with it
    TLS_DID="created"
  fi
  # PostgreSQL accepts a key owned by root only with mode 0640 or less, readable here through
  # the postgres group; MariaDB runs as root. Certificates are public.
  chmod 755 "$TLS"
  chmod 644 "$TLS/ca.pem" "$TLS/server.pem"
  chown root:postgres "$TLS/server.key"
  chmod 640 "$TLS/server.key"
}

# --------------------------------------------------------------------------------- PostgreSQL

pg_running_pid() { live_pid "$PG_PID" postgres; }

pg_check_login() { # TLS with certificate verification + password: prints pg_stat_ssl.ssl
  local pw
  pw=$(cat "$PG_PW" 2>/dev/null) || return 1
  PGPASSWORD="$pw" PGCONNECT_TIMEOUT=5 "$PGBIN/psql" -X -At -v ON_ERROR_STOP=1 \
    "host=127.0.0.1 port=$PG_PORT user=admin dbname=postgres sslmode=verify-full sslrootcert=$TLS/ca.pem" \
    -c 'select ssl from pg_stat_ssl where pid = pg_backend_pid()' </dev/null 2>/dev/null
}

pg_healthy() {
  pg_running_pid >/dev/null || return 1
  "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 5 >/dev/null 2>&1 || return 1
  [ "$(pg_check_login)" = t ]
}

pg_stop() {
  local pid
  if pid=$(pg_running_pid); then
    log "stopping postgres (pid $pid)"
    as_pg "$PGBIN/pg_ctl" -D "$PG_DATA" stop -m fast -w -t "$STOP_TIMEOUT" >/dev/null 2>&1 || true
    wait_gone "$pid" postgres
  fi
  rm -f "$PG_PID"
}

pg_start() {
  pg_stop
  ! port_open "$PG_PORT" || die "127.0.0.1:$PG_PORT is in use by a process not started by this script"
  [ "${#PG_SOCK_DIR}" -lt 90 ] || die "socket path $PG_SOCK_DIR is too long for a unix socket"
  rm -rf "$PG_DATA" "$PG_SOCK_DIR"
  mkdir -p "$PG_DATA" "$PG_SOCK_DIR"
  chown postgres:postgres "$PG_DATA" "$PG_SOCK_DIR"
  chmod 700 "$PG_DATA"
  chmod 755 "$PG_SOCK_DIR"
  : >"$PG_LOG"
  chown postgres:postgres "$PG_LOG"

  local pw pwfile
  pw=$(randpw)
  pwfile="$PG_SOCK_DIR/.pwfile"
  (umask 077 && printf '%s\n' "$pw" >"$pwfile")
  chown postgres:postgres "$pwfile"
  if ! as_pg "$PGBIN/initdb" -D "$PG_DATA" -U admin --pwfile="$pwfile" --auth=scram-sha-256 \
    -E UTF8 --locale=C --no-sync >>"$PG_LOG" 2>&1; then
    rm -f "$pwfile"
    cat "$PG_LOG" >&2
    die "initdb failed"
  fi
  rm -f "$pwfile"

  cat >>"$PG_DATA/postgresql.conf" <<EOF

# --- scripts/services.sh (integration tests) ---
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = $(pgq "$PG_SOCK_DIR")
ssl = on
ssl_cert_file = $(pgq "$TLS/server.pem")
ssl_key_file = $(pgq "$TLS/server.key")
password_encryption = 'scram-sha-256'
# The client's integration test counts logins from the server's own log: refused ones are
# logged at FATAL ("password authentication failed for user ..."), accepted ones with this.
log_connections = on
# throwaway data: durability off for speed
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  cat >"$PG_DATA/pg_hba.conf" <<'EOF'
# TYPE   DATABASE USER ADDRESS       METHOD
hostssl  all      all  127.0.0.1/32  scram-sha-256
host     all      all  127.0.0.1/32  scram-sha-256
EOF
  chown postgres:postgres "$PG_DATA/postgresql.conf" "$PG_DATA/pg_hba.conf"

  if ! as_pg "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$PG_TIMEOUT" start >/dev/null 2>&1; then
    echo "----- $PG_LOG -----" >&2
    cat "$PG_LOG" >&2
    die "postgres failed to start or was not up within ${PG_TIMEOUT}s (log above)"
  fi
  head -n1 "$PG_DATA/postmaster.pid" >"$PG_PID"

  wait_ready "postgres on 127.0.0.1:$PG_PORT" "$PG_TIMEOUT" "$PG_LOG" "" \
    "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2
  (umask 077 && printf '%s' "$pw" >"$PG_PW")
}

# ------------------------------------------------------------------------------------ MariaDB

my_running_pid() { live_pid "$MY_PID" "$(basename "$MARIADBD")"; }

my_check_login() { # TLS with certificate verification + password: prints the cipher
  local pw
  pw=$(cat "$MY_PW" 2>/dev/null) || return 1
  MYSQL_PWD="$pw" "$MARIADB" --no-defaults --connect-timeout=5 --protocol=tcp -h 127.0.0.1 -P "$MY_PORT" \
    -u admin --ssl --ssl-ca="$TLS/ca.pem" --ssl-verify-server-cert -N -B \
    -e "SHOW STATUS LIKE 'Ssl_cipher'" </dev/null 2>/dev/null | awk '{print $2}'
}

my_healthy() {
  my_running_pid >/dev/null || return 1
  [ -n "$(my_check_login)" ]
}

my_stop() {
  local pid
  if pid=$(my_running_pid); then
    log "stopping mariadb (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true # mariadbd shuts down cleanly on SIGTERM
    wait_gone "$pid" mariadb
  fi
  rm -f "$MY_PID"
}

my_start() {
  my_stop
  ! port_open "$MY_PORT" || die "127.0.0.1:$MY_PORT is in use by a process not started by this script"
  [ "${#MY_SOCK}" -lt 100 ] || die "socket path $MY_SOCK is too long for a unix socket"
  rm -rf "$MY_DATA" "$MY_SOCK" "$MY_SOCK.lock"
  mkdir -p "$MY_DATA"
  chmod 700 "$MY_DATA"
  : >"$MY_LOG"

  # root@localhost authenticates through unix_socket (OS root only): no passwordless TCP root.
  if ! "$MARIADB_INSTALL_DB" --no-defaults --user=root --datadir="$MY_DATA" \
    --auth-root-authentication-method=socket --skip-test-db \
    --skip-name-resolve >>"$MY_LOG" 2>&1 </dev/null 9>&-; then
    cat "$MY_LOG" >&2
    die "$(basename "$MARIADB_INSTALL_DB") failed"
  fi

  setsid "$MARIADBD" --no-defaults --user=root --datadir="$MY_DATA" \
    --bind-address=127.0.0.1 --port="$MY_PORT" --socket="$MY_SOCK" \
    --pid-file="$MY_DATA/mariadbd.pid" --log-error="$MY_LOG" \
    --ssl-ca="$TLS/ca.pem" --ssl-cert="$TLS/server.pem" --ssl-key="$TLS/server.key" \
    --skip-name-resolve --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=2 \
    --log-warnings=2 \
    </dev/null >>"$MY_LOG" 2>&1 9>&- &
  local pid=$!
  echo "$pid" >"$MY_PID"

  wait_ready "mariadb on 127.0.0.1:$MY_PORT" "$MY_TIMEOUT" "$MY_LOG" "$pid" \
    "$MARIADB_ADMIN" --no-defaults --protocol=socket -S "$MY_SOCK" -u root --connect-timeout=2 ping

  local pw
  pw=$(randpw)
  # SQL on stdin, not in argv (ps would show the password)
  if ! {
    for h in '%' localhost 127.0.0.1; do
      echo "CREATE USER 'admin'@'$h' IDENTIFIED BY '$pw';"
      echo "GRANT ALL PRIVILEGES ON *.* TO 'admin'@'$h' WITH GRANT OPTION;"
    done
    echo "FLUSH PRIVILEGES;"
  } | "$MARIADB" --no-defaults --protocol=socket -S "$MY_SOCK" -u root >/dev/null 2>>"$MY_LOG"; then
    cat "$MY_LOG" >&2
    die "creating the mariadb admin user failed"
  fi
  (umask 077 && printf '%s' "$pw" >"$MY_PW")
}

# --------------------------------------------------------------------------------------- moto

moto_running_pid() { live_pid "$MOTO_PID" moto_server; }

moto_healthy() {
  moto_running_pid >/dev/null || return 1
  curl -sf -o /dev/null --max-time 5 "$MOTO_URL/moto-api/"
}

moto_stop() { term_stop moto "$MOTO_PID" moto_running_pid; }

moto_start() {
  moto_stop
  ! port_open "$MOTO_PORT" || die "127.0.0.1:$MOTO_PORT is in use by a process not started by this script"
  : >"$MOTO_LOG"
  # Not a process-group leader here (no job control), so setsid execs in place: $! is moto.
  setsid "$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" </dev/null >>"$MOTO_LOG" 2>&1 9>&- &
  local pid=$!
  echo "$pid" >"$MOTO_PID"
  wait_ready "moto on $MOTO_URL" "$MOTO_TIMEOUT" "$MOTO_LOG" "$pid" \
    curl -sf -o /dev/null --max-time 2 "$MOTO_URL/moto-api/"
}

# --------------------------------------------------------------------------------- LocalStack

python313() {
  local c root
  if command -v python3.13 >/dev/null 2>&1 && python3.13 -c 'import sys; assert sys.version_info[:2] == (3, 13)' >/dev/null 2>&1; then
    command -v python3.13
    return 0
  fi
  root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  for c in "$root"/versions/3.13*/bin/python3.13; do
    if [ -x "$c" ]; then echo "$c"; return 0; fi
  done
  return 1
}

ensure_localstack() {
  local have=""
  if [ -x "$LS_VENV/bin/python" ]; then
    have=$("$LS_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("localstack-core"), m.version("cbor2"), m.version("pyopenssl"))' 2>/dev/null || true)
  fi
  [ "$have" = "$LOCALSTACK_VERSION 5.9.0 24.2.1" ] && return 0
  local py
  py=$(python313) || die "LocalStack needs Python 3.13 (pyenv install 3.13, or python3.13 on PATH)"
  log "creating $LS_VENV (Python 3.13) and pip install ${LS_PINS[*]}"
  rm -rf "$LS_VENV"
  mkdir -p "$(dirname "$LS_VENV")"
  "$py" -m venv "$LS_VENV" 9>&- || die "python3.13 -m venv failed"
  "$LS_VENV/bin/pip" install --quiet --disable-pip-version-check "${LS_PINS[@]}" </dev/null 9>&- \
    || die "pip install ${LS_PINS[*]} failed"
}

ls_running_pid() { live_pid "$LS_PID" localstack.runtime.main; }

ls_healthy() {
  ls_running_pid >/dev/null || return 1
  curl -sf --max-time 5 "$LS_URL/_localstack/health" | grep -Eq '"secretsmanager": "(available|running)"'
}

ls_stop() { term_stop localstack "$LS_PID" ls_running_pid; }

ls_start() {
  ls_stop
  ! port_open "$LS_PORT" || die "127.0.0.1:$LS_PORT is in use by a process not started by this script"
  rm -rf "$LS_DATA"
  mkdir -p "$LS_DATA"
  : >"$LS_LOG"
  # Host mode: no Docker, no DNS server, no telemetry, state in memory (and $LS_DATA). Not a
  # process-group leader here (no job control), so setsid execs in place: $! is LocalStack.
  OVERRIDE_IN_DOCKER=0 GATEWAY_SERVER=hypercorn GATEWAY_LISTEN="127.0.0.1:$LS_PORT" \
    LOCALSTACK_HOST="127.0.0.1:$LS_PORT" SERVICES=secretsmanager,lambda DNS_ADDRESS=0 DISABLE_EVENTS=1 \
    PERSISTENCE=0 FILESYSTEM_ROOT="$LS_DATA" \
    setsid "$LS_VENV/bin/python" -m localstack.runtime.main </dev/null >>"$LS_LOG" 2>&1 9>&- &
  local pid=$!
  echo "$pid" >"$LS_PID"
  wait_ready "localstack on $LS_URL" "$LS_TIMEOUT" "$LS_LOG" "$pid" ls_healthy
  # A function for RotateSecret to name (it refuses one that does not exist); never invoked here.
  "$LS_VENV/bin/python" - "$LS_URL" "$LS_FUNCTION" >>"$LS_LOG" 2>&1 9>&- <<'PY' || { tail -n 30 "$LS_LOG" >&2; die "localstack: creating the stub rotation function failed"; }
import io, sys, zipfile
import boto3
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("index.js", "exports.handler = async () => undefined;\n")
client = boto3.client("lambda", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
client.create_function(FunctionName=sys.argv[2], Runtime="nodejs20.x", Handler="index.handler", Role="arn:aws:iam::000000000000:role/rotation-under-test", Code={"ZipFile": buf.getvalue()})
PY
}

# ------------------------------------------------------------------------------------ env.json

write_env() {
  local tmp="$SVC/.env.json.tmp"
  local ls_url=""
  if ls_healthy; then ls_url=$LS_URL; fi
  (umask 077 && PG_PASSWORD="$(cat "$PG_PW")" MY_PASSWORD="$(cat "$MY_PW")" CA="$TLS/ca.pem" \
    PG_PORT="$PG_PORT" MY_PORT="$MY_PORT" MOTO_URL="$MOTO_URL" LS_URL="$ls_url" LS_FUNCTION="$LS_FUNCTION" \
    "$VENV/bin/python" - "$tmp" <<'PY'
import json, os, sys
e = os.environ
doc = {
    "postgres": {"host": "127.0.0.1", "port": int(e["PG_PORT"]), "user": "admin",
                 "password": e["PG_PASSWORD"], "database": "postgres", "ca": e["CA"]},
    "mysql": {"host": "127.0.0.1", "port": int(e["MY_PORT"]), "user": "admin",
              "password": e["MY_PASSWORD"], "ca": e["CA"]},
    # moto looks the rotation function up in its own Lambda emulation (Docker) after creating
    # the AWSPENDING version, so the function need not exist. LocalStack checks first: a stub exists.
    "moto": {"endpoint": e["MOTO_URL"], "region": "us-east-1",
             "rotationFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:" + e["LS_FUNCTION"]},
}
if e["LS_URL"]:
    doc["localstack"] = {"endpoint": e["LS_URL"], "region": "us-east-1",
                         "rotationFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:" + e["LS_FUNCTION"]}
with open(sys.argv[1], "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
PY
  )
  chmod 600 "$tmp"
  mv -f "$tmp" "$SVC/env.json"
}

# ------------------------------------------------------------------------------------ actions

need_root() {
  [ "$(id -u)" = 0 ] || die "must run as root (PostgreSQL runs as the postgres OS user via runuser; apt-get installs)"
}

lock() {
  mkdir -p "$SVC"
  chmod 755 "$SVC" # the postgres user must traverse it to reach pg/, pgsock/, tls/
  exec 9>"$SVC/.lock"
  flock -w 900 9 || die "another services.sh holds $SVC/.lock"
}

cmd_start() {
  need_root
  lock
  local t0=$SECONDS
  runuser -u postgres -- test -x "$SVC" ||
    die "the postgres OS user cannot reach $SVC (a parent directory is not world-searchable)"
  ensure_packages
  ensure_tls

  local want_ls=0 ls_did=""
  [ "${1:-}" = localstack ] && want_ls=1
  [ "$want_ls" = 0 ] || ensure_localstack

  local pg_did my_did moto_did
  # New certificates make running servers stale: their health checks (verify-full against the
  # current ca.pem) fail and they are started again.
  if pg_healthy; then pg_did=reused; else pg_start; pg_did=started; fi
  if my_healthy; then my_did=reused; else my_start; my_did=started; fi
  if moto_healthy; then moto_did=reused; else moto_start; moto_did=started; fi
  if [ "$want_ls" = 1 ]; then
    if ls_healthy; then ls_did=reused; else ls_start; ls_did=started; fi
  fi

  # Final proof, not just a liveness ping: verified TLS logins with the recorded passwords.
  local pg_ssl my_cipher
  pg_ssl=$(pg_check_login) || true
  [ "$pg_ssl" = t ] || { cat "$PG_LOG" >&2; die "postgres: verify-full TLS login as admin failed"; }
  my_cipher=$(my_check_login) || true
  [ -n "$my_cipher" ] || { tail -n 50 "$MY_LOG" >&2; die "mariadb: verified TLS login as admin failed"; }
  moto_healthy || die "moto: $MOTO_URL/moto-api/ does not answer"

  write_env

  local rel=".services"
  log "tls:      $TLS_DID CA + server cert (localhost, 127.0.0.1) in $rel/tls/"
  log "postgres: $pg_did, 127.0.0.1:$PG_PORT, pid $(cat "$PG_PID"), PostgreSQL $("$PGBIN/postgres" -V | awk '{print $3}'), user admin, TLS verify-full ok (ssl=on), log $rel/pg.log"
  log "mariadb:  $my_did, 127.0.0.1:$MY_PORT, pid $(cat "$MY_PID"), $("$MARIADBD" --version | awk '{print $3}'), user admin, TLS verified ($my_cipher), log $rel/mysql.log"
  log "moto:     $moto_did, $MOTO_URL, pid $(cat "$MOTO_PID"), moto $MOTO_VERSION, log $rel/moto.log"
  [ -z "$ls_did" ] || log "localstack: $ls_did, $LS_URL, pid $(cat "$LS_PID"), localstack-core $LOCALSTACK_VERSION (Python 3.13, no Docker), log $rel/localstack.log"
  log "env:      $SVC/env.json (mode 600) in $((SECONDS - t0))s"
}

cmd_stop() {
  need_root
  lock
  PGBIN=$(pg_bindir) || PGBIN=/usr/lib/postgresql/15/bin
  MARIADBD=$(mariadbd_bin) || MARIADBD=mariadbd
  ls_stop
  moto_stop
  my_stop
  pg_stop
  log "stopped (postgres, mariadb, moto, localstack)"
}

cmd_status() {
  PGBIN=$(pg_bindir) || PGBIN=/usr/lib/postgresql/15/bin
  MARIADBD=$(mariadbd_bin) || MARIADBD=mariadbd
  MARIADB_ADMIN=$(mariadb_admin_bin) || MARIADB_ADMIN=mariadb-admin
  local rc=0 pid
  if pid=$(pg_running_pid) && "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 3 >/dev/null 2>&1; then
    echo "postgres: up   127.0.0.1:$PG_PORT pid $pid"
  else
    echo "postgres: down"; rc=1
  fi
  # mariadb-admin ping exits 0 whenever the server answers, even without credentials
  if pid=$(my_running_pid) && "$MARIADB_ADMIN" --no-defaults --protocol=tcp -h 127.0.0.1 -P "$MY_PORT" \
    --connect-timeout=3 ping >/dev/null 2>&1 </dev/null; then
    echo "mariadb:  up   127.0.0.1:$MY_PORT pid $pid"
  else
    echo "mariadb:  down"; rc=1
  fi
  if pid=$(moto_running_pid) && curl -sf -o /dev/null --max-time 3 "$MOTO_URL/moto-api/"; then
    echo "moto:     up   $MOTO_URL pid $pid"
  else
    echo "moto:     down"; rc=1
  fi
  if pid=$(ls_running_pid) && ls_healthy; then
    echo "localstack: up $LS_URL pid $pid"
  elif [ -s "$LS_PID" ]; then
    echo "localstack: down"; rc=1
  fi
  return "$rc"
}

case "${1:-}" in
  start) cmd_start "${2:-}" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *)
    echo "usage: bash scripts/services.sh start [localstack] | stop | status" >&2
    exit 2
    ;;
esac
