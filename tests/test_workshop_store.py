"""The workshop store: append-only views, one-time form keys, consent, erasure, import/export."""

from __future__ import annotations

import hashlib
import multiprocessing
import sqlite3
import unicodedata

import pytest

from coopcreds_proto.consultation.feedback import FeedbackError, read_feedback
from coopcreds_proto.consultation.sample_feedback import sample_file
from coopcreds_proto.consultation.store import (
    WORKSHOP_SCHEMA,
    WorkshopStore,
    WorkshopStoreError,
    name_key,
)
from coopcreds_proto.database import (
    DatabaseError,
    Schema,
    integrity_problems,
    open_database,
    schema_version,
    transaction,
)
from coopcreds_proto.randomness import SeededRandom

VIEW = {"sphere": "work", "field": "memberSince", "stance": "keep", "priority": 3,
        "comment": "We use it for voting rights."}


@pytest.fixture
def store(tmp_path):
    with WorkshopStore.open(tmp_path / "w.sqlite", rng=SeededRandom("store")) as s:
        yield s


@pytest.fixture
def room(store):
    return store.open_round("Membership", "cooperative-membership", "0.1")


def join(store, room, name="Ada Okafor", consent="attributed", **extra):
    person, _ = store.join(room.id, consent=consent, name=name,
                           organisation=extra.pop("organisation", "Riverside Co-op"),
                           role="member", **extra)
    return person


def test_a_repeated_form_key_stores_one_view(store, room):
    ada = join(store, room)
    first, saved = store.give_view(ada.id, form_key="form-aaaa", **VIEW)
    again, saved_again = store.give_view(ada.id, form_key="form-aaaa", **VIEW)
    assert (saved, saved_again) == (True, False)
    assert again.id == first.id
    assert len(store.current_views(room.id)) == 1


def test_edit_and_withdraw_add_records_and_keep_the_history(store, room):
    ada = join(store, room)
    view, _ = store.give_view(ada.id, form_key="form-give", **VIEW)
    store.edit_view(ada.id, view.view_key, form_key="form-edit", **{**VIEW, "stance": "drop"})
    assert [v.stance for v in store.current_views(room.id)] == ["drop"]
    store.withdraw_view(ada.id, view.view_key, form_key="form-withdraw")
    assert store.current_views(room.id) == []
    assert [v.kind for v in store.history(view.view_key)] == ["given", "edited", "withdrawn"]
    assert all(v.draft_version == "0.1" for v in store.history(view.view_key))
    with pytest.raises(WorkshopStoreError) as exc:
        store.edit_view(ada.id, view.view_key, form_key="form-edit-2", **VIEW)
    assert exc.value.code == "view-withdrawn"


def test_views_cannot_be_updated_in_place(store, room):
    ada = join(store, room)
    store.give_view(ada.id, form_key="form-give", **VIEW)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store._db.execute("UPDATE view_record SET comment = 'changed'")


def test_nobody_edits_another_persons_view(store, room):
    ada, bea = join(store, room), join(store, room, "Bea Lund")
    view, _ = store.give_view(ada.id, form_key="form-give", **VIEW)
    with pytest.raises(WorkshopStoreError) as exc:
        store.withdraw_view(bea.id, view.view_key, form_key="form-withdraw")
    assert exc.value.code == "unknown-view"


def test_invalid_views_list_every_field_and_store_nothing(store, room):
    ada = join(store, room)
    with pytest.raises(FeedbackError) as exc:
        store.give_view(ada.id, form_key="form-bad1", sphere="", field="memberSince",
                        stance="", priority=9)
    assert {p.field for p in exc.value.problems} == {"sphere", "stance", "priority"}
    assert store.current_views(room.id) == []


def test_anonymous_participants_keep_no_name_or_organisation(store, room):
    person, token = store.join(room.id, consent="anonymous", name="Secret Name",
                               organisation="Secret Co-op", role="member", sector="housing")
    assert (person.name, person.organisation) == (None, None)
    assert store.participant_by_token(token) == person
    stored = store._db.execute("SELECT * FROM participant").fetchall()
    assert "Secret" not in repr(stored)
    store.give_view(person.id, form_key="form-anon", **VIEW)
    [record] = store.records(room.id)
    assert record.consent == "anonymous" and "Secret" not in record.to_json_line()


def test_an_attributed_join_needs_a_name(store, room):
    with pytest.raises(FeedbackError) as exc:
        store.join(room.id, consent="attributed", name=" ", role="member")
    assert exc.value.field == "participant"


def test_reactions_count_the_latest_of_each_person(store, room):
    ada, bea, cai = (join(store, room, n) for n in ("Ada", "Bea", "Cai"))
    view, _ = store.give_view(ada.id, form_key="form-give", **VIEW)
    store.react(bea.id, view.view_key, "disagree", form_key="react-0001")
    store.react(bea.id, view.view_key, "agree", form_key="react-0002")
    assert not store.react(bea.id, view.view_key, "agree", form_key="react-0002")
    store.react(cai.id, view.view_key, "disagree", form_key="react-0003")
    count = store.reactions(room.id)[view.view_key]
    assert (count.agree, count.disagree, count.division) == (1, 1, 1.0)
    with pytest.raises(WorkshopStoreError) as exc:
        store.react(ada.id, view.view_key, "agree", form_key="react-0004")
    assert exc.value.code == "own-view"


def test_a_hidden_comment_is_logged_and_left_out_of_records_but_the_view_counts(store, room):
    ada = join(store, room)
    view, _ = store.give_view(ada.id, form_key="form-give", **VIEW)
    store.moderate(view.view_key, "hide", "names a person who is not here")
    [shown] = store.current_views(room.id)
    assert shown.hidden and shown.hidden_reason == "names a person who is not here"
    [record] = store.records(room.id)
    assert record.comment == "" and record.stance == "keep"
    assert [(m.action, m.draft_version) for m in store.moderation_log(room.id)] == [
        ("hide", "0.1")]
    with pytest.raises(WorkshopStoreError):
        store.moderate(view.view_key, "hide", "  ")


def test_the_latest_decision_on_a_field_counts(store, room):
    ada = join(store, room)
    view, _ = store.give_view(ada.id, form_key="form-give", **VIEW)
    store.decide(room.id, "memberSince", "defer", "ask the board")
    store.decide(room.id, "memberSince", "adopt", "most keep it", answers=[view.view_key])
    [decision] = store.decisions(room.id)
    assert (decision.outcome, decision.answers, decision.draft_version) == (
        "adopt", (view.view_key,), "0.1")
    with pytest.raises(WorkshopStoreError) as exc:
        store.decide(room.id, "memberSince", "adopt", "x", answers=["not-a-view"])
    assert exc.value.code == "unknown-view"


def test_a_closed_round_takes_no_more_views(store, room):
    ada = join(store, room)
    store.close_round(room.id)
    with pytest.raises(WorkshopStoreError) as exc:
        store.give_view(ada.id, form_key="form-late", **VIEW)
    assert exc.value.code == "round-closed"
    assert store.current_round() is None


# --- erasure -------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [
    "Zoë Šimić",
    unicodedata.normalize("NFD", "Zoë Šimić"),
    "ZOË ŠIMIĆ",
    "Zoë\u200b Šimić",
    "  zoë   šimić ",
])
def test_erasure_finds_a_person_however_their_name_was_typed(store, room, typed):
    zoe = join(store, room, unicodedata.normalize("NFD", "Zoë\u200dŠimić").replace("\u200d", " "))
    bea = join(store, room, "Bea Lund")
    view, _ = store.give_view(zoe.id, form_key="form-zoe1", **{**VIEW, "comment": "zoe-secret"})
    store.give_view(bea.id, form_key="form-bea1", **VIEW)
    store.react(bea.id, view.view_key, "agree", form_key="react-bea1")
    erasure = store.erase_person(typed)
    assert (erasure.participants, erasure.views_removed, erasure.reactions_removed) == (1, 1, 1)
    assert [r.participant for r in store.records(room.id)] == ["Bea Lund"]
    assert store.reactions(room.id) == {}
    store.close()
    raw = (store.path).read_bytes()
    assert b"zoe-secret" not in raw and "Šimić".encode() not in raw


def test_name_key_ignores_invisible_characters_and_case():
    assert name_key("Ada\u00adOkafor") == name_key("adaokafor")
    assert name_key("Ｒｏｓａ") == name_key("rosa")


def test_erasure_removes_packs_exported_before_it(store, room, tmp_path):
    ada = join(store, room)
    store.give_view(ada.id, form_key="form-give", **VIEW)
    pack = tmp_path / "pack.html"
    pack.write_text("<p>Ada Okafor: We use it for voting rights.</p>")
    store.record_pack(room.id, pack)
    erasure = store.erase_person("ada okafor")
    assert erasure.packs_removed == (str(pack.resolve()),)
    assert not pack.exists()
    assert store.packs(room.id)[0].removed_at is not None


def test_erasure_writes_earlier_exports_again_without_the_person(store, room, tmp_path):
    ada, bea = join(store, room), join(store, room, "Bea Lund")
    store.give_view(ada.id, form_key="form-ada", **{**VIEW, "comment": "ada-secret"})
    store.give_view(bea.id, form_key="form-bea", **{**VIEW, "comment": "bea-kept"})
    jsonl, csv_file = tmp_path / "views.jsonl", tmp_path / "out" / "views.csv"
    assert store.export_jsonl(jsonl, room.id) == 2
    assert store.export_csv(csv_file, room.id) == 2
    csv_file.chmod(0o600)
    assert [(e.path, e.format) for e in store.exports(room.id)] == [
        (str(jsonl.resolve()), "jsonl"), (str(csv_file.resolve()), "csv")]
    erasure = store.erase_person("Ada Okafor")
    assert erasure.exports_remade == (str(jsonl.resolve()), str(csv_file.resolve()))
    assert erasure.exports_changed == ()
    for path in (jsonl, csv_file):
        text = path.read_text()
        assert "ada-secret" not in text and "Ada Okafor" not in text and "bea-kept" in text
    assert [r.participant for r in read_feedback(jsonl)] == ["Bea Lund"]
    assert csv_file.stat().st_mode & 0o777 == 0o600  # the file's permissions are kept
    # The store knows what it wrote the second time: a later erasure rewrites it again.
    assert [e.sha256 for e in store.exports(room.id)] == [
        hashlib.sha256(p.read_bytes()).hexdigest() for p in (jsonl, csv_file)]
    assert store.erase_person("Bea Lund").exports_remade == erasure.exports_remade
    assert jsonl.read_text() == ""


def test_erasure_leaves_an_export_changed_since_and_says_so(store, room, tmp_path):
    ada = join(store, room)
    store.give_view(ada.id, form_key="form-ada", **{**VIEW, "comment": "ada-secret"})
    edited, gone, other_round = (tmp_path / "edited.csv", tmp_path / "gone.jsonl",
                                 tmp_path / "other.jsonl")
    store.export_csv(edited, room.id)
    store.export_jsonl(gone, room.id)
    later = store.open_round("Later", "cooperative-membership", "0.1")
    store.export_jsonl(other_round, later.id)
    edited.write_text(edited.read_text() + "a line someone added by hand\n")
    before = edited.read_bytes()
    gone.unlink()
    erasure = store.erase_person("Ada Okafor")
    assert erasure.exports_changed == (str(edited.resolve()),)
    assert erasure.exports_remade == ()  # the other round's export held nobody erased
    assert edited.read_bytes() == before and not gone.exists()


def test_an_erasure_of_nobodys_views_rewrites_no_export(store, room, tmp_path):
    join(store, room)
    out = tmp_path / "views.jsonl"
    store.export_jsonl(out, room.id)
    assert store.erase_person("Ada Okafor").exports_remade == ()


def test_erasure_keeps_decisions_but_not_the_erased_views_in_them(store, room):
    ada, bea = join(store, room), join(store, room, "Bea")
    a, _ = store.give_view(ada.id, form_key="form-ada1", **VIEW)
    b, _ = store.give_view(bea.id, form_key="form-bea1", **VIEW)
    store.decide(room.id, "memberSince", "adopt", "kept", answers=[a.view_key, b.view_key])
    store.erase_person("Ada Okafor")
    assert store.decisions(room.id)[0].answers == (b.view_key,)
    assert integrity_problems(store._db) == ()


# --- import and export --------------------------------------------------------------------


def test_jsonl_and_csv_exports_read_back_as_the_same_records(store, room, tmp_path):
    records = read_feedback(sample_file())
    assert store.import_records(room.id, records) == len(records)
    assert store.export_jsonl(tmp_path / "out.jsonl", room.id) == len(records)
    back = read_feedback(tmp_path / "out.jsonl")
    assert sorted(r.id for r in back) == sorted(r.id for r in records)
    store.export_csv(tmp_path / "out.csv", room.id)
    other = store.open_round("Again", "cooperative-membership", "0.1")
    from coopcreds_proto.consultation.feedback import import_feedback_csv
    assert {r.comment for r in import_feedback_csv(tmp_path / "out.csv")} == {
        r.comment for r in records}
    with pytest.raises(WorkshopStoreError) as exc:
        store.import_records(other.id, records)
    assert exc.value.code == "already-imported"
    with pytest.raises(WorkshopStoreError) as exc:
        store.export_jsonl(tmp_path / "out.jsonl", room.id)
    assert exc.value.code == "export-exists"


# --- the database ---------------------------------------------------------------------------


def _writer(path: str, round_id: str, who: int, count: int) -> None:
    with WorkshopStore.open(path) as s:
        person, _ = s.join(round_id, consent="attributed", name=f"Writer {who}", role="member")
        for i in range(count):
            s.give_view(person.id, form_key=f"form-{who}-{i:04d}", **VIEW)
            if i % 2:  # the same key again, as a double submit would
                s.give_view(person.id, form_key=f"form-{who}-{i:04d}", **VIEW)


def test_concurrent_writers_in_separate_processes_lose_and_duplicate_nothing(tmp_path):
    path = tmp_path / "w.sqlite"
    with WorkshopStore.open(path) as s:
        room = s.open_round("Busy", "cooperative-membership", "0.1")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(path), room.id, n, 60)) for n in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    with WorkshopStore.open(path) as s:
        assert len(s.current_views(room.id)) == 4 * 60
        assert integrity_problems(s._db) == ()


def test_a_store_at_an_older_schema_version_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / "w.sqlite"
    first = Schema(WORKSHOP_SCHEMA.name, WORKSHOP_SCHEMA.migrations[:1])
    db = open_database(path, first)
    with transaction(db):
        db.execute("INSERT INTO round (id, title, slug, draft_version, join_code, opened_at)"
                   " VALUES ('r1', 'Kept', 'cooperative-membership', '0.1', 'ABCDEF',"
                   " '2026-03-12T10:00:00Z')")
        for who in ("p1", "p2"):
            db.execute("INSERT INTO participant (id, round_id, token_hash, consent, role,"
                       " joined_at) VALUES (?, 'r1', ?, 'anonymous', 'member',"
                       " '2026-03-12T10:00:00Z')", (who, who))
        db.execute("INSERT INTO view_record (id, view_key, kind, participant_id, round_id,"
                   " draft_version, sphere, field, stance, priority, time) VALUES ('v1', 'v1',"
                   " 'given', 'p1', 'r1', '0.1', 'work', 'roles', 'keep', 3,"
                   " '2026-03-12T10:00:00Z')")
        db.execute("INSERT INTO reaction (participant_id, view_key, reaction, time)"
                   " VALUES ('p2', 'v1', 'agree', '2026-03-12T10:01:00Z')")
    db.close()
    with WorkshopStore.open(path) as s:
        assert s.round("r1").title == "Kept"
        assert schema_version(s._db) == WORKSHOP_SCHEMA.version == 4
        indexes = {r[0] for r in s._db.execute("SELECT name FROM sqlite_master"
                                               " WHERE type = 'index'")}
        assert {"moderation_view", "view_participant", "export_path"} <= indexes
        assert s.exports() == []
        assert s._db.execute("SELECT draft_version FROM reaction").fetchall() == [("0.1",)]
        assert s.reactions("r1")["v1"].agree == 1


def test_a_database_of_another_kind_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    open_database(path, Schema("service", WORKSHOP_SCHEMA.migrations[:1])).close()
    with pytest.raises(DatabaseError) as exc:
        WorkshopStore.open(path)
    assert exc.value.code == "database-wrong-kind"
