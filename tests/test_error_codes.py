"""The catalogue of error codes is complete and true, and ``coopcreds errors`` reads it.

The package's source is read (``tests/error_sites.py``) for every place that
makes an error with a code: each code must be in the catalogue, with the one
class that raises it and exactly the modules that do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from error_sites import Site, catalogue_problems, codes_by_class, module_sources, scan

import coopcreds_proto
from coopcreds_proto.checks import CheckFailed
from coopcreds_proto.cli import main
from coopcreds_proto.consultation.feedback import FeedbackError, FeedbackProblem
from coopcreds_proto.definitions.definition import DefinitionError, Problem
from coopcreds_proto.error_codes import CATALOGUE, ERROR_CLASSES, ErrorCode, codes_of, explain
from coopcreds_proto.errors import CoopCredsError, InputError, KeyMaterialError
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.samples import SAMPLE_NOW, sample_actors, sample_membership_credential
from coopcreds_proto.vc.verification import verify_credential

PACKAGE_DIR = Path(coopcreds_proto.__file__).resolve().parent
SCAN = scan(module_sources(PACKAGE_DIR))

def _all_sites() -> list[Site]:
    return list(SCAN.sites)


# --- the catalogue is complete and true --------------------------------------


def test_every_code_raised_is_catalogued_with_its_one_class_and_its_modules():
    assert catalogue_problems(_all_sites(), CATALOGUE) == []


def test_no_code_is_raised_by_two_classes():
    shared = {code: sorted(classes) for code, classes in codes_by_class(_all_sites()).items()
              if len(classes) > 1}
    assert shared == {}


def test_codes_are_written_out_where_errors_are_made():
    found = {(site.module, site.expression) for site in SCAN.dynamic}
    computed = sorted(f"{module}: {expression}" for module, expression in found)
    assert computed == [], "write the code out, or re-raise with exc.with_context(...)"


def test_the_verifiers_checks_are_catalogued():
    checks = {site.code for site in _all_sites() if site.error_class == "CheckFailed"}
    assert {"bad-signature", "expired", "issuer-mismatch", "wrong-challenge"} <= checks
    assert {entry.code for entry in codes_of(CheckFailed)} == checks


def test_every_code_in_a_verification_result_is_catalogued():
    actors = sample_actors()
    signed = issue(sample_membership_credential(actors), actors.coop)
    tampered = {**signed, "credentialSubject": {**signed["credentialSubject"], "name": "Eve"}}
    for document in (signed, tampered, {**signed, "proof": "none"}, b"{", []):
        result = verify_credential(document, now=SAMPLE_NOW)
        codes = [check["code"] for check in result.to_json()["checks"] if check["code"]]
        assert set(codes) <= set(CATALOGUE), codes
    assert "bad-signature" in [c.code for c in verify_credential(tampered, now=SAMPLE_NOW).checks]


def test_the_codes_only_a_check_result_carries_are_catalogued_under_check():
    assert {"not-checked", "too-old", "issuer-untrusted"} <= {c.code for c in codes_of("Check")}
    assert explain("not-checked").class_path == "coopcreds_proto.checks.Check"


def test_the_catalogue_names_every_error_class_and_where_it_is_defined():
    assert dict(ERROR_CLASSES) == dict(SCAN.classes)
    assert {entry.error_class for entry in CATALOGUE.values()} <= set(ERROR_CLASSES)


def test_each_meaning_is_one_plain_sentence():
    for entry in CATALOGUE.values():
        meaning = entry.meaning
        assert meaning[0].isupper() and meaning.endswith("."), entry.code
        assert "\n" not in meaning and ". " not in meaning[:-1], entry.code
        assert len(meaning) <= 160, entry.code
        assert list(entry.raised_in) == sorted(set(entry.raised_in)), entry.code


# --- the check itself fails when it should ------------------------------------

ERRORS_SOURCE = '''
class CoopCredsError(Exception):
    def __init__(self, code, message, *, path=None):
        super().__init__(message)

class InputError(CoopCredsError):
    pass

class ProofError(CoopCredsError):
    pass

class BatchError(InputError):
    def __init__(self, problems):
        super().__init__("bad-batch", "the batch has problems")
'''

MODULE_SOURCE = '''
from .errors import BatchError, InputError, ProofError

def _bad(field, code="bad-field"):
    return InputError(code, f"{field} is wrong")

def check(x):
    if x == 0:
        raise InputError("catalogued-code", "a known problem")
    if x == 1:
        raise _bad("x")
    if x == 2:
        raise _bad("y", code="other-field")
    if x == 3:
        raise BatchError([x])
    if x == 4:
        raise ProofError("brand-new-code" if x else "catalogued-code", "a new problem")
    raise InputError(f"computed-{x}", "a code nobody can look up")
'''


@dataclass(frozen=True)
class _Entry:
    error_class: str
    raised_in: tuple[str, ...]


def test_the_scan_finds_literal_codes_helpers_fixed_codes_and_computed_codes():
    found = scan({"pkg.errors": ERRORS_SOURCE, "pkg.checks": MODULE_SOURCE})
    assert sorted({(s.code, s.error_class) for s in found.sites}) == [
        ("bad-batch", "BatchError"),  # fixed by the class
        ("bad-field", "InputError"),  # the helper's default
        ("brand-new-code", "ProofError"),
        ("catalogued-code", "InputError"),
        ("catalogued-code", "ProofError"),
        ("other-field", "InputError"),  # passed to the helper
    ]
    assert [(d.error_class, d.expression) for d in found.dynamic] == [
        ("InputError", "f'computed-{x}'")
    ]
    assert found.classes == {name: "pkg.errors" for name in
                             ("BatchError", "CoopCredsError", "InputError", "ProofError")}


def test_an_uncatalogued_code_a_second_class_and_a_stale_entry_are_each_reported():
    found = scan({"pkg.errors": ERRORS_SOURCE, "pkg.checks": MODULE_SOURCE})
    here = ("pkg.checks",)
    catalogue = {
        "bad-batch": _Entry("BatchError", here),
        "bad-field": _Entry("InputError", here),
        "catalogued-code": _Entry("InputError", here),
        "other-field": _Entry("InputError", ("pkg.elsewhere",)),
        "retired-code": _Entry("InputError", here),
    }
    assert catalogue_problems(found.sites, catalogue) == [
        "brand-new-code: raised by ProofError in pkg.checks, but not in the catalogue",
        ("catalogued-code: raised by 2 classes (InputError in pkg.checks; ProofError in"
         " pkg.checks)"),
        "catalogued-code: raised by ProofError in pkg.checks, catalogued as InputError",
        "other-field: raised in pkg.checks, catalogued as raised in pkg.elsewhere",
        "retired-code: catalogued, but never raised",
    ]


# --- looking codes up ----------------------------------------------------------


def test_explain_gives_the_entry_of_a_code():
    entry = explain("wrong-passphrase")
    assert entry == ErrorCode(
        "wrong-passphrase", "KeyMaterialError",
        "The passphrase does not open the key file (or the file is corrupted).",
        ("coopcreds_proto.keys",),
    )
    assert entry.class_path == "coopcreds_proto.errors.KeyMaterialError"
    assert entry.to_json() == {
        "code": "wrong-passphrase", "class": "coopcreds_proto.errors.KeyMaterialError",
        "meaning": entry.meaning, "raisedIn": ["coopcreds_proto.keys"],
    }


def test_explain_refuses_an_unknown_code_and_suggests_near_ones():
    with pytest.raises(InputError) as unknown:
        explain("wrong-passphrse")
    assert unknown.value.code == "unknown-error-code"
    assert "did you mean wrong-passphrase?" in unknown.value.message


def test_codes_of_lists_a_class_by_name_or_by_class():
    assert codes_of("KeyMaterialError") == codes_of(KeyMaterialError)
    assert "wrong-passphrase" in [entry.code for entry in codes_of(KeyMaterialError)]
    assert codes_of("NoSuchError") == ()


def test_a_raised_error_is_explained_by_its_own_class():
    with pytest.raises(CoopCredsError) as raised:
        coopcreds_proto.keys.Ed25519Key.from_seed_hex("00")
    assert explain(raised.value.code).error_class == type(raised.value).__name__


# --- adding context keeps the class ------------------------------------------------


def test_with_context_keeps_class_code_and_path():
    err = KeyMaterialError("wrong-passphrase", "wrong passphrase", path="k.json")
    again = err.with_context("--key")
    assert (type(again), again.code, again.message, again.path) == (
        KeyMaterialError, "wrong-passphrase", "--key: wrong passphrase", "k.json")
    assert str(again) == "--key: wrong passphrase (at k.json)"
    assert err.message == "wrong passphrase"  # the original is unchanged


def test_with_path_and_with_message_keep_a_subclass_and_its_own_attributes():
    problems = [FeedbackProblem("missing-field", "stance is missing", "stance", line=3)]
    err = FeedbackError.from_problems(problems, source="feedback.jsonl")
    moved = err.with_path("elsewhere.jsonl").with_message("stance is missing here")
    assert type(moved) is FeedbackError and moved.code == "missing-field"
    assert (moved.problems, moved.line, moved.field) == (err.problems, 3, "stance")
    assert (moved.path, moved.message) == ("elsewhere.jsonl", "stance is missing here")
    # A class whose __init__ takes other arguments than (code, message) comes back too.
    definition = DefinitionError([Problem("$.title", "missing", "title is missing")], "d.yaml")
    located = definition.with_context("v0.2")
    assert type(located) is DefinitionError and located.problems == definition.problems
    assert located.message.startswith("v0.2: d.yaml: 1 problem")


# --- coopcreds errors ----------------------------------------------------------------


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_errors_lists_every_code_by_class(capsys):
    rc, out, _ = run(capsys, "errors")
    assert rc == 0
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("  ")]
    assert sorted(listed) == sorted(CATALOGUE)
    assert "InputError (coopcreds_proto.errors.InputError)" in out.splitlines()
    assert "  challenge-replayed  " in out


def test_errors_code_prints_its_entry(capsys):
    rc, out, _ = run(capsys, "errors", "challenge-replayed")
    assert rc == 0
    assert out.splitlines() == [
        "challenge-replayed (ChallengeError)",
        "  The challenge was used already: a replayed presentation is refused.",
        "  class: coopcreds_proto.vc.challenges.ChallengeError",
        "  raised in: coopcreds_proto.service.challenges, coopcreds_proto.vc.challenges",
    ]


def test_errors_json_is_the_catalogue_for_programs(capsys):
    rc, out, _ = run(capsys, "errors", "--json")
    assert rc == 0
    assert json.loads(out) == [entry.to_json() for entry in CATALOGUE.values()]
    rc, out, _ = run(capsys, "errors", "too-deep", "--json")
    assert json.loads(out)["class"] == "coopcreds_proto.errors.UnsafeJsonLdError"


def test_errors_with_an_unknown_code_is_one_line_and_exit_2(capsys):
    rc, out, err = run(capsys, "errors", "not-jsn")
    assert (rc, out) == (2, "")
    assert err == "coopcreds: error: no error code 'not-jsn' (did you mean not-json?)\n"
