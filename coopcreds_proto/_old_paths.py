"""Old module paths keep working for one release: each is the new module, with a warning.

Before the package had rooms, its modules sat side by side
(``coopcreds_proto.verifier_policy``, ``coopcreds_proto.widgets_workshop``...).
A finder at the end of ``sys.meta_path`` maps each old name in ``MOVED`` to
the module at its new path: the same module object, not a copy, so classes,
caches and ``isinstance`` agree. Importing an old name warns once with a
``DeprecationWarning`` that names the new path, pointing at the line that
imported it. The finder runs only after the normal finders found nothing, so
it never hides a real module; a new name never warns.

>>> new_path("coopcreds_proto.verifier_policy")
'coopcreds_proto.trust.policy'
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Sequence
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
from types import FrameType, ModuleType

PACKAGE = "coopcreds_proto"

# Old module (relative to the package) -> its new path. An old name that is
# still a real module is not listed: ``cli`` kept its name, and
# ``consultation`` is now the package that re-exports ``consultation.feedback``.
MOVED: dict[str, str] = {
    "registry": "local_registry",
    # vc
    "credentials": "vc.credentials",
    "verification": "vc.verification",
    "schema_check": "vc.schema_check",
    "integrity": "vc.related_resources",
    "status_list": "vc.status_list",
    "status_check": "vc.status_check",
    "presentations": "vc.presentations",
    "challenges": "vc.challenges",
    "presentation_request": "vc.presentation_request",
    "wallet": "vc.wallet",
    "signin": "vc.signin",
    "pairwise": "ecosystem.pairwise",
    "samples": "vc.samples",
    # definitions
    "definition": "definitions.definition",
    "definition_artefacts": "definitions.artefacts",
    "definition_release": "definitions.release",
    # issuer
    "member_register": "issuer.member_register",
    "issuance": "issuer.batch",
    # trust
    "trust_registry": "trust.registry",
    "accreditation": "trust.accreditation",
    "verifier_policy": "trust.policy",
    "identity_assurance": "trust.identity_assurance",
    "recognition": "trust.recognition",
    "onboarding": "trust.onboarding",
    # consultation
    "consultation_report": "consultation.report",
    "proposals": "consultation.proposals",
    "workshop_data": "consultation.sample_feedback",
    # ecosystem
    "trust_models": "ecosystem.trust_registry_for_model",
    # display
    "rendering": "display.cards",
    "decision_report": "display.decision_report",
    # demos
    "demo": "demos.forgeries",
    "stay_fair": "demos.stay_fair",
    "stay_fair_models": "demos.stay_fair_models",
    # widgets
    "widgets_consultation": "widgets.consultation",
    "widgets_definition": "widgets.definition",
    "widgets_ecosystem": "widgets.ecosystem",
    # workshop
    "widgets_workshop": "workshop.app",
    "workshop_app": "workshop.server",
    "workshop_pack": "workshop.pack",
    "chromium": "workshop.chromium",
    # cli
    "cli_definitions": "cli.definitions",
    "cli_did_web": "cli.did_web",
    "cli_feedback": "cli.feedback",
    "cli_issue_batch": "cli.issue_batch",
    "cli_network": "cli.network",
    "cli_present": "cli.present",
    "cli_simulate": "cli.simulate",
    "cli_status": "cli.status",
    "cli_trust": "cli.trust",
    "cli_workshop": "cli.workshop",
    "cli_workshop_pack": "cli.workshop_pack",
}


def new_path(old: str) -> str | None:
    """The new full module name for the old full name ``old``, or None if it did not move.

    >>> new_path("coopcreds_proto.registry"), new_path("coopcreds_proto.keys")
    ('coopcreds_proto.local_registry', None)
    """
    package, _, name = old.partition(".")
    if package != PACKAGE or name not in MOVED:
        return None
    return f"{PACKAGE}.{MOVED[name]}"


def _is_machinery(filename: str) -> bool:
    return (filename == __file__ or filename == importlib.__file__
            or filename.startswith("<frozen importlib"))


def _importing_frame() -> FrameType | None:
    """The frame of the code that imported the old name (outside importlib and this module)."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and _is_machinery(frame.f_code.co_filename):
        frame = frame.f_back
    return frame


def _warn(old: str, new: str) -> None:
    message = (f"{old} moved to {new}: import it from there (the old path goes in the"
               " next release)")
    frame = _importing_frame()
    if frame is None:
        warnings.warn(message, DeprecationWarning, stacklevel=2)
        return
    # warn_explicit with the importer's place: stacklevel cannot count the
    # import machinery's frames, which differ between Python versions.
    module_globals = frame.f_globals
    warnings.warn_explicit(
        message,
        DeprecationWarning,
        frame.f_code.co_filename,
        frame.f_lineno,
        module=module_globals.get("__name__", "<string>"),
        registry=module_globals.setdefault("__warningregistry__", {}),
        module_globals=module_globals,
    )


class _Alias(Loader):
    """Loads an old name as the module at its new path (imported if need be)."""

    def __init__(self, new: str) -> None:
        self.new = new

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        _warn(spec.name, self.new)
        module = importlib.import_module(self.new)
        # The import system sets the module's __spec__ to the old name's
        # spec before exec_module: keep the real one to put back.
        spec.loader_state = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        alias = module.__spec__
        if alias is not None and alias.loader is self:
            module.__spec__ = alias.loader_state


class _OldPathFinder(MetaPathFinder):
    """Finds old module names of the package; last on ``sys.meta_path``."""

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        new = new_path(fullname)
        if new is None:
            return None
        return ModuleSpec(fullname, _Alias(new))


FINDER = _OldPathFinder()


def install() -> None:
    """Put the finder last on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _OldPathFinder) for f in sys.meta_path):
        sys.meta_path.append(FINDER)
