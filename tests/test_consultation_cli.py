"""``coopcreds feedback add|import|check|erase|summary``."""

from __future__ import annotations

import json

from coopcreds_proto.cli import main
from coopcreds_proto.consultation.feedback import read_feedback
from coopcreds_proto.consultation.sample_feedback import sample_file

ADD = ["feedback", "add", "--organisation", "Elm Street Tenants Co-op", "--participant",
       "Rosa Silva", "--role", "member", "--sphere", "legal", "--field", "identityAssurance",
       "--stance", "keep", "--priority", "5", "--consent", "anonymous", "--comment",
       "Saves weeks per tenancy.", "--time", "2026-03-12T10:00:00Z"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_summary_erase(tmp_path, capsys):
    path = str(tmp_path / "f.jsonl")
    code, out, err = run(capsys, *ADD[:2], path, *ADD[2:])
    assert code == 0 and err == ""
    [record] = read_feedback(path)
    assert out.strip() == record.id and record.consent == "anonymous"

    code, out, _ = run(capsys, "feedback", "summary", path)
    assert code == 0 and "1 responses from 1 participants" in out
    assert "Rosa Silva" not in out and "Saves weeks per tenancy." in out

    code, out, _ = run(capsys, "feedback", "summary", path, "--json")
    data = json.loads(out)
    assert data["records"] == 1 and data["support"][0]["field"] == "identityAssurance"

    code, out, _ = run(capsys, "feedback", "erase", path, "--participant", "Rosa Silva")
    assert code == 0 and "removed 1 records" in out
    assert read_feedback(path) == []


def test_bad_priority_and_corrupt_line(tmp_path, capsys):
    path = tmp_path / "f.jsonl"
    argv = [*ADD[:2], str(path), *ADD[2:]]
    argv[argv.index("--priority") + 1] = "6"
    code, out, err = run(capsys, *argv)
    assert code == 2 and "priority" in err and not path.exists()

    path.write_bytes(sample_file().read_bytes()[:2000] + b"\n")  # cut mid-line
    code, out, err = run(capsys, "feedback", "summary", str(path))
    assert code == 2 and "line " in err
    code, out, err = run(capsys, "feedback", "check", str(path))
    assert code == 1 and "line " in out and "1 problem\n" in out


def test_import_csv_lists_bad_rows(tmp_path, capsys):
    csv_path = tmp_path / "survey.csv"
    csv_path.write_text(
        "Co-op,participant,role,sphere,field,stance,priority,comment,time,consent\n"
        "A,B,member,legal,roles,keep,3,ok,2026-03-01T09:00:00Z,attributed\n"
        "A,C,member,legal,roles,keep,9,no,2026-03-01T09:00:00Z,attributed\n"
        "A,D,member,moon,roles,keep,3,no,2026-03-01T09:00:00Z,attributed\n",
        encoding="utf-8",
    )
    path = str(tmp_path / "f.jsonl")
    code, out, err = run(capsys, "feedback", "import", path, str(csv_path),
                         "--column", "organisation=Co-op")
    assert code == 2 and "row 3, field 'priority'" in err and "row 4, field 'sphere'" in err
    lines = csv_path.read_text().splitlines()
    csv_path.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "feedback", "import", path, str(csv_path),
                         "--column", "organisation=Co-op")
    assert code == 0 and "1 records imported" in out
    code, out, err = run(capsys, "feedback", "import", path, str(csv_path),
                         "--column", "organisation=Co-op")
    assert code == 2 and "already in the file" in err  # the same export twice
    assert len(read_feedback(path)) == 1
