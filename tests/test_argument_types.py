"""A wrong argument type is refused as one: ``TypeError`` or a ``CoopCredsError``, never an
internal error (``AttributeError``, ``KeyError``, ``RecursionError``...).

Three layers: a property test that calls the facade's functions with random
type substitutions; a sweep that calls every public function and class of the
foundation and of ``vc`` with wrong values for all its required arguments; and
named cases (a cyclic dict, ``None`` to sign-in, a list where a dict is
expected, bytes where text is expected, an undefined term).
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os
import pkgutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import coopcreds_proto
import coopcreds_proto.vc
from coopcreds_proto import (
    Ed25519Key,
    Ed25519PublicKey,
    LocalRegistry,
    SeededRandom,
    TrustRegistry,
    VerifierOptions,
    decide,
    export_contexts,
    issue,
    load_key,
    load_policy,
    load_public_key,
    load_trust_dir,
    present,
    read_status,
    resolve_did_key,
    sample_actors,
    sample_membership_credential,
    save_key,
    verify_credential,
    verify_presentation,
)
from coopcreds_proto.errors import CoopCredsError, UnsafeJsonLdError
from coopcreds_proto.vc.presentations import PRESENTATION_STEPS
from coopcreds_proto.vc.signin import Refusal, SignInService
from coopcreds_proto.vc.verification import CREDENTIAL_STEPS

REPO = Path(__file__).resolve().parents[1]
NOW = "2026-06-01T12:00:00Z"
DOMAIN = "https://shop.example"
ACTORS = sample_actors()
UNSIGNED = sample_membership_credential(ACTORS)
SIGNED = issue(UNSIGNED, ACTORS.coop, created="2026-01-15T09:00:00Z")
SHOWN = present([SIGNED], ACTORS.member, challenge="c-1", domain=DOMAIN, created=NOW)
POLICY = load_policy(REPO / "data/policies/fast-track-sign-up.json")


def _cyclic_dict() -> dict:
    value: dict = {"a": 1}
    value["self"] = value
    return value


def _cyclic_list() -> list:
    value: list = [1]
    value.append(value)
    return value


@contextlib.contextmanager
def _in_a_scratch_folder() -> Iterator[Path]:
    """Run in an empty working folder: a wrong path argument writes nothing elsewhere."""
    before = Path.cwd()
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        try:
            yield Path(scratch)
        finally:
            os.chdir(before)


# --- the facade, with random type substitutions ------------------------------------

# name -> (function, positional arguments, keyword arguments, the arguments that
# are paths: a str there is the right type, so it is not a substitution).
Call = tuple[Callable[..., Any], list, dict, frozenset]


def _facade_calls(scratch: Path) -> dict[str, Call]:
    registry = LocalRegistry(scratch / "registry")
    key_file = save_key(ACTORS.coop, scratch / "coop-key.json", overwrite=True)
    policy_file = REPO / "data/policies/fast-track-sign-up.json"
    paths = frozenset
    return {
        "issue": (issue, [UNSIGNED, ACTORS.coop], {"created": NOW}, paths()),
        "verify_credential": (verify_credential, [SIGNED], {"now": NOW}, paths()),
        "verify_credential(options)": (
            verify_credential, [SIGNED, VerifierOptions(now=NOW)], {}, paths()),
        "present": (present, [[SIGNED], ACTORS.member],
                    {"challenge": "c-1", "domain": DOMAIN, "created": NOW}, paths()),
        "verify_presentation": (verify_presentation, [SHOWN],
                                {"challenge": "c-1", "domain": DOMAIN, "now": NOW}, paths()),
        "read_status": (read_status, [SIGNED], {"registry": registry, "now": NOW}, paths()),
        "decide": (decide, [SHOWN, POLICY], {"trust": TrustRegistry(), "challenge": "c-1",
                                             "domain": DOMAIN, "now": NOW}, paths()),
        "load_policy": (load_policy, [policy_file], {}, paths({0})),
        "load_key": (load_key, [key_file], {}, paths({0})),
        "load_public_key": (load_public_key, [key_file], {}, paths({0})),
        "save_key": (save_key, [ACTORS.coop, scratch / "out.json"], {"overwrite": True},
                     paths({1})),
        "resolve_did_key": (resolve_did_key, [ACTORS.coop.did], {}, paths()),
        "export_contexts": (export_contexts, [scratch / "contexts"], {}, paths({0})),
        "sample_membership_credential": (sample_membership_credential, [ACTORS], {}, paths()),
        "load_trust_dir": (load_trust_dir, [scratch / "trust"], {"now": NOW,
                                                                 "registry": registry},
                           paths({0})),
        "Ed25519Key": (Ed25519Key, [bytes(32)], {}, paths()),
        "Ed25519Key.from_seed_hex": (Ed25519Key.from_seed_hex, ["00" * 32], {}, paths()),
        "Ed25519Key.from_multikey": (
            Ed25519Key.from_multikey, [ACTORS.coop.to_multikey(include_secret=True)], {},
            paths()),
        "Ed25519PublicKey": (Ed25519PublicKey, [bytes(32)], {}, paths()),
        "Ed25519PublicKey.from_multikey": (
            Ed25519PublicKey.from_multikey, [ACTORS.coop.to_multikey()], {}, paths()),
        "LocalRegistry": (LocalRegistry, [scratch / "registry"], {}, paths({0})),
        "VerifierOptions": (VerifierOptions, [], {"now": NOW, "clock_skew": timedelta(minutes=5),
                                                  "registry": registry}, paths()),
        "SeededRandom": (SeededRandom, ["seed"], {}, paths()),
        "TrustRegistry": (TrustRegistry, [], {"anchors": {}, "accreditations": ()}, paths()),
    }


WRONG_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.binary(max_size=16),
    st.text(max_size=16), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=3),
    st.builds(_cyclic_dict), st.builds(_cyclic_list), st.builds(object),
    st.just(ACTORS.coop), st.just(datetime(2026, 1, 1)), st.frozensets(st.integers(), max_size=2),
    st.tuples(st.integers()), st.just(timedelta(days=1)),
)
NAMES = sorted(_facade_calls(Path(tempfile.gettempdir())))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(NAMES), data=st.data())
def test_the_facade_refuses_random_type_substitutions(name, data):
    with _in_a_scratch_folder() as scratch:
        function, args, kwargs, paths = _facade_calls(scratch)[name]
        slots = [("arg", i) for i in range(len(args))] + [("kw", k) for k in kwargs]
        if not slots:
            return
        chosen = data.draw(st.lists(st.sampled_from(slots), min_size=1, max_size=2, unique=True))
        args, kwargs = list(args), dict(kwargs)
        for kind, slot in chosen:
            value = data.draw(WRONG_VALUES, label=f"{kind} {slot}")
            if slot in paths and isinstance(value, (str, bytes)):
                continue  # a path given as text is the right type
            if kind == "arg":
                args[slot] = value
            else:
                kwargs[slot] = value
        try:
            function(*args, **kwargs)
        except (TypeError, CoopCredsError):
            pass


# --- every public function of the foundation and of vc ------------------------------

# The verifiers' steps work on the state verify_credential and verify_presentation
# build from their (checked) inputs; callers call those entry points, swept above.
STEPS = {step.run for step in (*CREDENTIAL_STEPS, *PRESENTATION_STEPS)}
NOT_ENTRY_POINTS = {
    "proof_checks",  # the steps every secured document shares, over that state
    "checks",  # the Check type and the step runner, over the steps' own results
    "_old_paths",  # the import hook for old module paths
}
NOT_ENTRY_POINT_NAMES = {
    "jsonld_error",  # maps the exceptions PyLD raises
    "CredentialState", "PresentationState",  # the steps' state
}
BAD_ARGUMENTS = {
    "None": None, "float": 1.5, "bytes": b"x", "list": [1, "a"], "dict": {"a": 1},
    "cyclic": _cyclic_dict(), "object": object(), "naive datetime": datetime(2026, 1, 1),
    "key": ACTORS.coop,
}


def _public_callables() -> list[tuple[str, str, Callable[..., Any]]]:
    modules = [m.name for m in pkgutil.iter_modules(coopcreds_proto.__path__) if not m.ispkg]
    modules += [f"vc.{m.name}" for m in pkgutil.iter_modules(coopcreds_proto.vc.__path__)]
    found = []
    for name in sorted(set(modules) - NOT_ENTRY_POINTS):
        module = importlib.import_module(f"coopcreds_proto.{name}")
        for attribute in getattr(module, "__all__", None) or dir(module):
            obj = getattr(module, attribute, None)
            if attribute.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if attribute in NOT_ENTRY_POINT_NAMES or obj in STEPS:
                continue
            if inspect.isfunction(obj):
                found.append((name, attribute, obj))
            elif inspect.isclass(obj) and not issubclass(obj, BaseException):
                found.append((name, attribute, obj))
                for method_name, method in vars(obj).items():
                    if isinstance(method, (classmethod, staticmethod)) \
                            and not method_name.startswith("_"):
                        found.append((name, f"{attribute}.{method_name}",
                                      getattr(obj, method_name)))
    return found


PUBLIC = _public_callables()


def _required(function: Callable[..., Any]) -> list[inspect.Parameter] | None:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return None
    return [p for p in parameters if p.default is p.empty
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


class _TookTooLong(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _TookTooLong


def test_the_sweep_covers_the_foundation_and_vc():
    names = {f"{module}.{name}" for module, name, _ in PUBLIC}
    assert len(PUBLIC) > 150
    assert {"multibase.b58decode", "timestamps.parse_timestamp", "urls.check_url",
            "keys.load_key", "vc.status_list.revoke", "vc.wallet.Wallet",
            "safe_json.loads_strict", "canonical.canonicalize_jcs"} <= names


@pytest.mark.parametrize(("module", "name", "function"), PUBLIC,
                         ids=[f"{m}.{n}" for m, n, _ in PUBLIC])
def test_every_public_function_refuses_wrong_arguments_as_such(module, name, function):
    required = _required(function)
    if required is None:
        return
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        with _in_a_scratch_folder():
            for label, bad in BAD_ARGUMENTS.items():
                args = [bad for p in required if p.kind != p.KEYWORD_ONLY]
                kwargs = {p.name: bad for p in required if p.kind == p.KEYWORD_ONLY}
                signal.alarm(20)
                try:
                    function(*args, **kwargs)
                except (TypeError, CoopCredsError):
                    pass
                except _TookTooLong:
                    pytest.fail(f"{module}.{name} with {label} arguments did not return")
                except Exception as exc:  # noqa: BLE001 - the failure this test is about
                    pytest.fail(f"{module}.{name} with {label} arguments raised"
                                f" {type(exc).__name__}: {exc}")
                finally:
                    signal.alarm(0)
    finally:
        signal.signal(signal.SIGALRM, previous)


# --- named cases ------------------------------------------------------------------------


def test_a_cyclic_credential_is_refused_everywhere():
    cyclic = {**SIGNED, "credentialSubject": {**SIGNED["credentialSubject"]}}
    cyclic["credentialSubject"]["again"] = cyclic
    result = verify_credential(cyclic, now=NOW)
    assert not result.verified and result.failed[0].code == "too-deep"
    with pytest.raises(UnsafeJsonLdError) as err:
        issue({k: v for k, v in cyclic.items() if k != "proof"}, ACTORS.coop)
    assert err.value.code == "too-deep"
    shown = {**SHOWN}
    shown["verifiableCredential"] = [cyclic]
    result = verify_presentation(shown, challenge="c-1", domain=DOMAIN, now=NOW)
    assert not result.verified
    looped = {**SHOWN}
    looped["self"] = looped
    assert not verify_presentation(looped, challenge="c-1", domain=DOMAIN, now=NOW).verified


def test_sign_in_refuses_what_is_not_a_presentation():
    service = SignInService(DOMAIN, accepted_issuers=[ACTORS.coop.did])
    with pytest.raises(TypeError):
        service.complete(None)
    looped = {**SHOWN}
    looped["self"] = looped
    for answer in ([SHOWN], looped, b"\xff\xfe", "not json", "[]"):
        refusal = service.complete(answer)
        assert isinstance(refusal, Refusal) and refusal.reasons
    with pytest.raises(TypeError):
        SignInService(DOMAIN, accepted_issuers=ACTORS.coop.did)  # one DID, not a collection


def test_a_list_where_a_dict_is_expected():
    assert verify_credential([SIGNED], now=NOW).failed[0].code == "not-an-object"
    with pytest.raises(CoopCredsError) as err:
        issue([UNSIGNED], ACTORS.coop)
    assert err.value.code == "not-an-object"
    with pytest.raises(TypeError):
        read_status([SIGNED])
    with pytest.raises(TypeError):
        present(SIGNED, ACTORS.member, challenge="c-1", domain=DOMAIN)  # one, not a list


def test_bytes_where_text_is_expected():
    with pytest.raises(TypeError):
        verify_presentation(SHOWN, challenge=b"c-1", domain=DOMAIN)
    with pytest.raises(CoopCredsError):
        present([SIGNED], ACTORS.member, challenge=b"c-1", domain=DOMAIN)
    with pytest.raises(CoopCredsError):
        resolve_did_key(ACTORS.coop.did.encode())
    with pytest.raises(TypeError):
        load_key(__file__, passphrase=b"secret")


def test_a_key_that_is_not_a_key():
    for not_a_key in (None, ACTORS.coop.public_key, ACTORS.coop.to_multikey(), b"\0" * 32):
        with pytest.raises(TypeError):
            issue(UNSIGNED, not_a_key)
        with pytest.raises(TypeError):
            present([SIGNED], not_a_key, challenge="c-1", domain=DOMAIN)


@pytest.mark.parametrize(("where", "term"), [
    ("credentialSubject", "favouriteColour"), ("", "shoeSize"), ("", "@foo"),
])
def test_issuing_an_undefined_term_names_it(where, term):
    unsigned = {**UNSIGNED, "credentialSubject": {**UNSIGNED["credentialSubject"]}}
    (unsigned[where] if where else unsigned)[term] = "x"
    with pytest.raises(UnsafeJsonLdError) as err:
        issue(unsigned, ACTORS.coop)
    assert err.value.code == "undefined-term" and repr(term) in err.value.message
    assert err.value.path.endswith(term)
