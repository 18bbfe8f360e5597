"""The facade (``import coopcreds_proto``) and the rooms' ``__init__`` modules."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

import coopcreds_proto
from coopcreds_proto import proofs

PACKAGE_DIR = Path(coopcreds_proto.__file__).parent
ROOMS = sorted(p.parent.name for p in PACKAGE_DIR.glob("*/__init__.py"))
# Heavy or notebook-only libraries: `import coopcreds_proto` loads none of them.
HEAVY = ("pandas", "networkx", "matplotlib", "scipy", "numpy", "ipywidgets", "IPython",
         "jupyter", "jupyter_client", "jupyter_core", "jupyterlab", "voila", "segno", "tqdm")
# Rooms whose __init__ re-exports names of their own modules (on purpose, see each).
REEXPORTING = {"consultation", "cryptosuites", "ecosystem", "cli"}


def _run(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    return json.loads(done.stdout)


def _modules_of(room: str) -> set[str]:
    folder = PACKAGE_DIR / room
    return {p.stem for p in folder.glob("*.py") if not p.name.startswith("_")} | {
        p.parent.name for p in folder.glob("*/__init__.py") if not p.parent.name.startswith("_")
    }


# --- the facade ---------------------------------------------------------------------


def test_importing_the_package_stays_light() -> None:
    loaded = _run("import json, sys, coopcreds_proto\n"
                  "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    assert "coopcreds_proto" in loaded
    assert [name for name in HEAVY if name in loaded] == []


def test_pyld_is_imported_without_a_network_loader() -> None:
    # PyLD's default document loader is its dummy one (it refuses every URL), not
    # an HTTP client: none is imported with the package, and requests stays importable.
    found = _run(
        "import json, sys, importlib.util, coopcreds_proto\n"
        "from pyld import jsonld\n"
        "loaded = 'requests' in sys.modules or 'aiohttp' in sys.modules\n"
        "try:\n"
        "    jsonld._default_document_loader('https://contexts.example/x', {})\n"
        "    refused = None\n"
        "except jsonld.JsonLdError as exc:\n"
        "    refused = exc.code\n"
        "spec = importlib.util.find_spec('requests') is not None\n"
        "print(json.dumps([loaded, refused, spec, 'requests' in sys.modules]))")
    assert found == [False, "no default document loader", True, False]


def test_all_is_exactly_what_the_facade_exports() -> None:
    exported = coopcreds_proto.__all__
    assert len(exported) == len(set(exported))
    public = {name for name, value in vars(coopcreds_proto).items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType)}
    assert public == set(exported)


@pytest.mark.parametrize("name", [
    "issue", "verify_credential", "present", "verify_presentation", "read_status",
    "TrustRegistry", "load_trust_dir", "decide", "Ed25519Key", "Ed25519PublicKey", "load_key",
    "save_key", "load_public_key", "resolve_did_key", "CoopCredsError", "InputError",
    "KeyMaterialError", "ProofError", "VerificationResult", "Check", "OfflineDocumentLoader",
    "LocalRegistry", "SeededRandom", "SystemRandom", "sample_actors",
    "sample_membership_credential", "SigningKey", "PublicKey", "VerifierOptions",
])
def test_the_one_obvious_way_is_exported(name: str) -> None:
    assert name in coopcreds_proto.__all__
    assert getattr(coopcreds_proto, name) is not None


@pytest.mark.parametrize("name", ["add_proof", "create_proof", "ProofOptions"])
def test_signing_primitives_live_in_proofs_not_the_facade(name: str) -> None:
    assert name not in coopcreds_proto.__all__
    assert not hasattr(coopcreds_proto, name)
    with pytest.raises(ModuleNotFoundError):  # nor a module of that name
        importlib.import_module(f"coopcreds_proto.{name}")
    assert callable(getattr(proofs, name))


def test_the_facade_names_the_objects_of_their_modules() -> None:
    from coopcreds_proto.trust.recognition import decide
    from coopcreds_proto.vc.verification import read_status, verify_credential

    assert coopcreds_proto.decide is decide
    assert coopcreds_proto.read_status is read_status
    assert coopcreds_proto.verify_credential is verify_credential


# --- the rooms ------------------------------------------------------------------------


def test_every_room_is_known() -> None:
    assert ROOMS == ["cli", "consultation", "cryptosuites", "definitions", "demos", "display",
                     "ecosystem", "issuer", "service", "trust", "vc", "widgets", "workshop"]


@pytest.mark.parametrize("room", ROOMS)
def test_each_room_has_a_docstring_and_an_all_naming_its_modules(room: str) -> None:
    source = (PACKAGE_DIR / room / "__init__.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    docstring = ast.get_docstring(tree)
    assert docstring and docstring.splitlines()[0].strip()
    assigned = [node for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
                and "__all__" in ast.unparse(node.targets[0] if isinstance(node, ast.Assign)
                                             else node.target)]
    assert len(assigned) == 1, "__all__ is one literal list"
    names = ast.literal_eval(assigned[0].value)
    assert len(names) == len(set(names))
    modules = _modules_of(room)
    assert {n for n in names if n in modules} == modules, "every module, and only modules"
    others = [n for n in names if n not in modules]
    if room not in REEXPORTING:
        assert others == []
    else:
        package = importlib.import_module(f"coopcreds_proto.{room}")
        assert all(hasattr(package, n) for n in others)


@pytest.mark.parametrize("room", sorted(set(ROOMS) - REEXPORTING))
def test_importing_a_room_imports_none_of_its_modules(room: str) -> None:
    # What the room adds to what the facade itself imports.
    added = _run(f"import json, sys, coopcreds_proto\nbefore = set(sys.modules)\n"
                 f"import coopcreds_proto.{room}\n"
                 "print(json.dumps(sorted(set(sys.modules) - before)))")
    assert [m for m in added if m.startswith(f"coopcreds_proto.{room}.")] == []


def test_consultation_keeps_the_old_module_names() -> None:
    from coopcreds_proto import consultation
    from coopcreds_proto.consultation import feedback

    tree = ast.parse(Path(feedback.__file__).read_text(encoding="utf-8"))
    defined = {node.name for node in tree.body
               if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    defined |= {target.id for node in tree.body if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}
    public = {name for name in defined if not name.startswith("_")}
    assert "make_record" in public and "FeedbackRecord" in public
    for name in public:
        assert getattr(consultation, name) is getattr(feedback, name), name
        assert name in consultation.__all__
    from coopcreds_proto.consultation import FeedbackError, read_feedback  # the old spelling

    assert FeedbackError is feedback.FeedbackError and read_feedback is feedback.read_feedback
