"""Old module paths import the same module as their new path, with a DeprecationWarning."""

from __future__ import annotations

import importlib
import importlib.machinery
import json
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import coopcreds_proto
from coopcreds_proto import _old_paths
from coopcreds_proto._old_paths import FINDER, MOVED, new_path

OLD_NAMES = sorted(MOVED)


def _forget(old: str) -> None:
    """Make the next import of ``old`` go through the import system again."""
    sys.modules.pop(f"coopcreds_proto.{old}", None)
    vars(coopcreds_proto).pop(old, None)


def _moved_warnings(caught: list[warnings.WarningMessage]) -> list[warnings.WarningMessage]:
    return [w for w in caught if issubclass(w.category, DeprecationWarning)
            and "moved to coopcreds_proto." in str(w.message)]


@pytest.mark.parametrize("old", OLD_NAMES)
def test_every_old_name_is_the_new_module_with_a_warning(old: str) -> None:
    new = f"coopcreds_proto.{MOVED[old]}"
    module = importlib.import_module(new)
    spec = module.__spec__
    _forget(old)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = sys._getframe().f_lineno + 1
        aliased = importlib.import_module(f"coopcreds_proto.{old}")
    assert aliased is module
    assert module.__spec__ is spec and module.__name__ == new  # the real module is untouched
    [warning] = _moved_warnings(caught)
    assert warning.category is DeprecationWarning
    assert str(warning.message).startswith(f"coopcreds_proto.{old} moved to {new}:")
    assert (warning.filename, warning.lineno) == (__file__, line)  # where it was imported


def test_the_import_statements_of_old_code_work() -> None:
    for old in ("verification", "verifier_policy", "rendering"):
        _forget(old)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import coopcreds_proto.verifier_policy as policy
        from coopcreds_proto.rendering import credential_card

        from coopcreds_proto import verification
    from coopcreds_proto.display.cards import credential_card as card
    from coopcreds_proto.trust import policy as new_policy
    from coopcreds_proto.vc import verification as new_verification

    assert verification is new_verification and policy is new_policy
    assert credential_card is card
    assert len(_moved_warnings(caught)) == 3
    assert {w.filename for w in _moved_warnings(caught)} == {__file__}


def test_objects_pickled_under_an_old_path_load() -> None:
    from coopcreds_proto.trust.registry import TrustRegistry

    _forget("trust_registry")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        loaded = pickle.loads(b"ccoopcreds_proto.trust_registry\nTrustRegistry\n.")
    assert loaded is TrustRegistry


def _new_names() -> list[str]:
    names = {f"coopcreds_proto.{new}" for new in MOVED.values()}
    names |= {f"coopcreds_proto.{p.parent.name}"
              for p in Path(coopcreds_proto.__file__).parent.glob("*/__init__.py")}
    return sorted(names)


def test_a_new_name_never_warns() -> None:
    names = _new_names()
    assert all(new_path(new) is None and FINDER.find_spec(new) is None for new in names)
    # A fresh interpreter, so that every module really is imported.
    code = (
        "import importlib, json, sys, warnings\n"
        "warnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        f"    for name in {names!r}: importlib.import_module(name)\n"
        "print(json.dumps([str(w.message) for w in caught]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=300)
    assert [m for m in json.loads(done.stdout) if "moved to coopcreds_proto." in m] == []


def test_the_finder_never_shadows_a_real_module() -> None:
    package_path = list(coopcreds_proto.__path__)
    for old in OLD_NAMES:
        real = importlib.machinery.PathFinder.find_spec(f"coopcreds_proto.{old}", package_path)
        assert real is None, f"coopcreds_proto.{old} is a real module: drop it from MOVED"
    assert sys.meta_path[-1] is FINDER  # asked only when every other finder found nothing
    assert sum(1 for f in sys.meta_path if f is FINDER) == 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        importlib.import_module("coopcreds_proto.cli")
        consultation = importlib.import_module("coopcreds_proto.consultation")
    assert _moved_warnings(caught) == []
    assert hasattr(consultation, "__path__")  # the room, not its feedback module
    assert FINDER.find_spec("coopcreds_proto.keys") is None
    assert FINDER.find_spec("other_package.registry") is None
    assert FINDER.find_spec("coopcreds_proto.vc.registry") is None


def test_installing_twice_adds_one_finder() -> None:
    _old_paths.install()
    _old_paths.install()
    assert sum(1 for f in sys.meta_path if isinstance(f, _old_paths._OldPathFinder)) == 1


def test_an_unknown_old_name_is_still_an_import_error() -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("coopcreds_proto.no_such_module")
