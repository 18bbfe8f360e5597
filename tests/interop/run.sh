#!/usr/bin/env bash
# Interoperability check of coopcreds against Digital Bazaar's JavaScript VC
# libraries (see README.md). Optional: needs Node >= 18 and npm; CI does not run it.
#
#   bash tests/interop/run.sh
#
# Environment: COOPCREDS_INTEROP_NO_INSTALL=1 skips `npm ci` (uses the existing
# node_modules); COOPCREDS_INTEROP_KEEP=1 keeps the work directory;
# PYTHON / COOPCREDS choose the interpreter and CLI (default: the repo's .venv).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
PYTHON="${PYTHON:-$repo/.venv/bin/python}"
COOPCREDS="${COOPCREDS:-$repo/.venv/bin/coopcreds}"
[ -x "$PYTHON" ] || PYTHON="$(command -v python3)"
[ -x "$COOPCREDS" ] || COOPCREDS="$(command -v coopcreds)"

die() { echo "interop: $*" >&2; exit 2; }
command -v node >/dev/null || die "node is not installed (this check is optional)"
[ -n "$COOPCREDS" ] || die "the coopcreds CLI is not installed"

cd "$here" || die "cannot enter $here"
if [ "${COOPCREDS_INTEROP_NO_INSTALL:-}" != 1 ]; then
    command -v npm >/dev/null || die "npm is not installed"
    if [ -f package-lock.json ]; then
        npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed"
    else
        npm install --no-audit --no-fund --loglevel=error || die "npm install failed"
    fi
fi
[ -d node_modules ] || die "no node_modules in $here (run without COOPCREDS_INTEROP_NO_INSTALL)"

work="$(mktemp -d "${TMPDIR:-/tmp}/coopcreds-interop.XXXXXX")"
if [ "${COOPCREDS_INTEROP_KEEP:-}" = 1 ]; then
    echo "work directory: $work"
else
    trap 'rm -rf "$work"' EXIT
fi

results=()  # "PASS  label" / "FAIL  label"
record() {  # record OK LABEL
    if [ "$1" = 0 ]; then results+=("PASS  $2"); else results+=("FAIL  $2"); fi
}
run_js() {  # run_js LABEL ARGS...: collect the script's PASS/FAIL lines
    local label="$1" out rc
    shift
    out="$(node "$here/interop.mjs" "$@" 2>&1)"
    rc=$?
    echo "$out"
    while IFS= read -r line; do
        case "$line" in PASS*|FAIL*) results+=("$line") ;; esac
    done <<< "$out"
    [ "$rc" = 0 ] || grep -q '^FAIL' <<< "$out" || record 1 "$label (exit $rc)"
}

echo "== setup: context bundle and coopcreds credentials"
"$COOPCREDS" contexts export "$work/contexts" || die "contexts export failed"
"$PYTHON" "$here/make_credentials.py" "$work/py" || die "make_credentials.py failed"
now="$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["now"])' "$work/py/meta.json")"
created="$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["created"])' "$work/py/meta.json")"
challenge="$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["challenge"])' "$work/py/meta.json")"
domain="$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["domain"])' "$work/py/meta.json")"

echo "== coopcreds -> JS: verify, reject tampered copies, re-sign"
run_js "JS verify" verify --contexts "$work/contexts" --now "$now" "$work"/py/coopcreds-eddsa-*.json
run_js "JS re-sign" resign --contexts "$work/contexts" --key "$work/py/sample-issuer-key.json" \
    "$work"/py/coopcreds-eddsa-*.json

echo "== coopcreds -> JS: presentations (authentication, challenge and domain)"
run_js "JS verify presentations" vp-verify --contexts "$work/contexts" --now "$now" \
    --challenge "$challenge" --domain "$domain" "$work"/py/coopcreds-vp-*.json
run_js "JS re-sign presentations" vp-resign --contexts "$work/contexts" \
    --key "$work/py/sample-holder-key.json" "$work"/py/coopcreds-vp-*.json

echo "== JS -> coopcreds: JS issues, coopcreds verifies"
run_js "JS issue" issue --contexts "$work/contexts" --unsigned "$work/py/sample-unsigned.json" \
    --created "$created" --out "$work/js"
shopt -s nullglob
issued=("$work"/js/js-*[0-9].json)
[ "${#issued[@]}" -gt 0 ] || record 1 "JS issued no credentials"
for file in "${issued[@]}"; do
    name="$(basename "$file")"
    "$COOPCREDS" verify --now "$now" "$file" > "$work/out.txt" 2>&1
    rc=$?
    [ "$rc" = 0 ] || cat "$work/out.txt"
    record "$rc" "coopcreds verifies $name (exit $rc, want 0)"
    # The tampered copy must fail on its signature, and on nothing else.
    tampered="${file%.json}.tampered.json"
    "$COOPCREDS" verify --json --now "$now" "$tampered" > "$work/out.txt" 2>&1
    rc=$?
    failed_checks="$("$PYTHON" -c 'import json,sys
print(",".join(c["name"] for c in json.load(open(sys.argv[1]))["checks"] if not c["ok"]))' \
        "$work/out.txt" 2>/dev/null)"
    ok=1
    [ "$rc" = 1 ] && [ "$failed_checks" = signature ] && ok=0
    [ "$ok" = 0 ] || cat "$work/out.txt"
    record "$ok" "coopcreds rejects tampered $name (exit $rc, want 1; failed: ${failed_checks:-none})"
done

echo "== JS -> coopcreds: JS presents credentials (one from each side), coopcreds verifies"
run_js "JS present" vp-issue --contexts "$work/contexts" --key "$work/py/sample-holder-key.json" \
    --challenge "$challenge" --domain "$domain" --created "$now" --out "$work/js" \
    "$work/py/coopcreds-eddsa-rdfc-2022.json" "$work/js/js-membership-eddsa-jcs-2022.json"
failed_of() {  # the names of the failed checks in a --json result file
    "$PYTHON" -c 'import json,sys
print(",".join(c["name"] for c in json.load(open(sys.argv[1]))["checks"] if not c["ok"]))' \
        "$1" 2>/dev/null
}
presented=("$work"/js/js-vp-*.json)
[ "${#presented[@]}" -gt 0 ] || record 1 "JS made no presentations"
for file in "${presented[@]}"; do
    name="$(basename "$file")"
    "$COOPCREDS" verify --now "$now" --challenge "$challenge" --domain "$domain" "$file" \
        > "$work/out.txt" 2>&1
    rc=$?
    [ "$rc" = 0 ] || cat "$work/out.txt"
    record "$rc" "coopcreds verifies presentation $name (exit $rc, want 0)"
    # Another verifier's domain, or a stale challenge: refused on that check alone.
    for wrong in "domain:--domain https://evil.example --challenge $challenge" \
                 "challenge:--domain $domain --challenge $challenge-other"; do
        want="${wrong%%:*}"
        # shellcheck disable=SC2086
        "$COOPCREDS" verify --json --now "$now" ${wrong#*:} "$file" > "$work/out.txt" 2>&1
        rc=$?
        failed_checks="$(failed_of "$work/out.txt")"
        ok=1
        [ "$rc" = 1 ] && [ "$failed_checks" = "$want" ] && ok=0
        [ "$ok" = 0 ] || cat "$work/out.txt"
        record "$ok" "coopcreds rejects presentation $name for another $want (exit $rc, want 1; failed: ${failed_checks:-none})"
    done
done

echo
echo "== summary"
failed=0
for line in "${results[@]}"; do
    echo "$line"
    case "$line" in FAIL*) failed=$((failed + 1)) ;; esac
done
echo
if [ "$failed" = 0 ] && [ "${#results[@]}" -gt 0 ]; then
    echo "INTEROP PASS: ${#results[@]} checks"
    exit 0
fi
echo "INTEROP FAIL: $failed of ${#results[@]} checks failed"
exit 1
