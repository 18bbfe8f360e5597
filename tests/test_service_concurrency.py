"""The service under load and through a crash: every status index once, every credential on record.

Both tests run ``coopcreds service serve`` with 2 worker processes on
loopback. The load test has 10 clients issue 10,000 credentials in all; the
crash test kills the service and its workers (SIGKILL) while 10 clients are
issuing, starts it again and issues more. Each is bounded in time: a client
stops at its deadline, and the test then fails on the count if it was not
reached.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter

import httpx
from service_fixtures import make_service_folder, unsigned_member_credential

from coopcreds_proto.database import integrity_problems, open_database
from coopcreds_proto.service.config import load_config
from coopcreds_proto.service.running import ServiceProcess
from coopcreds_proto.service.schema import SERVICE_SCHEMA
from coopcreds_proto.service.tokens import create_token, issuer_scopes

CLIENTS = 10
TOTAL = 10_000
LOAD_DEADLINE_S = 900
SUITE = "eddsa-jcs-2022"


def _setup(tmp_path):
    config = make_service_folder(tmp_path)
    db = open_database(load_config(config).database, SERVICE_SCHEMA)
    token = create_token(db, issuer_scopes("riverside")).token
    return config, db, token


def _client(url: str, token: str, numbers: range, received: list, deadline: float,
            errors: list) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                      timeout=60) as client:
        for number in numbers:
            if time.monotonic() > deadline:
                return
            try:
                answer = client.post(f"issuers/riverside/{SUITE}/credentials/issue",
                                     json={"credential": unsigned_member_credential(number)})
            except httpx.TransportError as exc:
                errors.append(type(exc).__name__)
                return
            if answer.status_code != 201:
                errors.append(answer.text)
                return
            received.append(answer.json()["verifiableCredential"])


def _issue_concurrently(url: str, token: str, first: int, per_client: int,
                        deadline: float) -> tuple[list, list]:
    received: list = []
    errors: list = []
    threads = [threading.Thread(target=_client, args=(
        url, token, range(first + k * per_client, first + (k + 1) * per_client), received,
        deadline, errors)) for k in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return received, errors


def _entries(credentials: list) -> list[tuple[str, int]]:
    return [(entry["statusListCredential"], int(entry["statusListIndex"]))
            for credential in credentials for entry in credential["credentialStatus"]]


def _check_on_record(db, credentials: list) -> None:
    """Every credential a client received is on record as it was received, with its entries."""
    for credential in credentials:
        row = db.execute("SELECT credential FROM credential_record WHERE credential_id = ?",
                         (credential["id"],)).fetchone()
        assert row is not None, credential["id"]
        assert json.loads(row[0]) == credential
    recorded = {(url, index) for url, index in db.execute(
        "SELECT l.url, e.status_index FROM status_entry e JOIN status_list l ON l.id = e.list_id")}
    assert set(_entries(credentials)) <= recorded


def test_ten_clients_issue_ten_thousand_credentials_against_two_workers(tmp_path):
    config, db, token = _setup(tmp_path)
    deadline = time.monotonic() + LOAD_DEADLINE_S
    with ServiceProcess(config, workers=2, log=tmp_path / "service.log") as service:
        received, errors = _issue_concurrently(service.url, token, 0, TOTAL // CLIENTS, deadline)
    assert errors == []
    assert len(received) == TOTAL
    entries = _entries(received)
    assert len(entries) == 2 * TOTAL and len(set(entries)) == 2 * TOTAL
    assert db.execute("SELECT COUNT(*) FROM credential_record").fetchone()[0] == TOTAL
    assert db.execute("SELECT COUNT(*) FROM status_entry").fetchone()[0] == 2 * TOTAL
    assert len({c["id"] for c in received}) == TOTAL
    _check_on_record(db, received)
    allocated = dict(db.execute("SELECT url, allocated FROM status_list"))
    assert allocated == dict(Counter(url for url, _ in entries))
    assert integrity_problems(db) == ()


def test_a_killed_service_restarts_consistent_with_no_index_reused(tmp_path):
    config, db, token = _setup(tmp_path)
    log = tmp_path / "service.log"
    service = ServiceProcess(config, workers=2, log=log).start()
    received: list = []
    errors: list = []
    deadline = time.monotonic() + 300
    threads = [threading.Thread(target=_client, args=(
        service.url, token, range(k * 100_000, (k + 1) * 100_000), received, deadline, errors))
        for k in range(CLIENTS)]
    for thread in threads:
        thread.start()
    while len(received) < 300 and time.monotonic() < deadline:
        time.sleep(0.01)
    service.kill()  # SIGKILL to the service and its workers, in the middle of issuing
    for thread in threads:
        thread.join()
    assert len(received) >= 300
    assert errors and all(e in ("RemoteProtocolError", "ReadError", "ConnectError",
                                "ConnectTimeout", "ReadTimeout", "WriteError") for e in errors)
    before = db.execute("SELECT COUNT(*) FROM credential_record").fetchone()[0]
    assert before >= len(received)

    with ServiceProcess(config, workers=2, log=log) as again:
        more, later_errors = _issue_concurrently(again.url, token, 5_000_000, 50,
                                                 time.monotonic() + 300)
    assert later_errors == [] and len(more) == CLIENTS * 50

    assert integrity_problems(db) == ()
    everything = received + more
    entries = _entries(everything)
    assert len(set(entries)) == len(entries)  # no index handed out twice, across the crash
    _check_on_record(db, everything)
    recorded_entries = db.execute("SELECT COUNT(*) FROM status_entry").fetchone()[0]
    records = db.execute("SELECT COUNT(*) FROM credential_record").fetchone()[0]
    assert recorded_entries == 2 * records  # a record never lost its entries, nor kept half
    assert records == before + len(more)
