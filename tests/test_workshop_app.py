"""The workshop app, through its ASGI interface: roles, forms, guards, results, console, pack."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from pathlib import Path

import pytest

from coopcreds_proto import cli
from coopcreds_proto.consultation.store import WorkshopStore
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.workshop.app import WorkshopSettings, make_app
from coopcreds_proto.workshop.catalogue import load_catalogue
from coopcreds_proto.workshop.guards import AllowedHosts, Guards, RateLimit

BASE = "http://127.0.0.1:8866"
SECRET = "facilitator-secret-for-tests"
TEMPLATES = Path(__file__).resolve().parent.parent / "coopcreds_proto" / "templates" / "workshop"


@pytest.fixture
def app(tmp_path):
    settings = WorkshopSettings(data_dir=tmp_path / "ws", facilitator_secret=SECRET,
                                rng=SeededRandom("app"), posts_per_minute=600, burst=200,
                                live_seconds=1.0, live_interval=0.05)
    made = make_app(settings)
    yield made
    made.store.close()


def client(app, origin=BASE):
    from starlette.testclient import TestClient
    return TestClient(app.asgi, base_url=BASE, headers={"Origin": origin} if origin else {})


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def form_key_of(html: str) -> str:
    return re.search(r'name="form_key" value="([^"]+)"', html).group(1)


def errors_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="cc-error" id="([\w-]+)-error">([^<]*)</p>', html))


def joined(app, name="Ada Okafor", consent="attributed", **extra):
    c = client(app)
    page = c.get("/join")
    response = c.post("/join", data={"csrf": csrf_of(page.text), "code": app.room.join_code,
                                     "consent": consent, "name": name,
                                     "organisation": "Riverside Co-op", "role": "member",
                                     **extra})
    assert response.url.path == "/", response.text
    return c


def give(c, **values):
    page = c.get("/give")
    data = {"csrf": csrf_of(page.text), "form_key": form_key_of(page.text),
            "field": "memberSince", "sphere": "work", "stance": "keep", "priority": "4",
            "comment": "We use it for voting rights.", **values}
    return c.post("/give", data=data), data


def facilitator(app):
    c = client(app)
    page = c.get("/console")
    c.post("/console/login", data={"csrf": csrf_of(page.text), "secret": SECRET})
    assert "Moderate comments" in c.get("/console").text
    return c


# --- joining and roles ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/give", "/draft", "/results", "/react", "/wallet",
                                  "/views/x", "/projector", "/nothing-here?x=1"])
def test_a_request_without_the_code_gets_the_join_page(app, path):
    response = client(app).get(path)
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert response.url.path == "/join"
        assert 'name="code"' in response.text
    assert "Traceback" not in response.text and "token" not in response.text.lower()


def test_the_qr_link_fills_in_the_code_and_a_wrong_code_is_said_beside_the_field(app):
    c = client(app)
    page = c.get(f"/join?code={app.room.join_code}")
    assert f'value="{app.room.join_code}"' in page.text
    wrong = c.post("/join", data={"csrf": csrf_of(page.text), "code": "WRONG1",
                                  "consent": "anonymous", "role": "member",
                                  "sector": "housing \u0928\u092e\u0938\u094d\u0924\u0947"})
    assert wrong.status_code == 400
    assert "code" in errors_of(wrong.text)
    assert "housing \u0928\u092e\u0938\u094d\u0924\u0947" in wrong.text  # typing kept
    assert app.store.participants(app.round_id) == []


def test_anonymous_participants_keep_no_name_even_if_typed(app):
    joined(app, name="Hidden Person", consent="anonymous")
    [person] = app.store.participants(app.round_id)
    assert person.name is None and person.organisation is None


def test_participants_cannot_reach_console_actions(app):
    c = joined(app)
    give(c)
    view = app.store.current_views(app.round_id)[0]
    csrf = csrf_of(c.get("/give").text)
    for path, data in [("/console/moderate", {"view_key": view.view_key, "action": "hide",
                                              "reason": "x"}),
                       ("/console/decide", {"target": "memberSince", "outcome": "drop",
                                            "reason": "x"}),
                       ("/console/vote", {"votes_for": "1", "votes_against": "0",
                                          "rule": "majority"}),
                       ("/console/pack", {"format": "html"}),
                       ("/console/close", {"confirm": "yes"}),
                       ("/console/erase", {"erase_name": "Ada Okafor"})]:
        assert c.post(path, data={"csrf": csrf, **data}).status_code == 403, path
    assert "Open the console" in c.get("/console").text
    assert not app.store.current_views(app.round_id)[0].hidden
    assert app.store.decisions(app.round_id) == [] and app.room.open
    wrong = c.post("/console/login", data={"csrf": csrf, "secret": "guess"})
    assert wrong.status_code == 403 and "secret" in errors_of(wrong.text)


# --- giving a view ----------------------------------------------------------------------------


def test_the_form_preselects_nothing_and_marks_what_is_required(app):
    html = joined(app).get("/give").text
    assert " checked" not in html and " selected" not in html
    assert html.count("(required)") == 4


def test_a_double_submit_stores_one_view_and_shows_one_receipt(app):
    c = joined(app)
    first, data = give(c)
    again = c.post("/give", data=data)
    assert first.url == again.url and "Saved" in again.text
    assert len(app.store.current_views(app.round_id)) == 1


def test_errors_are_beside_their_fields_with_the_typing_kept(app):
    c = joined(app)
    response, _ = give(c, sphere="", stance="", priority="", comment="Ünïcödé <b>kept</b>")
    assert response.status_code == 400
    assert set(errors_of(response.text)) == {"sphere", "stance", "priority"}
    assert "Ünïcödé &lt;b&gt;kept&lt;/b&gt;" in response.text
    assert app.store.current_views(app.round_id) == []


def test_a_field_not_in_the_draft_is_refused_beside_the_field(app):
    response, _ = give(joined(app), field="shoeSize", priority="9")
    assert set(errors_of(response.text)) == {"field", "priority"}


def test_a_new_field_is_proposed_with_its_term(app):
    response, _ = give(joined(app), field="new field", stance="", proposed_term="recognisedBy",
                       proposed_label="Recognised by")
    assert response.status_code == 200, errors_of(response.text)
    assert app.store.current_views(app.round_id)[0].target == "+recognisedBy"


def test_the_receipt_edits_and_withdraws_the_view(app):
    c = joined(app)
    response, _ = give(c)
    key = response.url.path.split("/")[2]
    edit = c.get(f"/views/{key}/edit")
    assert 'value="work" checked' in edit.text
    data = {"csrf": csrf_of(edit.text), "form_key": form_key_of(edit.text),
            "field": "memberSince", "sphere": "legal", "stance": "drop", "priority": "2",
            "comment": "Changed my mind."}
    assert "Saved" in c.post(f"/views/{key}/edit", data=data).text
    receipt = c.get(f"/views/{key}")
    c.post(f"/views/{key}/withdraw", data={"csrf": csrf_of(receipt.text),
                                           "form_key": form_key_of(receipt.text)})
    assert app.store.current_views(app.round_id) == []
    assert [v.kind for v in app.store.history(key)] == ["given", "edited", "withdrawn"]
    other = joined(app, "Bea")
    assert other.get(f"/views/{key}").status_code == 404


def test_a_form_without_its_csrf_token_stores_nothing(app):
    c = joined(app)
    page = c.get("/give")
    response = c.post("/give", data={"form_key": form_key_of(page.text), "field": "memberSince",
                                     "sphere": "work", "stance": "keep", "priority": "3"})
    assert response.status_code == 403
    assert app.store.current_views(app.round_id) == []


def test_a_form_sent_after_a_long_sleep_is_still_saved(app):
    c = joined(app)
    page = c.get("/give")
    app._live = None  # nothing on the server expires a form: no session, no per-page state
    data = {"csrf": csrf_of(page.text), "form_key": form_key_of(page.text),
            "field": "roles", "sphere": "play", "stance": "change", "priority": "1"}
    assert "Saved" in c.post("/give", data=data).text


# --- the guards -------------------------------------------------------------------------------


def test_a_request_naming_another_host_is_refused(app):
    c = joined(app)
    give(c)
    response = c.get("/results", headers={"Host": "attacker.example:8866"})
    assert response.status_code == 421 and "voting rights" not in response.text


def test_a_post_from_another_origin_or_none_is_refused(app):
    c = joined(app)
    page = c.get("/give")
    data = {"csrf": csrf_of(page.text), "form_key": form_key_of(page.text),
            "field": "roles", "sphere": "play", "stance": "keep", "priority": "1"}
    assert c.post("/give", data=data, headers={"Origin": "http://evil.example"}).status_code \
        == 403
    c.headers.pop("Origin")
    assert c.post("/give", data=data).status_code == 403
    assert app.store.current_views(app.round_id) == []


def test_a_large_body_is_refused(app):
    c = joined(app)
    response = c.post("/give", content=b"comment=" + b"x" * 200_000,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


def test_a_client_posting_too_often_is_slowed_down(tmp_path):
    settings = WorkshopSettings(data_dir=tmp_path / "ws", facilitator_secret=SECRET,
                                rng=SeededRandom("rate"), posts_per_minute=6, burst=3)
    app = make_app(settings)
    c = client(app)
    c.get("/join")  # the browser's cookie: with the address, what a client is
    statuses = [c.post("/join", data={}).status_code for _ in range(6)]
    assert statuses[:3] == [403, 403, 403] and statuses[3:] == [429, 429, 429]
    app.store.close()


def test_live_updates_refuse_another_origin_and_stream_to_the_room(app):
    c = joined(app)
    assert c.get("/events", headers={"Origin": "http://evil.example"}).status_code == 403
    give(c)
    with c.stream("GET", "/events") as stream:
        text = ""
        for chunk in stream.iter_text():
            text += chunk
            if "event: update" in text and "\n\n" in text.split("event: update", 1)[1]:
                break
    assert "1 views" in text and "data: " in text
    assert client(app).get("/events").status_code in (200, 403)


# --- results, reactions, credentials -------------------------------------------------------------


def test_results_show_every_comment_with_words_for_each_bar(app):
    ada = joined(app)
    for i in range(12):
        give(ada, comment=f"comment number {i}", field="roles" if i % 2 else "memberSince")
    html = ada.get("/results").text
    assert all(f"comment number {i}" in html for i in range(12))
    assert "6 views: keep 6, change 0, drop 0" in html
    assert "memberOf" not in html and "membershipStatus" not in html
    filtered = ada.get("/results?field=roles").text
    assert "comment number 1" in filtered and "comment number 0" not in filtered


def test_reactions_show_where_the_room_agrees(app):
    ada, bea, cai = joined(app, "Ada"), joined(app, "Bea"), joined(app, "Cai")
    give(ada, comment="Keep it short.")
    key = app.store.current_views(app.round_id)[0].view_key
    for who, reaction in ((bea, "agree"), (cai, "agree")):
        page = who.get("/react")
        assert "Keep it short." in page.text
        who.post("/react", data={"csrf": csrf_of(page.text), "form_key": form_key_of(page.text),
                                 "view_key": key, "reaction": reaction})
    assert app.store.reactions(app.round_id)[key].agree == 2
    assert "2 agree, 0 disagree" in ada.get("/react").text
    # Your own comments are not offered to you to react to.
    assert f'name="view_key" value="{key}"' not in ada.get("/react").text


def test_the_wallet_screen_lists_exactly_what_is_sent(app):
    c = joined(app)
    page = c.get("/wallet")
    screen = re.findall(r'<span class="cc-claim">([^<]*)</span>',
                        page.text.split('id="cc-will-see"')[1].split("</ul>")[0])
    shared = c.post("/wallet", data={"csrf": csrf_of(page.text), "choice": "share"})
    sent = re.findall(r"<li>([^<]*)</li>", shared.text.split('id="cc-sent"')[1].split("</ul>")[0])
    assert screen and screen == sent
    [written] = (app.settings.data_dir / "shared-with-coops").glob("*.json")
    presentation = json.loads(written.read_text())
    credential = presentation["verifiableCredential"][0]
    subject = credential["credentialSubject"]
    assert len([k for k in subject if k not in ("id", "type")]) == len(screen)
    # What travels whatever is asked is on the screen before sharing too: the
    # co-op that issued it, the holder's id and the original credential's id.
    also = page.text.split('id="cc-also-sent"')[1].split("</ul>")[0]
    assert credential["issuer"]["name"] in also
    assert subject["id"] in also and credential["derivedFrom"] in also
    withheld = page.text.split("They will not see")[1].split("</ul>")[0]
    assert "Your co-op<" not in withheld


def test_the_sample_cards_say_what_the_verifier_found(app):
    html = joined(app).get("/cards").text
    assert html.count("The verifier says: this credential is genuine") == 2


# --- the console ---------------------------------------------------------------------------------


def test_the_facilitator_runs_a_round_to_the_pack(app):
    ada, bea = joined(app, "Ada Okafor"), joined(app, "Bea Lund")
    give(ada, comment="Voting needs it.")
    give(bea, comment="Rude words here.", stance="drop")
    give(bea, field="roles", stance="change", comment="Say board or staff.")
    f = facilitator(app)
    csrf = csrf_of(f.get("/console").text)
    rude = next(v for v in app.store.current_views(app.round_id) if v.comment.startswith("Rude"))
    missing = f.post("/console/moderate", data={"csrf": csrf, "view_key": rude.view_key,
                                                "action": "hide", "reason": ""})
    assert missing.status_code == 400 and f"reason-{rude.view_key}" in errors_of(missing.text)
    f.post("/console/moderate", data={"csrf": csrf, "view_key": rude.view_key, "action": "hide",
                                      "reason": "Not about the field"})
    assert "Hidden by the facilitator: Not about the field" in ada.get("/results").text
    nobody = f.post("/console/decide", data={"csrf": csrf, "target": "roles",
                                             "outcome": "drop", "reason": "No"})
    assert nobody.status_code == 400 and "outcome" in errors_of(nobody.text)
    f.post("/console/decide", data={"csrf": csrf, "target": "memberSince", "outcome": "adopt",
                                    "reason": "Most keep it"})
    f.post("/console/decide", data={"csrf": csrf, "target": "roles", "outcome": "change",
                                    "reason": "Clearer", "label": "Roles in the co-op"})
    preview = f.get("/console/preview").text
    assert "Roles in the co-op" in preview and "What changes from draft" in preview
    f.post("/console/vote", data={"csrf": csrf, "votes_for": "12", "votes_against": "3",
                                  "abstentions": "1", "rule": "two-thirds"})
    pack = f.post("/console/pack", data={"csrf": csrf, "format": "html"})
    assert pack.headers["content-disposition"].startswith("attachment;")
    html = pack.text
    assert html.index('id="summary"') < html.index('id="draft"')
    assert "12 for, 3 against, 1 abstaining" in html and ": adopted." in html
    assert "Appendix: every comment" in html and "Say board or staff." in html
    assert "Hidden by the facilitator: Not about the field" in html
    assert "Rude words here." not in html
    f.post("/console/close", data={"csrf": csrf, "confirm": "yes"})
    assert not app.room.open
    late, _ = give(ada, comment="too late")
    assert late.status_code == 400 and "closed" in late.text


def test_erasure_from_the_console_remakes_the_earlier_pack_without_the_person(app):
    ada = joined(app, "Zoë Šimić")
    give(ada, comment="zoe-words")
    give(joined(app, "Bea"), comment="bea-words")
    f = facilitator(app)
    csrf = csrf_of(f.get("/console").text)
    f.post("/console/pack", data={"csrf": csrf, "format": "html"})
    [pack] = app.store.packs(app.round_id)
    assert "zoe-words" in Path(pack.path).read_text()
    exported, edited = (app.settings.data_dir / "views.jsonl",
                        app.settings.data_dir / "edited.csv")
    app.store.export_jsonl(exported, app.round_id)
    app.store.export_csv(edited, app.round_id)
    edited.write_text(edited.read_text() + "edited by hand\n")
    page = f.post("/console/erase", data={"csrf": csrf,
                                          "erase_name": "ZOE\u0308 S\u030cimic\u0301"}).text
    text = Path(pack.path).read_text()
    assert "zoe-words" not in text and "Šimić" not in text and "bea-words" in text
    assert "zoe-words" not in exported.read_text() and "bea-words" in exported.read_text()
    assert "Made again without them: packs 1, exported files 1." in page
    assert f"may still hold the erased views: {edited.resolve()}" in page


# --- words, and the command line ------------------------------------------------------------------


def test_every_message_the_templates_use_is_in_the_catalogue():
    t = load_catalogue()
    used = set()
    for path in TEMPLATES.glob("app/*.html"):
        used |= set(re.findall(r"""(?<![\w.])t\(["']([a-z_.-]+)["']\s*[,)]""",
                               path.read_text()))
    app_source = (TEMPLATES.parent.parent / "workshop" / "app.py").read_text()
    used |= set(re.findall(r"""self\.t\(["']([a-z_.-]+)["']\s*[,)]""", app_source))
    assert used and used <= t.keys(), used - t.keys()


def test_a_catalogue_in_another_language_replaces_the_words(tmp_path, app):
    path = tmp_path / "fr.json"
    path.write_text(json.dumps({"language": "fr", "messages": {"join.title": "Rejoindre"}}))
    t = load_catalogue(path)
    assert (t.language, t("join.title"), t("join.button")) == ("fr", "Rejoindre", "Join")


def test_cli_serve_bad_port_is_one_line_and_exit_2(capsys):
    assert cli.main(["workshop", "serve", "--port", "99999"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--port must be from 1 to 65535" in err


def test_cli_export_import_and_erase_work_on_the_store(app, tmp_path, capsys):
    give(joined(app, "Ada Okafor"), comment="exported")
    data = str(app.settings.data_dir)
    out = tmp_path / "views.csv"
    assert cli.main(["workshop", "export", "--data", data, "--out", str(out)]) == 0
    assert "exported" in out.read_text()
    assert cli.main(["workshop", "export", "--data", data, "--out", str(out)]) == 2
    jsonl = tmp_path / "views.jsonl"
    assert cli.main(["workshop", "export", "--data", data, "--out", str(jsonl)]) == 0
    assert cli.main(["workshop", "import", str(jsonl), "--data", data]) == 2  # already there
    out.write_text(out.read_text() + "edited by hand\n")
    capsys.readouterr()
    assert cli.main(["workshop", "erase", "--data", data, "--name", "ada okafor"]) == 0
    said = capsys.readouterr().out
    assert f"wrote the earlier export {jsonl.resolve()} again without them" in said
    assert f"left the export {out.resolve()} as it is" in said
    with WorkshopStore.open(Path(data) / "workshop.sqlite") as store:
        assert store.records(app.round_id) == []
    # The export no longer holds her: importing it again does not bring her back.
    assert "exported" not in jsonl.read_text() and "exported" in out.read_text()
    assert cli.main(["workshop", "import", str(jsonl), "--data", data]) == 0
    with WorkshopStore.open(Path(data) / "workshop.sqlite") as store:
        assert store.records(app.round_id) == []
    capsys.readouterr()


def test_the_server_answers_on_loopback_and_prints_no_traceback(tmp_path):
    import io
    import socket
    import time
    import urllib.request

    from coopcreds_proto.workshop import server

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = io.StringIO()
    options = server.ServeOptions(data_dir=tmp_path / "ws", port=port)
    thread = threading.Thread(target=server.serve, args=(options, out), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while "Press Ctrl+C" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/join", timeout=5) as response:
        assert response.status == 200
    request = urllib.request.Request(f"http://127.0.0.1:{port}/join",
                                     headers={"Host": "attacker.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 421
    # One endless header line: the connection is closed long before the server holds much.
    sent = 0
    with socket.create_connection(("127.0.0.1", port)) as endless:
        endless.sendall(b"GET /join HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: ")
        with pytest.raises(OSError):
            for _ in range(100):
                endless.sendall(b"a" * 100_000)
                sent += 100_000
    assert sent < 5_000_000
    text = out.getvalue()
    assert "join code" in text and "secret:" in text and "Traceback" not in text
    assert "refused a request for host 'attacker.example'" in text


def test_a_participant_can_erase_themself_from_the_store_and_the_packs(app):
    ana = joined(app, consent="anonymous")
    give(ana, comment="ana-anonymous-words")
    give(joined(app, "Bea"), comment="bea-words")
    f = facilitator(app)
    f.post("/console/pack", data={"csrf": csrf_of(f.get("/console").text), "format": "html"})
    [pack] = app.store.packs(app.round_id)
    page = ana.get("/mine")
    unconfirmed = ana.post("/mine/forget", data={"csrf": csrf_of(page.text)})
    assert unconfirmed.status_code == 400 and "confirm" in errors_of(unconfirmed.text)
    done = ana.post("/mine/forget", data={"csrf": csrf_of(page.text), "confirm": "yes"})
    assert "You are forgotten" in done.text
    assert [v.comment for v in app.store.current_views(app.round_id)] == ["bea-words"]
    assert "ana-anonymous-words" not in Path(pack.path).read_text()
    assert ana.get("/give").url.path == "/join"


def test_one_device_cannot_hold_more_than_its_share_of_connections():
    # Three requests from one device stay open (live channels); a fourth from
    # it is refused at once, while another device and this computer are served,
    # and once the three end the device is served again.
    release = asyncio.Event()

    async def slow_app(scope, receive, send):
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    refusals: list[str] = []
    guards = Guards(slow_app, hosts=AllowedHosts(()), rate=RateLimit(60, 10),
                    max_open_per_address=3, on_refusal=refusals.append)

    async def status_of(address: str) -> int:
        sent = []

        async def send(message):
            sent.append(message)

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        scope = {"type": "http", "method": "GET", "path": "/events",
                 "headers": [(b"host", b"127.0.0.1:8866")], "client": (address, 50000)}
        await guards(scope, receive, send)
        return sent[0]["status"]

    async def scenario():
        held = [asyncio.create_task(status_of("192.168.1.20")) for _ in range(3)]
        await asyncio.sleep(0.05)
        fourth = await asyncio.wait_for(status_of("192.168.1.20"), 2)
        others = [asyncio.create_task(status_of(a)) for a in ("192.168.1.21", "127.0.0.1")]
        await asyncio.sleep(0.05)
        waiting = [not task.done() for task in others]
        release.set()
        statuses = await asyncio.gather(*held, *others)
        again = await asyncio.wait_for(status_of("192.168.1.20"), 2)
        return fourth, waiting, statuses, again

    # In a thread of its own: an event loop elsewhere in this process is not disturbed.
    outcome: dict = {}
    runner = threading.Thread(target=lambda: outcome.update(result=asyncio.run(scenario())))
    runner.start()
    runner.join(timeout=30)
    fourth, waiting, statuses, again = outcome["result"]
    assert fourth == 503 and refusals and "192.168.1.20" in refusals[0]
    assert waiting == [True, True]  # served (held open like the others), not refused
    assert statuses == [200] * 5 and again == 200
    assert not guards.open_by_address
