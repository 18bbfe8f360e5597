"""``coopcreds service``: tokens, the audit log and serve's refusals, from the command line."""

from __future__ import annotations

import json

from service_fixtures import make_service_folder

from coopcreds_proto.cli import main
from coopcreds_proto.database import Migration, Schema, open_database
from coopcreds_proto.service.config import load_config
from coopcreds_proto.service.schema import SERVICE_SCHEMA
from coopcreds_proto.service.tokens import check_token


def run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_a_token_is_printed_once_listed_without_its_secret_and_revoked(tmp_path, capsys):
    config = str(make_service_folder(tmp_path))
    rc, out, err = run(capsys, "service", "token", "new", "--config", config,
                       "--issuer", "riverside", "--label", "members db", "--days", "30")
    assert rc == 0 and "shown once" in err
    token = out.strip()
    db = open_database(load_config(config).database, SERVICE_SCHEMA)
    info = check_token(db, f"Bearer {token}", "issue:riverside")
    rc, out, _ = run(capsys, "service", "token", "list", "--config", config, "--json")
    listed = json.loads(out)
    assert [t["id"] for t in listed] == [info.id] and token.rsplit("_", 1)[1] not in out
    assert listed[0]["scopes"] == ["issue:riverside", "status:riverside"]
    assert run(capsys, "service", "token", "revoke", "--config", config, info.id)[0] == 0
    rc, out, _ = run(capsys, "service", "audit", "--config", config, "--json")
    actions = [json.loads(line)["action"] for line in out.splitlines()]
    assert actions == ["token-new", "token-revoke"]
    rc, out, _ = run(capsys, "service", "audit", "--config", config, "--since", "1")
    assert len(out.splitlines()) == 1 and "token-revoke" in out


def test_bad_token_requests_are_one_line_exit_2(tmp_path, capsys):
    config = str(make_service_folder(tmp_path))
    for argv, words in [
        (("--issuer", "nobody"), "no issuer instance 'nobody'"),
        ((), "say what the token may do"),
        (("--verify", "--expires", "2001-01-01T00:00:00Z"), "before it is made"),
        (("--verify", "--expires", "soon"), "--expires"),
    ]:
        rc, out, err = run(capsys, "service", "token", "new", "--config", config, *argv)
        assert rc == 2 and out == "" and words in err and len(err.splitlines()) == 1
    rc, _, err = run(capsys, "service", "token", "revoke", "--config", config, "feedfeedfeedfeed")
    assert rc == 2 and "no token" in err


def test_serve_refuses_a_bad_configuration_in_one_line(tmp_path, capsys):
    config = make_service_folder(tmp_path, issuer_extra="    cryptosuites: [rsa-2048]\n")
    rc, _, err = run(capsys, "service", "serve", "--config", str(config))
    assert rc == 2 and "unknown cryptosuite 'rsa-2048'" in err and "Traceback" not in err
    (tmp_path / "other.yaml").write_text("colour: red\n")
    rc, _, err = run(capsys, "service", "serve", "--config", str(tmp_path / "other.yaml"))
    assert rc == 2 and "unknown setting 'colour'" in err
    rc, _, err = run(capsys, "service", "serve", "--config", str(tmp_path / "missing.yaml"))
    assert rc == 2 and "no such file" in err
    good = make_service_folder(tmp_path / "good")
    rc, _, err = run(capsys, "service", "serve", "--config", str(good), "--port", "70000")
    assert rc == 2 and "--port" in err
    rc, _, err = run(capsys, "service", "serve", "--config", str(good), "--workers", "0")
    assert rc == 2 and "--workers" in err


def test_serve_refuses_a_database_of_another_kind(tmp_path, capsys):
    config = make_service_folder(tmp_path, extra="database: other.sqlite\n")
    other = Schema("workshop", (Migration(1, "notes", "CREATE TABLE note (id INTEGER);"),))
    open_database(tmp_path / "other.sqlite", other).close()
    rc, _, err = run(capsys, "service", "serve", "--config", str(config))
    assert rc == 2 and "not a 'coopcreds-service' database" in err


def test_a_key_file_others_may_read_is_refused_unless_the_configuration_allows_it(tmp_path, capsys):
    config = make_service_folder(tmp_path)
    (tmp_path / "riverside-key.json").chmod(0o644)
    rc, _, err = run(capsys, "service", "audit", "--config", str(config))
    assert rc == 2 and "key" in err
    config = make_service_folder(tmp_path, issuer_extra="    allow_open_key_file: true\n")
    assert run(capsys, "service", "audit", "--config", str(config))[0] == 0


def test_serve_takes_a_certificate_and_its_key_together(tmp_path, capsys):
    config = str(make_service_folder(tmp_path))
    (tmp_path / "cert.pem").write_text("not really")
    rc, _, err = run(capsys, "service", "serve", "--config", config, "--certfile",
                     str(tmp_path / "cert.pem"))
    assert rc == 2 and "--certfile and --keyfile go together" in err
    rc, _, err = run(capsys, "service", "serve", "--config", config, "--certfile",
                     str(tmp_path / "cert.pem"), "--keyfile", str(tmp_path / "none.pem"))
    assert rc == 2 and "--keyfile" in err and "is not a file" in err
