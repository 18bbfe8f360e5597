#!/usr/bin/env bash
# Run the official W3C test suites against `coopcreds service serve` on loopback.
# Optional, not run by CI or the test suite: needs git, Node >= 18, npm and openssl.
#
#   bash tests/interop/w3c_suites.sh [WORKDIR]
#
# WORKDIR (default: a new temporary folder) holds clones of the three suites
# (cloned there when missing), the service's folder (key, TLS certificate,
# configuration, database) and one report per suite. The service listens on
# https://127.0.0.1:$PORT (default 40444) with a self-signed certificate: the
# suites' HTTP clients accept one, and the status list URLs inside the
# credentials are then dereferenceable by the bitstring status list suite.
#
# Environment: PORT; COOPCREDS (default: the repo's .venv/bin/coopcreds);
# W3C_NO_INSTALL=1 skips `npm install` in suites that have node_modules.
# The suites' github: dependencies (vc-test-suite-implementations,
# data-integrity-test-suite-assertion) are fetched by npm from GitHub.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
COOPCREDS="${COOPCREDS:-$repo/.venv/bin/coopcreds}"
PORT="${PORT:-40444}"
work="${1:-$(mktemp -d "${TMPDIR:-/tmp}/coopcreds-w3c.XXXXXX")}"
suites=(vc-di-eddsa-test-suite vc-data-model-2.0-test-suite vc-bitstring-status-list-test-suite)

die() { echo "w3c: $*" >&2; exit 2; }
for tool in git node npm openssl; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
[ -x "$COOPCREDS" ] || die "no coopcreds CLI at $COOPCREDS"
mkdir -p "$work" || die "cannot create $work"
echo "work directory: $work"

for suite in "${suites[@]}"; do
    [ -d "$work/$suite" ] || git clone --quiet "https://github.com/w3c/$suite" "$work/$suite" \
        || die "cannot clone $suite"
    if [ "${W3C_NO_INSTALL:-}" != 1 ] || [ ! -d "$work/$suite/node_modules" ]; then
        (cd "$work/$suite" && npm install --no-audit --no-fund --loglevel=error) \
            || die "npm install failed in $suite"
    fi
done

svc="$work/service"
mkdir -p "$svc"
cd "$svc" || die "cannot enter $svc"
[ -f key.json ] || "$COOPCREDS" key new --out key.json >/dev/null || die "key new failed"
did="$("$COOPCREDS" key show key.json | python3 -c 'import json, sys; print(json.load(sys.stdin)["controller"])')" || die "key show failed"
[ -f tls-cert.pem ] || openssl req -x509 -newkey rsa:2048 -nodes -keyout tls-key.pem \
    -out tls-cert.pem -days 7 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    2>/dev/null || die "openssl could not make a certificate"
cat > service.yaml <<EOF
# The service as the W3C suites test it: the library's defaults, one issuer
# instance offering both EdDSA suites, status lists at URLs this service serves.
domain: https://127.0.0.1:$PORT
issuers:
  - name: coop
    key_file: key.json
    status_list_base: https://127.0.0.1:$PORT/issuers/coop/status-lists
EOF
# The suites issue credentials with fixed ids, and the service issues an id
# once: each run starts from a new database.
rm -rf service.sqlite service.sqlite-wal service.sqlite-shm registry
token="$("$COOPCREDS" service token new --config service.yaml --issuer coop --days 1 2>/dev/null)" \
    || die "token new failed"
cat > localConfig.cjs <<EOF
// The suites' local configuration for coopcreds service serve (see README "W3C test suites").
const baseUrl = process.env.BASE_URL || 'https://127.0.0.1:$PORT';
const headers = {Authorization: 'Bearer $token'};
const issuer = suite => ({
  id: '$did',
  endpoint: \`\${baseUrl}/issuers/coop/\${suite}/credentials/issue\`,
  headers,
  supports: {vc: ['2.0']},
  tags: [suite, 'vc2.0', 'BitstringStatusList', 'localhost']
});
const verifier = path => ({
  id: 'https://127.0.0.1:$PORT',
  endpoint: \`\${baseUrl}\${path}\`,
  supports: {vc: ['1.1', '2.0']},
  tags: ['eddsa-rdfc-2022', 'eddsa-jcs-2022', 'vc2.0', 'BitstringStatusList', 'localhost']
});
module.exports = {
  settings: {enableInteropTests: false, testAllImplementations: false},
  implementations: [{
    name: 'coopcreds',
    implementation: 'coopcreds service',
    issuers: [issuer('eddsa-rdfc-2022'), issuer('eddsa-jcs-2022')],
    verifiers: [verifier('/credentials/verify')],
    // The data model suite binds its presentations to its own domain.
    vpVerifiers: [{...verifier('/presentations/verify'),
                   options: {domain: 'github.com/w3c/vc-data-model-2.0-test-suite'}}]
  }]
};
EOF

"$COOPCREDS" service serve --config service.yaml --port "$PORT" --workers 2 --log-level info \
    --certfile tls-cert.pem --keyfile tls-key.pem > serve.out 2> serve.log &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null' EXIT
for _ in $(seq 1 120); do
    curl -sk "https://127.0.0.1:$PORT/openapi.json" >/dev/null 2>&1 && break
    sleep 0.5
done

status=0
for suite in "${suites[@]}"; do
    cp localConfig.cjs "$work/$suite/localConfig.cjs"
    (cd "$work/$suite" && npx mocha tests/ --timeout 15000 --preserve-symlinks --reporter spec) \
        > "$work/$suite.report" 2>&1 || status=1
    echo "$suite: $(grep -E '^\s+[0-9]+ (passing|failing|pending)' "$work/$suite.report" \
        | tr -s ' ' | tr '\n' ' ')"
done
echo "reports: $work/*.report; the service's log (each refusal and failed check): $svc/serve.log"
exit "$status"
