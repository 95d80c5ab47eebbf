#!/usr/bin/env bash
# Fuzz the API against its own OpenAPI schema (issue 12 §4): a live server (gunicorn, the
# development settings with DEBUG off) on a fresh SQLite database with the demo data, then
# `schemathesis run --checks all` with its coverage, fuzzing and stateful phases, three times:
# anonymous, as the demo investor and as the demo superuser. Fails on any server error or any
# answer that the schema does not describe. Bounded: SCHEMATHESIS_MAX_TIME seconds per role
# (default 60) and SCHEMATHESIS_MAX_EXAMPLES cases per operation (default 10).
#
#   scripts/schemathesis.sh                  # or: make schemathesis
#   SCHEMATHESIS_MAX_TIME=300 scripts/schemathesis.sh   # a longer run
#
# Reports (JUnit XML, and a pytest file reproducing each failure) go to var/schemathesis/<role>/.
# Tokens are minted in the database (simplejwt's RefreshToken.for_user), not through the login
# endpoint, so staff two-factor sign-in does not stand in the way.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
BIN=$(dirname "$PY")
PORT=${SCHEMATHESIS_PORT:-8765}
MAX_TIME=${SCHEMATHESIS_MAX_TIME:-60}
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-10}
SEED=${SCHEMATHESIS_SEED:-}
BASE="http://127.0.0.1:${PORT}"
REPORTS=var/schemathesis
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bursar-schemathesis.XXXXXX")

export DJANGO_SETTINGS_MODULE=config.settings.dev
export BURSAR_VAR_DIR="$WORK" DATABASE_URL="sqlite:///$WORK/db.sqlite3" CACHE_URL="locmemcache://"
export DJANGO_DEBUG=0 SITE_URL="$BASE" PORT
export CELERY_TASK_ALWAYS_EAGER=1 EMAIL_URL="consolemail://"
# The fuzzer sends thousands of requests a minute: the generic limits out of its way (the login,
# signup and password-reset limits and the lock-out stay as configured), tokens that outlive it.
export API_THROTTLE_ANON=1000000/minute API_THROTTLE_USER=1000000/minute JWT_ACCESS_MINUTES=120

server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 143" INT TERM

echo "=== schemathesis: a fresh database with the demo data ($WORK)"
"$PY" manage.py migrate --noinput --verbosity 0
"$PY" manage.py seed_demo >/dev/null

token_for() {
  "$PY" manage.py shell --no-imports -c "
from django.contrib.auth import get_user_model
from rest_framework_simplejwt.tokens import RefreshToken
print(RefreshToken.for_user(get_user_model().objects.get(email='$1')).access_token)" | tail -n 1
}
INVESTOR_TOKEN=$(token_for investor@bursar.local)
STAFF_TOKEN=$(token_for admin@bursar.local)

echo "=== schemathesis: server on $BASE"
# No request-line limit: the fuzzer's very long query strings reach Django (gunicorn's own 414
# would be an answer of the proxy, not of the API under test).
"$BIN/gunicorn" config.wsgi --bind "127.0.0.1:${PORT}" --workers 1 --threads 4 --timeout 60 \
  --limit-request-line 0 --log-level warning >"$WORK/server.log" 2>&1 &
server_pid=$!

rc=0
run_as() {
  local role=$1; shift
  echo "=== schemathesis: $role"
  mkdir -p "$REPORTS/$role"
  "$BIN/schemathesis" --config-file scripts/schemathesis.toml run "$BASE/api/schema/" \
    --wait-for-schema 30 \
    --checks all \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "$MAX_EXAMPLES" \
    --max-time "$MAX_TIME" \
    --workers 1 \
    --request-timeout 20 \
    --generation-database none \
    ${SEED:+--seed "$SEED"} \
    --report junit,pytest --report-dir "$REPORTS/$role" \
    --no-color \
    "$@" || rc=1
}

run_as anonymous
run_as investor -H "Authorization: Bearer ${INVESTOR_TOKEN}"
run_as staff -H "Authorization: Bearer ${STAFF_TOKEN}"

if grep -Eq 'Traceback|ERROR|"level": ?"error"' "$WORK/server.log"; then
  echo "=== schemathesis: the server logged errors:"
  grep -E -A 40 'Traceback|ERROR|"level": ?"error"' "$WORK/server.log" | head -n 400
  rc=1
fi
if [ "$rc" -ne 0 ]; then echo "schemathesis: FAILED (reports in $REPORTS/)"; exit 1; fi
echo "schemathesis: no server error and no conformance failure as anonymous, investor and staff"
