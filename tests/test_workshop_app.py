"""Serving the workshop app: the Voilà command line, the join code and its QR code."""

from __future__ import annotations

import io
import os
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import segno

from coopcreds_proto import cli
from coopcreds_proto.errors import InputError
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.workshop import voila_server as workshop_app
from coopcreds_proto.workshop.voila_server import (
    DATA_ENV,
    FEEDBACK_ENV,
    TOKEN_ENV,
    join_qr,
    make_app,
    new_join_code,
    print_join,
    write_join_qr,
)

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks" / "workshop"


def flag(command: list[str], name: str) -> str | None:
    """The value of ``--name=value`` in ``command`` (None when absent)."""
    values = [a.split("=", 1)[1] for a in command if a.startswith(f"--{name}=")]
    return values[-1] if values else None


# --- the join code ----------------------------------------------------------------------------


def test_join_codes_are_long_url_safe_and_fresh():
    codes = {new_join_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 22 and set(code) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )


def test_a_seeded_join_code_is_reproducible_and_comes_from_the_injected_source():
    assert new_join_code(SeededRandom("w")) == new_join_code(SeededRandom("w"))
    assert new_join_code(SeededRandom("w")) != new_join_code(SeededRandom("v"))


# --- the command line of the server ------------------------------------------------------------


def test_by_default_the_app_listens_on_loopback_without_a_code(tmp_path):
    app = make_app(port=9001, data_dir=tmp_path)
    command = app.command("python")
    assert command[:4] == ["python", "-m", "voila", str(NOTEBOOKS)]
    assert flag(command, "Voila.ip") == "127.0.0.1"
    assert flag(command, "port") == "9001"
    assert flag(command, "Voila.port_retries") == "0"
    assert flag(command, "MappingKernelManager.cull_idle_timeout") == "120"
    assert flag(command, "MappingKernelManager.cull_interval") == "30"
    assert flag(command, "VoilaConfiguration.show_tracebacks") == "False"
    assert flag(command, "Voila.auto_token") is None and not app.shared
    assert app.url == "http://127.0.0.1:9001/voila/render/index.ipynb"
    env = app.environment({"PATH": "/bin", TOKEN_ENV: "left-over"})
    assert TOKEN_ENV not in env  # no stray token from the facilitator's shell
    assert env[DATA_ENV] == str(tmp_path.resolve())
    assert env[FEEDBACK_ENV] == str(tmp_path.resolve() / "feedback.jsonl")
    assert env["PATH"] == "/bin"


def test_the_server_finds_the_workshop_template_on_its_jupyter_path():
    # The template drops Voila's CDN stylesheets; the browser tests check no request leaves.
    app = make_app()
    template = flag(app.command(), "template")
    paths = app.environment({"JUPYTER_PATH": "/elsewhere"})["JUPYTER_PATH"].split(os.pathsep)
    assert paths[-1] == "/elsewhere"
    found = [Path(p) / "voila" / "templates" / template for p in paths]
    assert any((f / "index.html.j2").is_file() and (f / "conf.json").is_file() for f in found)


def test_sharing_requires_the_code_which_stays_out_of_the_process_list(tmp_path, monkeypatch):
    monkeypatch.setattr(workshop_app, "room_address", lambda: "192.168.1.20")
    app = make_app(share=True, port=9002, data_dir=tmp_path, rng=SeededRandom("room"))
    code = new_join_code(SeededRandom("room"))
    assert app.join_code == code and app.shared
    command = app.command()
    assert flag(command, "Voila.ip") == "0.0.0.0"
    assert flag(command, "Voila.auto_token") == "True"
    assert not any(code in part for part in command)
    assert app.environment({})[TOKEN_ENV] == code
    assert app.url == f"http://192.168.1.20:9002/voila/render/index.ipynb?token={code}"
    assert code not in repr(app)


def test_feedback_file_can_be_set_apart_from_the_data_directory(tmp_path):
    app = make_app(data_dir=tmp_path / "d", feedback_file=tmp_path / "room.jsonl")
    assert app.environment({})[FEEDBACK_ENV] == str(tmp_path / "room.jsonl")


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"port": 0}, "bad-port"),
        ({"port": 70000}, "bad-port"),
        ({"ip": "not-an-address"}, "bad-ip"),
        ({"ip": "10.0.0.5"}, "share-needed"),
        ({"ip": "0.0.0.0"}, "share-needed"),
    ],
)
def test_unusable_options_are_refused(kwargs, code):
    with pytest.raises(InputError) as info:
        make_app(**kwargs)
    assert info.value.code == code


# --- the QR code ---------------------------------------------------------------------------------


def test_the_qr_code_holds_the_link_with_the_code(tmp_path):
    url = "http://192.168.1.20:8866/voila/render/index.ipynb?token=abc"
    qr = join_qr(url)
    assert qr.matrix == segno.make(url, error="m", micro=False).matrix
    assert qr.matrix != join_qr(url.replace("abc", "abd")).matrix
    svg = write_join_qr(url, tmp_path / "qr" / "join.svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    assert stat.S_IMODE(svg.stat().st_mode) == 0o600


def test_print_join_shows_the_link_and_the_qr_code_only_when_shared(tmp_path):
    shared = make_app(share=True, ip="127.0.0.1", data_dir=tmp_path, rng=SeededRandom("p"))
    out = io.StringIO()
    svg = print_join(shared, out)
    text = out.getvalue()
    assert f"Open: {shared.url}" in text and svg is not None and svg.is_file()
    assert sum("█" in line for line in text.splitlines()) >= 10

    local = make_app(data_dir=tmp_path / "local")
    out = io.StringIO()
    assert print_join(local, out) is None
    assert "token=" not in out.getvalue() and "█" not in out.getvalue()


# --- coopcreds workshop serve ----------------------------------------------------------------------


def test_cli_serve_prints_the_link_and_starts_voila_with_the_code_in_its_environment(
    tmp_path, monkeypatch, capsys
):
    started = {}
    monkeypatch.setattr(workshop_app, "_exec", lambda command, env: started.update(
        command=command, env=env))
    data = tmp_path / "ws"
    rc = cli.main(["workshop", "serve", "--share", "--ip", "127.0.0.1", "--port", "9003",
                   "--data", str(data)])
    assert rc == 0
    out = capsys.readouterr().out
    link = next(line[6:] for line in out.splitlines() if line.startswith("Open: "))
    assert link.startswith("http://127.0.0.1:9003/voila/render/index.ipynb?token=")
    code = link.split("token=")[1]
    assert started["env"][TOKEN_ENV] == code
    assert not any(code in part for part in started["command"])
    assert (data / "join-code.svg").is_file() and data.is_dir()


def test_cli_serve_bad_port_is_one_line_and_exit_2(capsys):
    assert cli.main(["workshop", "serve", "--port", "99999"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--port must be from 1 to 65535" in err
