#!/usr/bin/env bash
# Interoperability check of ecdsa-sd-2023 against Digital Bazaar's
# @digitalbazaar/ecdsa-sd-2023-cryptosuite (see ../README.md). Optional: needs
# Node >= 18 and npm; CI does not run it.
#
#   bash tests/interop/sd/run_sd.sh
#
# COOPCREDS_INTEROP_NO_INSTALL=1 skips `npm install`; COOPCREDS_INTEROP_KEEP=1 keeps
# the work directory.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
PYTHON="${PYTHON:-$repo/.venv/bin/python}"
COOPCREDS="${COOPCREDS:-$repo/.venv/bin/coopcreds}"

die() { echo "interop: $*" >&2; exit 2; }
command -v node >/dev/null || die "node is not installed (this check is optional)"
cd "$here" || die "cannot enter $here"
if [ "${COOPCREDS_INTEROP_NO_INSTALL:-}" != 1 ]; then
    npm install --no-audit --no-fund --loglevel=error || die "npm install failed"
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/coopcreds-interop-sd.XXXXXX")"
if [ "${COOPCREDS_INTEROP_KEEP:-}" = 1 ]; then echo "work directory: $work"; else trap 'rm -rf "$work"' EXIT; fi

results=()
record() { if [ "$1" = 0 ]; then results+=("PASS  $2"); else results+=("FAIL  $2"); fi; }
js() {  # js ARGS...: run the script, keep its PASS/FAIL lines
    local out rc
    out="$(node "$here/sd_interop.mjs" "$@" 2>&1)"; rc=$?
    echo "$out"
    while IFS= read -r line; do case "$line" in PASS*|FAIL*) results+=("$line") ;; esac; done <<< "$out"
    return $rc
}
verify_here() {  # verify_here FILE LABEL: coopcreds verify must exit 0
    "$COOPCREDS" verify --now "$now" "$1" > "$work/out.txt" 2>&1; local rc=$?
    [ "$rc" = 0 ] || cat "$work/out.txt"
    record "$rc" "$2 (exit $rc, want 0)"
}

"$COOPCREDS" contexts export "$work/contexts" >/dev/null || die "contexts export failed"
"$PYTHON" "$here/make_sd_credentials.py" "$work" || die "make_sd_credentials.py failed"
now="$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["now"])' "$work/meta.json")"
created="$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["created"])' "$work/meta.json")"
reveal=(--reveal /credentialSubject/membershipStatus --reveal /credentialSubject/memberOf/sector)

echo "== coopcreds base -> coopcreds derive -> JS verify"
js verify --contexts "$work/contexts" "$work/coopcreds-derived.json"

echo "== coopcreds base -> JS derive -> coopcreds verify (and the same disclosure as coopcreds')"
js derive --contexts "$work/contexts" "${reveal[@]}" --out "$work/js-derived.json" \
    "$work/coopcreds-base.json"
verify_here "$work/js-derived.json" "coopcreds verifies JS's disclosure of a coopcreds base proof"
"$PYTHON" -c 'import json,sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' \
    "$work/js-derived.json" "$work/coopcreds-derived.json"
record $? "JS and coopcreds derive the same disclosure, proofValue included"

echo "== JS base -> coopcreds derive -> coopcreds and JS verify"
js issue --contexts "$work/contexts" --key "$work/issuer-key.json" --created "$created" \
    --mandatory /issuer --mandatory /validFrom --mandatory /validUntil --mandatory /type \
    --out "$work/js-base.json" "$work/unsigned.json"
"$COOPCREDS" derive "$work/js-base.json" --reveal /credentialSubject/memberName \
    > "$work/from-js.json"
record $? "coopcreds derives from JS's base proof"
verify_here "$work/from-js.json" "coopcreds verifies its disclosure of JS's base proof"
js verify --contexts "$work/contexts" "$work/from-js.json"

echo; echo "== summary"
failed=0
for line in "${results[@]}"; do echo "$line"; case "$line" in FAIL*) failed=$((failed + 1)) ;; esac; done
if [ "$failed" = 0 ] && [ "${#results[@]}" -gt 0 ]; then echo "INTEROP SD PASS: ${#results[@]} checks"; exit 0; fi
echo "INTEROP SD FAIL: $failed of ${#results[@]} checks failed"; exit 1
