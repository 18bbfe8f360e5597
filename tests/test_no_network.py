"""The workbench never tries the network: not to issue, verify or export.

``tests/conftest.py`` makes any non-loopback connection fail for the whole
run. These tests go further and record every attempt, allowed or not, so a
package that merely *tried* (and had the error swallowed somewhere) is caught
too; and they check that PyLD's own document loader, which would fetch
over HTTP, is never called.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from coopcreds_proto import (
    UnsafeJsonLdError,
    export_contexts,
    issue,
    sample_actors,
    sample_membership_credential,
    verify_credential,
)
from coopcreds_proto.vc.samples import SAMPLE_CREATED, SAMPLE_NOW

ACTORS = sample_actors()
UNKNOWN_CONTEXT = "https://contexts.example/unknown/v1"


class Recorder:
    """Wraps the socket entry points; every call is recorded, then refused."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[str, Any]] = []
        for name in ("connect", "connect_ex", "sendto"):
            monkeypatch.setattr(socket.socket, name, self._refuse(f"socket.{name}"))
        for name in ("create_connection", "getaddrinfo", "gethostbyname"):
            monkeypatch.setattr(socket, name, self._refuse(name))

    def _refuse(self, name: str) -> Callable[..., Any]:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args[1:] if name.startswith("socket.") else args))
            raise RuntimeError(f"network access attempted: {name}{args!r}")

        return refuse


@pytest.fixture
def sockets(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    return Recorder(monkeypatch)


@pytest.fixture
def pyld_loader_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """PyLD's default (HTTP) document loader, replaced by one that records and fails."""
    calls: list[str] = []

    def loader(url: str, options: Any = None) -> dict:
        calls.append(url)
        raise jsonld.JsonLdError(
            "network loader used",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading document failed",
        )

    monkeypatch.setattr(jsonld, "_default_document_loader", loader)
    assert jsonld.get_document_loader() is loader
    return calls


def test_the_recorder_sees_an_attempt(sockets: Recorder) -> None:
    """The recording works: without it, "no calls" would prove nothing."""
    with pytest.raises(RuntimeError):
        socket.create_connection(("contexts.example", 443))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(RuntimeError):
        sock.connect(("192.0.2.1", 443))
    assert [name for name, _ in sockets.calls] == ["create_connection", "socket.connect"]


def test_the_pyld_recorder_sees_a_default_load(pyld_loader_calls: list[str]) -> None:
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand({"@context": UNKNOWN_CONTEXT, "a": 1})
    assert pyld_loader_calls == [UNKNOWN_CONTEXT]


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_issue_and_verify_use_no_network(
    sockets: Recorder, pyld_loader_calls: list[str], suite: str
) -> None:
    signed = issue(
        sample_membership_credential(ACTORS), ACTORS.coop, cryptosuite=suite, created=SAMPLE_CREATED
    )
    assert verify_credential(signed, now=SAMPLE_NOW).verified
    tampered = {**signed, "name": "Changed"}
    assert not verify_credential(tampered, now=SAMPLE_NOW).verified
    assert sockets.calls == []
    assert pyld_loader_calls == []


def test_an_unknown_context_is_refused_without_any_network(
    sockets: Recorder, pyld_loader_calls: list[str]
) -> None:
    credential = sample_membership_credential(ACTORS)
    credential["@context"].append(UNKNOWN_CONTEXT)
    with pytest.raises(UnsafeJsonLdError) as refused:
        issue(credential, ACTORS.coop, created=SAMPLE_CREATED)
    assert refused.value.code == "context-not-bundled"
    assert UNKNOWN_CONTEXT in refused.value.message

    signed = issue(sample_membership_credential(ACTORS), ACTORS.coop, created=SAMPLE_CREATED)
    result = verify_credential({**signed, "@context": credential["@context"]}, now=SAMPLE_NOW)
    assert result.check("contexts").code == "context-not-bundled"
    # An unknown context nested deeper, and one imported by an allowed inline context.
    nested = {
        **signed,
        "credentialSubject": {**signed["credentialSubject"], "@context": UNKNOWN_CONTEXT},
    }
    assert verify_credential(nested, now=SAMPLE_NOW).check("contexts").code == "context-not-bundled"
    imported = {**signed, "@context": [*signed["@context"], {"@import": UNKNOWN_CONTEXT}]}
    assert not verify_credential(imported, now=SAMPLE_NOW, allow_inline_contexts=True).verified
    assert sockets.calls == []
    assert pyld_loader_calls == []


def test_a_did_that_needs_resolving_online_is_refused_offline(
    sockets: Recorder, pyld_loader_calls: list[str]
) -> None:
    signed = issue(sample_membership_credential(ACTORS), ACTORS.coop, created=SAMPLE_CREATED)
    for method in ("did:web:coop.example#key-1", "https://coop.example/keys/1"):
        result = verify_credential(
            {**signed, "proof": {**signed["proof"], "verificationMethod": method}}, now=SAMPLE_NOW
        )
        assert not result.check("verification_method").ok
    assert sockets.calls == []
    assert pyld_loader_calls == []


def test_export_uses_no_network(
    sockets: Recorder, pyld_loader_calls: list[str], tmp_path: Path
) -> None:
    index = export_contexts(tmp_path / "contexts")
    assert index.name == "index.json" and index.exists()
    assert sockets.calls == []
    assert pyld_loader_calls == []
