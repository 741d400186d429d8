#!/usr/bin/env bash
# `npm run test:integration [-- jest args]`: starts PostgreSQL, MariaDB, moto and LocalStack
# (scripts/services.sh start localstack; connection details in .services/env.json), runs the jest
# `integration` project in band once per Secrets Manager emulator (SECRETS_BACKEND=moto, then
# localstack; SECRETS_BACKENDS="moto" runs one), and stops the services on exit (set
# KEEP_SERVICES=1 to leave them running for another run). A `--outputFile=F.json` argument is
# written as F.json for moto and F-localstack.json for LocalStack. Exits 1 if any run failed.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

# shellcheck disable=SC2329 # invoked by the EXIT trap
cleanup() {
  if [ "${KEEP_SERVICES:-}" = 1 ]; then
    echo "integration: KEEP_SERVICES=1, services left running (bash scripts/services.sh stop)"
  else
    bash scripts/services.sh stop || echo "integration: WARNING: stopping services failed" >&2
  fi
}
trap cleanup EXIT

# jest runs in the background, in its own process group, and is waited for: a SIGINT/SIGTERM to
# this script (Ctrl-C, CI cancel) is handled at once by sending SIGTERM to that whole group
# (npm exec -> sh -> node: npm forwards signals only to the sh, which does not pass them on),
# then the EXIT trap stops the services.
JEST_PID=
# shellcheck disable=SC2329 # invoked by the INT/TERM traps
on_signal() {
  if [ -n "$JEST_PID" ]; then
    kill -TERM -- "-$JEST_PID" 2>/dev/null || true
    wait "$JEST_PID" 2>/dev/null || true
  fi
  exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

BACKENDS="${SECRETS_BACKENDS:-moto localstack}"
case " $BACKENDS " in
  *" localstack "*) bash scripts/services.sh start localstack ;;
  *) bash scripts/services.sh start ;;
esac

export SERVICES_ENV_FILE="$REPO/.services/env.json"
status=0
for backend in $BACKENDS; do
  args=()
  for a in "$@"; do
    if [ "$backend" != moto ] && [[ "$a" == --outputFile=*.json ]]; then a="${a%.json}-$backend.json"; fi
    args+=("$a")
  done
  echo "integration: Secrets Manager on $backend"
  # Without job control a background job is no group leader, so setsid execs in place: $! is npx.
  SECRETS_BACKEND="$backend" setsid npx jest --selectProjects integration --runInBand "${args[@]}" &
  JEST_PID=$!
  wait "$JEST_PID" || status=1
  JEST_PID=
done
exit "$status"
