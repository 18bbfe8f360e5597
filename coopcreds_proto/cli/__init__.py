"""The ``coopcreds`` command: keys, DIDs, issuing and verifying, contexts, the lab, the demo.

    $ coopcreds key new --out coop-key.json
    did:key:z6Mk...
    $ coopcreds issue unsigned.json --key coop-key.json > signed.json
    $ coopcreds verify signed.json
    $ coopcreds key new --type p256 --out p256-key.json
    $ coopcreds issue unsigned.json --key p256-key.json --suite ecdsa-sd-2023 > base.json
    $ coopcreds derive base.json --reveal /credentialSubject/membershipStatus > disclosed.json

Exit codes: 0 success (for ``verify``: verified), 1 not verified, 2 unusable
input or a usage error. Every error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from .. import __version__
from ..bounded_read import read_bounded
from ..cryptosuites import CRYPTOSUITES
from ..demos.forgeries import run_demo
from ..did_key import resolve_did_key
from ..display.decision_report import decision_report
from ..errors import CoopCredsError, InputError, KeyMaterialError
from ..keys import EcdsaKey, Ed25519Key, load_public_key, save_key
from ..loader import export_contexts
from ..safe_json import loads_strict
from ..trust.accreditation import load_trust_dir
from ..trust.policy import load_policy
from ..trust.recognition import decide
from ..trust.registry import TrustRegistry
from ..vc.credentials import issue
from ..vc.disclosure import SD_SUITE, derive_disclosure, mandatory_pointers_for
from ..vc.presentations import verify_presentation
from ..vc.verification import VerificationResult, verify_credential
from ..verifier_options import PROFILES, VerifierOptions
from ._common import (
    EXIT_NOT_VERIFIED,
    EXIT_OK,
    EXIT_UNUSABLE,
    MAX_SMALL_FILE_BYTES,
    add_key_file_options,
    checked_timestamp,
    emit,
    input_label,
    load_signing_key,
    not_json,
    published_contexts_loader,
    read_credential,
    read_input,
    read_passphrase,
    registry_to_read,
)
from .definitions import register as register_definitions
from .did_web import register as register_did_web
from .errors import register as register_errors
from .feedback import register as register_feedback
from .issue_batch import register as register_issue_batch
from .network import register as register_network
from .present import register as register_present
from .service import register as register_service
from .simulate import register as register_simulate
from .status import register as register_status
from .trust import register as register_trust
from .workshop import register as register_workshop

PROG = "coopcreds"
# The repository checkout holds notebooks/ next to the package directory.
PACKAGE_DIR = Path(__file__).resolve().parent.parent
# JupyterLab offline: no news feed, no update check, no PyPI extension manager.
LAB_OFFLINE_ARGS = (
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
)


CONTEXTS_DIR_HELP = (
    "published credential-definition contexts to use besides the bundled ones"
    " (default: ./published-contexts if it exists)"
)

# --- helpers -----------------------------------------------------------------


def _dumps(document: Any) -> str:
    return json.dumps(document, indent=2)


def _seed_from_file(path: str, key_type: str = "ed25519") -> Ed25519Key | EcdsaKey:
    data = read_bounded(path, MAX_SMALL_FILE_BYTES, what="seed file")
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        # Never quote the content: it is secret material.
        raise KeyMaterialError(
            "bad-seed", "the seed file must hold 64 hexadecimal digits", path=path
        ) from None
    try:
        return _key_from_seed_hex(text.strip(), key_type)
    except KeyMaterialError as exc:
        raise exc.with_path(path) from None


# The key types of `coopcreds key new --type`.
KEY_TYPES = ("ed25519", "p256", "p384")


def _key_from_seed_hex(text: str, key_type: str) -> Ed25519Key | EcdsaKey:
    """A key of ``key_type`` from hex digits: an Ed25519 seed or an ECDSA secret scalar."""
    if key_type == "ed25519":
        return Ed25519Key.from_seed_hex(text)
    curve = "P-256" if key_type == "p256" else "P-384"
    size = 32 if key_type == "p256" else 48
    try:
        secret = bytes.fromhex(text)
    except (ValueError, TypeError):
        raise KeyMaterialError("bad-seed", "the seed is not a hexadecimal string") from None
    if len(secret) != size:
        raise KeyMaterialError(
            "bad-seed", f"expected {2 * size} hex digits ({size} bytes), got {len(secret)} bytes"
        )
    return EcdsaKey(secret, curve)


# --- commands ----------------------------------------------------------------


def cmd_key_new(args: argparse.Namespace) -> int:
    passphrase = read_passphrase(args.passphrase_file)
    key: Ed25519Key | EcdsaKey
    if args.seed is not None:
        key = _key_from_seed_hex(args.seed.strip(), args.type)
    elif args.seed_file is not None:
        key = _seed_from_file(args.seed_file, args.type)
    elif args.type == "ed25519":
        key = Ed25519Key.generate()  # os.urandom
    else:
        key = EcdsaKey.generate(curve="P-256" if args.type == "p256" else "P-384")
    try:
        save_key(key, args.out, passphrase=passphrase, overwrite=args.force)
    except KeyMaterialError as exc:
        if exc.code != "key-file-exists":
            raise
        raise KeyMaterialError(
            "key-file-exists", f"{args.out} exists already (--force overwrites it)", path=exc.path
        ) from None
    emit(key.did)
    return EXIT_OK


def cmd_key_show(args: argparse.Namespace) -> int:
    if args.passphrase_file is None:
        public = load_public_key(args.file)
    else:
        # With a passphrase, also prove that it opens the file and that the
        # secret belongs to the public key; still print only the public part.
        public = load_signing_key(args, key_file=args.file).public_key
    emit(_dumps(public.to_multikey()))
    return EXIT_OK


def cmd_did_resolve(args: argparse.Namespace) -> int:
    emit(_dumps(resolve_did_key(args.did)))
    return EXIT_OK


def cmd_issue(args: argparse.Namespace) -> int:
    created = checked_timestamp(args.created, "--created")
    credential = read_credential(args.file)
    key = load_signing_key(args)
    mandatory: tuple[str, ...] = tuple(args.mandatory or ())
    if args.suite == SD_SUITE and args.mandatory is None:
        mandatory = mandatory_pointers_for(credential)
    signed = issue(
        credential, key, cryptosuite=args.suite, created=created,
        loader=published_contexts_loader(args.contexts_dir), mandatory_pointers=mandatory,
    )
    emit(_dumps(signed))
    return EXIT_OK


def cmd_derive(args: argparse.Namespace) -> int:
    credential = read_credential(args.file)
    disclosed = derive_disclosure(
        credential, args.reveal, loader=published_contexts_loader(args.contexts_dir)
    )
    emit(_dumps(disclosed))
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    now = checked_timestamp(args.now, "--now")
    data = read_input(args.file)
    document: dict | bytes
    try:
        parsed = loads_strict(data)
    except CoopCredsError as exc:
        if exc.code == "not-json":
            raise not_json(args.file, exc) from None
        # JSON that breaks the strict rules (duplicate keys, NaN, too large)
        # is a credential that fails verification: the report says why.
        document = data
    else:
        if not isinstance(parsed, dict):
            raise InputError(
                "not-an-object",
                f"{input_label(args.file)}: not a credential (the JSON is not an object)",
            )
        document = parsed
    registry = registry_to_read(args.registry)
    options = VerifierOptions.profile(
        args.profile, now=now, registry=registry,
        loader=published_contexts_loader(args.contexts_dir),
    ).pinned()
    if args.trust is not None and args.policy is None:
        raise InputError("trust-needs-policy", "--trust is used with --policy FILE")
    result: VerificationResult  # a PresentationResult for a presentation
    if isinstance(document, dict) and _is_presentation(document):
        if args.challenge is None or args.domain is None:
            raise InputError(
                "presentation-needs-challenge",
                f"{input_label(args.file)} is a presentation: give the --challenge and --domain"
                " it must be bound to",
            )
        if args.policy is not None:
            return _verify_with_policy(args, document, options)
        result = verify_presentation(
            document, options, challenge=args.challenge, domain=args.domain
        )
    else:
        if args.policy is not None:
            raise InputError(
                "policy-needs-presentation",
                f"{input_label(args.file)} is not a presentation: --policy decides on a"
                " presentation (a member presents their credential to the co-op)",
            )
        result = verify_credential(document, options)
    emit(_dumps(result.to_json()) if args.json else str(result))
    return EXIT_OK if result.verified else EXIT_NOT_VERIFIED


def _verify_with_policy(
    args: argparse.Namespace, document: dict, options: VerifierOptions
) -> int:
    """``verify --policy``: the co-op's decision (checks, trust, benefit); exit 0 only if granted."""
    policy = load_policy(args.policy)
    moment = options.moment()
    rejected: list[str] = []
    trust: Any
    if args.trust is not None:
        trust = load_trust_dir(args.trust, now=moment, registry=options.registry)
        rejected = [r.describe() for r in trust.rejected]
    elif policy.frameworks:
        raise InputError(
            "policy-needs-trust",
            f"the policy trusts governance frameworks: give the --trust DIR that holds their"
            f" anchors and accreditations ({args.policy})",
        )
    else:
        trust = TrustRegistry()
    # The command line hands out no challenges, so its decisions are not single-use.
    decision = decide(
        document, policy, options, trust=trust, challenge=args.challenge, domain=args.domain,
        challenges=None,
    )
    if args.json:
        emit(_dumps({**decision.verification.to_json(), "decision": decision.to_json(),
                     "trustRejected": rejected}))
    else:
        emit(f"{decision.verification}\n\n{decision_report(decision, trust=trust)}")
    return EXIT_OK if decision.granted else EXIT_NOT_VERIFIED


def _is_presentation(document: dict) -> bool:
    types = document.get("type")
    return "VerifiablePresentation" in (types if isinstance(types, list) else [types])


def cmd_contexts_export(args: argparse.Namespace) -> int:
    index_path = export_contexts(args.dir)
    index = json.loads(index_path.read_text(encoding="utf-8"))
    emit(f"wrote {len(index)} contexts and index.json to {index_path.parent}")
    width = max(len(name) for name in index.values())
    for url, name in sorted(index.items(), key=lambda item: item[1]):
        emit(f"  {name:<{width}}  {url}")
    emit(f"  {'index.json':<{width}}  (URL -> file)")
    return EXIT_OK


def find_notebooks(package_dir: Path | None = None) -> Path:
    """The repository's ``notebooks/`` directory: next to the package directory."""
    package_dir = package_dir or PACKAGE_DIR
    notebooks = package_dir.parent / "notebooks"
    if not notebooks.is_dir():
        raise InputError(
            "no-notebooks",
            f"no notebooks directory at {notebooks}: `coopcreds lab` needs a source checkout"
            " (run it from a clone of the repository, installed with pip install -e .)",
        )
    return notebooks


def lab_command(notebooks: Path) -> list[str]:
    """The command line that starts JupyterLab on ``notebooks``."""
    if importlib.util.find_spec("jupyterlab") is not None:
        command = [sys.executable, "-m", "jupyterlab"]
    else:
        jupyter = shutil.which("jupyter")
        if jupyter is None:
            raise InputError(
                "no-jupyterlab", "JupyterLab is not installed (pip install jupyterlab)"
            )
        command = [jupyter, "lab"]
    command += [f"--notebook-dir={notebooks}", *LAB_OFFLINE_ARGS]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # Jupyter refuses to run as root without it
    return command


def _exec(command: list[str]) -> NoReturn:
    env = dict(os.environ)
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], command, env)


def cmd_lab(args: argparse.Namespace) -> int:
    command = lab_command(find_notebooks())
    extra = list(args.lab_args)
    if extra[:1] == ["--"]:
        extra = extra[1:]
    _exec(command + extra)
    return EXIT_OK  # only reached when _exec is replaced (tests)


def cmd_demo(args: argparse.Namespace) -> int:
    return run_demo(sys.stdout)


# --- parser ------------------------------------------------------------------

SEED_WARNING = (
    "A seed on the command line is for test vectors and demos only: it lands in "
    "your shell history and other users can see it in the process list. "
    "For a real key leave --seed out (a fresh random key) or use --seed-file."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Co-op Credentials: issue and verify W3C Verifiable Credentials 2.0, offline.",
        epilog="Exit codes: 0 success (verify: verified), 1 not verified, 2 unusable input.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    key = commands.add_parser("key", help="create or show a key file (Ed25519, P-256, P-384)")
    key_commands = key.add_subparsers(dest="key_command", required=True, metavar="COMMAND")

    new = key_commands.add_parser(
        "new",
        help="create a new key file and print its DID",
        description="Create a key (Ed25519 by default; P-256 or P-384 with --type, for the"
        " ECDSA suites and selective disclosure), write it as a Multikey key file (mode 0600)"
        " and print its did:key. By default the key is random, from the operating system's "
        f"secure random generator. {SEED_WARNING}",
    )
    new.add_argument(
        "--type", choices=KEY_TYPES, default="ed25519",
        help="the key type: ed25519 (did:key:z6Mk...), p256 (did:key:zDn...) or p384"
        " (default: ed25519)",
    )
    seed = new.add_mutually_exclusive_group()
    seed.add_argument(
        "--seed",
        metavar="HEX",
        help="derive the key from this 32-byte seed (64 hex digits; a P-384 secret has 96)."
        f" {SEED_WARNING}",
    )
    seed.add_argument(
        "--seed-file", metavar="FILE", help="derive the key from the 64 hex digits in FILE"
    )
    new.add_argument("--out", required=True, metavar="FILE", help="the key file to write")
    new.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help="encrypt the secret key with the passphrase on the first line of FILE",
    )
    new.add_argument("--force", action="store_true", help="overwrite an existing key file")
    new.set_defaults(func=cmd_key_new)

    show = key_commands.add_parser(
        "show",
        help="print the public Multikey of a key file (never the secret)",
        description="Print the public Multikey JSON of a key file; the secret key is never "
        "printed. Encrypted key files need no passphrase for this.",
    )
    show.add_argument("file", metavar="FILE")
    show.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help="also check that this passphrase opens the (encrypted) key file",
    )
    add_key_file_options(show)
    show.set_defaults(func=cmd_key_show)

    did = commands.add_parser("did", help="DID operations")
    did_commands = did.add_subparsers(dest="did_command", required=True, metavar="COMMAND")
    resolve = did_commands.add_parser(
        "resolve",
        help="print the DID document of a did:key",
        description="Resolve a did:key offline.",
    )
    resolve.add_argument("did", metavar="DID")
    resolve.set_defaults(func=cmd_did_resolve)
    register_did_web(did_commands)  # did web ..., and did resolve --registry

    iss = commands.add_parser(
        "issue",
        help="sign an unsigned credential",
        description="Sign an unsigned credential with a key file; the signed credential is "
        "written to stdout. The issuer must be the key's DID.",
    )
    iss.add_argument("file", metavar="UNSIGNED.json", help="the unsigned credential ('-': stdin)")
    iss.add_argument("--key", required=True, metavar="FILE", help="the issuer's key file")
    iss.add_argument(
        "--passphrase-file", metavar="FILE", help="passphrase (first line) of an encrypted key file"
    )
    add_key_file_options(iss)
    iss.add_argument(
        "--suite", choices=sorted(CRYPTOSUITES), default="eddsa-rdfc-2022", help="the cryptosuite"
    )
    iss.add_argument(
        "--created",
        metavar="ISO",
        help="the proof's creation time (default: now), e.g. 2026-01-15T09:00:00Z",
    )
    iss.add_argument(
        "--mandatory", nargs="+", action="extend", metavar="POINTER",
        help=f"with --suite {SD_SUITE}: the JSON pointers every disclosure must reveal, e.g."
        " /issuer /validFrom (default: the issuer, validity, status and types the credential"
        " has)",
    )
    iss.add_argument("--contexts-dir", metavar="DIR", help=CONTEXTS_DIR_HELP)
    iss.set_defaults(func=cmd_issue)

    der = commands.add_parser(
        "derive",
        help=f"disclose part of an {SD_SUITE} credential",
        description=f"Derive from a credential issued with {SD_SUITE} a disclosure that reveals"
        " only its mandatory claims and those named by --reveal, with a proof any verifier"
        " checks against the issuer's key (coopcreds verify). Written to stdout. Disclosures"
        " of one credential are linkable (the same issuer signature is in each).",
    )
    der.add_argument("file", metavar="SIGNED.json", help="the signed credential ('-': stdin)")
    der.add_argument(
        "--reveal", nargs="+", action="extend", required=True, metavar="POINTER",
        help="JSON pointers of the claims to disclose, e.g. /credentialSubject/memberOf/sector",
    )
    der.add_argument("--contexts-dir", metavar="DIR", help=CONTEXTS_DIR_HELP)
    der.set_defaults(func=cmd_derive)

    ver = commands.add_parser(
        "verify",
        help="verify a signed credential or presentation",
        description="Verify a signed credential, or a presentation (with --challenge and "
        "--domain), and show every check.",
        epilog="Exit codes: 0 verified, 1 not verified, 2 unusable input (missing file, not JSON)."
        " With --policy: 0 benefit granted, 1 refused.",
    )
    ver.add_argument(
        "file", metavar="FILE", help="the signed credential or presentation ('-': stdin)"
    )
    ver.add_argument("--json", action="store_true", help="print the result as JSON")
    ver.add_argument("--now", metavar="ISO", help="verify as of this time (default: now)")
    ver.add_argument(
        "--registry", metavar="DIR", help="the local registry (did:web documents, status lists)"
    )
    ver.add_argument("--challenge", help="a presentation's expected challenge (required for one)")
    ver.add_argument("--domain", help="a presentation's expected domain (required for one)")
    ver.add_argument(
        "--policy",
        metavar="FILE",
        help="decide on a presentation under this co-op recognition policy (JSON): the checks,"
        " the trust chain and the benefit; exit 0 only if the benefit is granted",
    )
    ver.add_argument(
        "--trust",
        metavar="DIR",
        help="the trust directory (anchors, accreditations, recognitions) for --policy",
    )
    ver.add_argument("--contexts-dir", metavar="DIR", help=CONTEXTS_DIR_HELP)
    ver.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default="default",
        help="default: what the specifications require (inline contexts read, witness proofs"
        " accepted, holder optional); strict: published contexts only, every proof by the"
        " issuer, a presentation's holder named and the subject of its credentials",
    )
    ver.set_defaults(func=cmd_verify)

    ctx = commands.add_parser("contexts", help="the bundled JSON-LD contexts")
    ctx_commands = ctx.add_subparsers(dest="contexts_command", required=True, metavar="COMMAND")
    export = ctx_commands.add_parser(
        "export",
        help="write the context bundle and index.json to a directory",
        description="Write the pinned JSON-LD contexts and index.json ({URL: file}) to DIR, "
        "so other tools can load exactly the same documents.",
    )
    export.add_argument("dir", metavar="DIR")
    export.set_defaults(func=cmd_contexts_export)

    lab = commands.add_parser(
        "lab",
        help="open JupyterLab on the notebooks",
        description="Open JupyterLab (offline) on the repository's notebooks/ directory. "
        "Arguments after -- go to JupyterLab.",
    )
    lab.add_argument("lab_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    lab.set_defaults(func=cmd_lab)

    demo = commands.add_parser(
        "demo",
        help="run the headless demo",
        description="Issue a sample membership credential, verify it, "
        "and show three forgeries refused.",
    )
    demo.set_defaults(func=cmd_demo)
    # Each area of the workbench adds its own commands.
    for register in (register_definitions, register_feedback, register_network, register_simulate,
                     register_present, register_status, register_issue_batch,
                     register_trust, register_workshop, register_service, register_errors):
        register(commands)
    return parser


# --- entry point -------------------------------------------------------------


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror if exc.filename is None else f"{exc.filename}: {exc.strerror}"
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())  # one line, whatever the message holds


def _error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def _quiet_stdout() -> None:
    # The reader of our output went away (e.g. `| head`): send the rest nowhere,
    # so the interpreter's final flush does not fail again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(None if argv is None else list(argv))
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_UNUSABLE)
    try:
        return args.func(args)
    except BrokenPipeError:
        _quiet_stdout()
        return 1  # as Python itself exits when its output pipe closes
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except (CoopCredsError, OSError, ValueError) as exc:
        _error(_describe(exc))
        return EXIT_UNUSABLE
    except (MemoryError, RecursionError) as exc:
        # Every input is bounded before it is read or parsed; should one slip
        # through, the answer is still one line, not a traceback.
        _error(f"the input is too large or too deeply nested to process ({type(exc).__name__})")
        return EXIT_UNUSABLE


# One module per command group, and the command itself.
__all__ = [
    "build_parser",
    "definitions",
    "did_web",
    "errors",
    "feedback",
    "issue_batch",
    "main",
    "network",
    "present",
    "service",
    "simulate",
    "status",
    "trust",
    "workshop",
    "workshop_pack",
]
