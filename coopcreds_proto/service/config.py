"""The service's configuration: one YAML (or JSON) file naming its issuer instances.

::

    database: service.sqlite          # the embedded database (default: next to this file)
    registry: registry                # where status lists and did:web documents are published
    domain: https://riverside.coop.example   # the verifier's domain for presentations
    verify_requires_token: false      # verifying is open by default
    verifier_profile: default         # or strict (coopcreds_proto.verifier_options)
    max_request_bytes: 1048576
    issuers:
      - name: riverside
        key_file: riverside-key.json  # a key file written by coopcreds key new
        did: did:key:z6Mk...          # optional: must be the key's controller
        cryptosuites: [eddsa-rdfc-2022, eddsa-jcs-2022]   # default: every suite that signs with its key
        definition: cooperative-membership/0.1            # optional
        status_list_base: https://riverside.coop.example/status   # optional: no status without it

Relative paths are read from the folder of the configuration file. An issuer
instance offers only cryptosuites of the registry
(:data:`coopcreds_proto.cryptosuites.CRYPTOSUITES`), so a suite added there can
be offered by naming it; by default an instance offers every suite the
registry holds, the library's default first.

>>> import tempfile, pathlib
>>> from coopcreds_proto.keys import Ed25519Key, save_key
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = save_key(Ed25519Key.from_seed(bytes(32)), folder / "coop-key.json")
>>> _ = (folder / "service.yaml").write_text(
...     "issuers:\\n  - name: riverside\\n    key_file: coop-key.json\\n")
>>> config = load_config(folder / "service.yaml")
>>> config.issuers[0].name, config.issuers[0].cryptosuites
('riverside', ('eddsa-rdfc-2022', 'eddsa-jcs-2022'))
>>> config.database == folder / "service.sqlite"
True
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..bounded_read import read_bounded
from ..cryptosuites import CRYPTOSUITES, DEFAULT_CRYPTOSUITE
from ..definitions.definition import definition_path
from ..errors import CoopCredsError, InputError, ProofError
from ..keys import AnySigningKey, load_key
from ..safe_json import DEFAULT_LIMITS
from ..urls import url_problem
from ..verifier_options import PROFILES

CONFIG_VARIABLE = "COOPCREDS_SERVICE_CONFIG"
"""The environment variable naming the configuration file each worker process reads."""
LOG_LEVEL_VARIABLE = "COOPCREDS_SERVICE_LOG_LEVEL"
"""The level of the service's own log in each worker (refusals are logged at INFO)."""
MAX_CONFIG_BYTES = 256 * 1024
DEFAULT_MAX_REQUEST_BYTES = DEFAULT_LIMITS.max_bytes
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_DEFINITION = re.compile(r"^([a-z0-9][a-z0-9-]*)/([0-9][0-9.]*)$")
_KNOWN_KEYS = frozenset({
    "database", "registry", "domain", "verify_requires_token", "verifier_profile",
    "max_request_bytes", "issuers",
})
_KNOWN_ISSUER_KEYS = frozenset({
    "name", "key_file", "did", "cryptosuites", "definition", "status_list_base",
    "allow_open_key_file",
})


@dataclass(frozen=True)
class IssuerInstance:
    """One issuer the service signs for: its name in URLs, key, DID and suites."""

    name: str
    key_file: Path
    did: str
    cryptosuites: tuple[str, ...]
    definition: str | None = None
    status_list_base: str | None = None
    allow_open_key_file: bool = False

    @property
    def default_cryptosuite(self) -> str:
        """The suite ``/issuers/{name}/credentials/issue`` signs with: the first offered."""
        return self.cryptosuites[0]

    def load_key(self) -> AnySigningKey:
        """The instance's signing key, read from its key file."""
        return load_key(self.key_file, allow_open_permissions=self.allow_open_key_file)


@dataclass(frozen=True)
class ServiceConfig:
    """The whole configuration (see the module docstring)."""

    path: Path
    database: Path
    registry: Path
    domain: str
    issuers: tuple[IssuerInstance, ...]
    verify_requires_token: bool = False
    verifier_profile: str = "default"
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES

    def issuer(self, name: str) -> IssuerInstance | None:
        """The instance called ``name``, or ``None``."""
        return next((i for i in self.issuers if i.name == name), None)


def config_error(message: str, where: str) -> InputError:
    return InputError("bad-service-config", message, path=where)


def load_config(path: str | os.PathLike[str]) -> ServiceConfig:
    """Read and check the configuration file at ``path`` (``InputError('bad-service-config')``).

    Each issuer's key file is read once here, so a missing, unreadable or
    mismatched key is reported before the service starts.
    """
    path = Path(path)
    try:
        raw = read_bounded(path, MAX_CONFIG_BYTES, what="service configuration")
    except FileNotFoundError:
        raise config_error(f"{path}: no such file", str(path)) from None
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise config_error(f"{path} is not YAML: {str(exc).splitlines()[0]}", str(path)) from None
    if not isinstance(data, dict):
        raise config_error(f"{path} must hold a mapping of settings", str(path))
    unknown = sorted(str(k) for k in data if k not in _KNOWN_KEYS)
    if unknown:
        raise config_error(f"{path}: unknown setting {unknown[0]!r} (known: "
                           f"{', '.join(sorted(_KNOWN_KEYS))})", str(path))
    folder = path.resolve().parent
    issuers_data = data.get("issuers", [])
    if not isinstance(issuers_data, list):
        raise config_error(f"{path}: issuers must be a list", f"{path}:issuers")
    issuers = tuple(_issuer(item, folder, f"{path}:issuers[{n}]")
                    for n, item in enumerate(issuers_data))
    names = [i.name for i in issuers]
    if len(set(names)) != len(names):
        raise config_error(f"{path}: two issuer instances have the same name", f"{path}:issuers")
    profile = data.get("verifier_profile", "default")
    if profile not in PROFILES:
        raise config_error(f"{path}: verifier_profile must be one of {', '.join(PROFILES)}",
                           f"{path}:verifier_profile")
    limit = data.get("max_request_bytes", DEFAULT_MAX_REQUEST_BYTES)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1024 <= limit <= 64 * 2**20:
        raise config_error(f"{path}: max_request_bytes must be a whole number from 1024 to 64 MiB",
                           f"{path}:max_request_bytes")
    requires = data.get("verify_requires_token", False)
    if not isinstance(requires, bool):
        raise config_error(f"{path}: verify_requires_token must be true or false",
                           f"{path}:verify_requires_token")
    domain = data.get("domain", "http://127.0.0.1")
    if not isinstance(domain, str) or not domain:
        raise config_error(f"{path}: domain must be a non-empty string", f"{path}:domain")
    return ServiceConfig(
        path=path,
        database=_path(data.get("database", "service.sqlite"), folder, f"{path}:database"),
        registry=_path(data.get("registry", "registry"), folder, f"{path}:registry"),
        domain=domain,
        issuers=issuers,
        verify_requires_token=requires,
        verifier_profile=profile,
        max_request_bytes=limit,
    )


def _path(value: Any, folder: Path, where: str) -> Path:
    if not isinstance(value, str) or not value:
        raise config_error(f"{where} must be a path", where)
    return folder / value


def _issuer(item: Any, folder: Path, where: str) -> IssuerInstance:
    if not isinstance(item, dict):
        raise config_error(f"{where} must be a mapping", where)
    unknown = sorted(str(k) for k in item if k not in _KNOWN_ISSUER_KEYS)
    if unknown:
        raise config_error(f"{where}: unknown setting {unknown[0]!r} (known: "
                           f"{', '.join(sorted(_KNOWN_ISSUER_KEYS))})", where)
    name = item.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise config_error(f"{where}: name must be lower-case letters, digits and '-'", where)
    key_file = _path(item.get("key_file"), folder, f"{where}.key_file")
    allow_open = item.get("allow_open_key_file", False)
    if not isinstance(allow_open, bool):
        raise config_error(f"{where}.allow_open_key_file must be true or false", where)
    definition = item.get("definition")
    if definition is not None and (not isinstance(definition, str)
                                   or not _DEFINITION.match(definition)):
        raise config_error(f"{where}.definition must be written SLUG/VERSION", where)
    if definition is not None:
        slug, version = definition.split("/", 1)
        if not definition_path(slug, version).is_file():
            raise config_error(f"{where}.definition: the workbench has no definition {definition}",
                               where)
    base = item.get("status_list_base")
    if base is not None:
        problem = url_problem(base) if isinstance(base, str) else "not a string"
        if problem is None and not base.startswith("https://"):
            problem = "status lists are published at https URLs"
        if problem is not None:
            raise config_error(f"{where}.status_list_base: {problem}", where)
        base = base.rstrip("/")
    instance = IssuerInstance(name, key_file, "", (), definition, base, allow_open)
    try:
        key = instance.load_key()
    except CoopCredsError as exc:
        raise config_error(f"{where}: {exc}", where) from None
    except FileNotFoundError:
        raise config_error(f"{where}: key file {key_file} not found", where) from None
    suites = item.get("cryptosuites", _default_suites(key))
    if isinstance(suites, str):
        suites = [suites]
    if not isinstance(suites, list) or not suites or not all(isinstance(s, str) for s in suites):
        raise config_error(f"{where}.cryptosuites must be a list of suite names", where)
    for suite in suites:
        if suite not in CRYPTOSUITES:
            raise config_error(f"{where}: unknown cryptosuite {suite!r} (known: "
                               f"{', '.join(sorted(CRYPTOSUITES))})", where)
        if not _signs_with(suite, key):
            raise config_error(f"{where}: {suite} cannot sign with the key in {key_file} (it takes"
                               f" {CRYPTOSUITES[suite].key_noun}; this key's suites:"
                               f" {', '.join(_default_suites(key)) or 'none'})", where)
    did = item.get("did", key.controller)
    if did != key.controller:
        raise config_error(f"{where}: the key file's controller is {key.controller}, not {did}",
                           where)
    return IssuerInstance(name, key_file, did, tuple(dict.fromkeys(suites)), definition, base,
                          allow_open)


def _signs_with(suite: str, key: AnySigningKey) -> bool:
    try:
        CRYPTOSUITES[suite].check_key(key, signing=True)
    except ProofError:
        return False
    return True


def _default_suites(key: AnySigningKey) -> list[str]:
    """Every suite of the registry that signs with ``key``, the library's default first."""
    fitting = [s for s in CRYPTOSUITES if _signs_with(s, key)]
    return sorted(fitting, key=lambda s: (s != DEFAULT_CRYPTOSUITE, s))
