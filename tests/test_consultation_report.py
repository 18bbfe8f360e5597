"""Aggregation of feedback with pandas: support, spheres, disagreement, comments, heatmap."""

from __future__ import annotations

import pandas as pd
import pytest

from coopcreds_proto.consultation.feedback import NEW_FIELD, make_record
from coopcreds_proto.consultation.report import (
    disagreement,
    feedback_frame,
    field_sphere_table,
    figure_png,
    plot_field_sphere_heatmap,
    support_by_field,
    top_comments,
)
from coopcreds_proto.randomness import SeededRandom

_rng = SeededRandom("report-tests")


def fb(field, stance, sphere="legal", priority=3, comment="", who="P", consent="attributed",
       time="2026-03-12T10:00:00Z", **extra):
    return make_record(organisation=f"{who} Co-op", participant=who, role="member",
                       sector="housing", sphere=sphere, field=field, stance=stance,
                       priority=priority, comment=comment, consent=consent, rng=_rng,
                       time=time, **extra)


RECORDS = [
    fb("roles", "keep", who="A"),
    fb("roles", "keep", who="B", sphere="work"),
    fb("roles", "drop", who="C"),
    fb("roles", "change", who="D", sphere="play"),
    fb("votingRights", "keep", who="A"),
    fb("votingRights", "drop", who="B"),
    fb("votingRights", "keep", who="C"),
    fb("votingRights", "drop", who="D"),
    fb("benefits", "keep", who="A", sphere="work"),
    fb("benefits", "keep", who="B", sphere="work"),
    fb("benefits", "keep", who="C", sphere="play"),
    fb(NEW_FIELD, "add", who="A", proposed_term="recognisedBy", sphere="work"),
]


def test_support_by_field_counts_and_shares():
    table = support_by_field(RECORDS)
    assert list(table.index[:2]) == ["roles", "votingRights"]  # 4 responses each
    roles = table.loc["roles"]
    assert (roles["keep"], roles["change"], roles["drop"]) == (2, 1, 1)
    assert roles["support"] == 0.5 and roles["opposition"] == 0.25 and roles["net"] == 0.25
    assert table.loc["+recognisedBy", "support"] == 1.0
    assert table.loc["benefits", "opposition"] == 0.0


def test_field_sphere_table_counts_and_net():
    counts = field_sphere_table(RECORDS)
    assert list(counts.columns) == ["legal", "work", "play"]
    assert counts.loc["benefits"].tolist() == [0, 2, 1]
    assert counts.to_numpy().sum() == len(RECORDS)
    net = field_sphere_table(RECORDS, value="net")
    assert net.loc["votingRights", "legal"] == 0.0
    assert pd.isna(net.loc["benefits", "legal"])
    with pytest.raises(ValueError):
        field_sphere_table(RECORDS, value="votes")


def test_disagreement_ranks_the_split_field_first():
    table = disagreement(RECORDS)
    assert table.index[0] == "votingRights"  # half keep, half drop
    assert table.loc["votingRights", "spread"] == 1.0
    assert table.loc["benefits", "spread"] == 0.0
    assert "+recognisedBy" not in table.index
    assert "benefits" not in disagreement(RECORDS, min_responses=4).index


def test_top_comments_by_priority_then_time_with_consent():
    records = [
        fb("roles", "keep", priority=2, comment="low", who="A"),
        fb("roles", "keep", priority=5, comment="late", who="B", time="2026-03-12T11:00:00Z"),
        fb("roles", "keep", priority=5, comment="early", who="Hidden", consent="anonymous"),
        fb("roles", "keep", priority=5, comment="", who="Silent"),
    ]
    table = top_comments(records, n=2)
    assert list(table.columns) == ["field", "sphere", "stance", "priority", "who", "comment"]
    assert table["comment"].tolist() == ["early", "late"]
    assert table["who"].tolist() == ["Anonymous (housing)", "B, B Co-op"]
    assert top_comments(records, field="benefits").empty
    assert top_comments(records, sphere="legal", n=10)["comment"].tolist() == [
        "early", "late", "low"]


def test_frame_is_long_form_and_redacted():
    frame = feedback_frame([fb("roles", "keep", who="Hidden", consent="anonymous")])
    assert frame.loc[0, "participant"] == "anonymous"
    assert frame.loc[0, "organisation"] == "anonymous"
    raw = feedback_frame([fb("roles", "keep", who="Hidden", consent="anonymous")], redact=False)
    assert raw.loc[0, "participant"] == "Hidden"


def test_empty_feedback_gives_empty_tables():
    assert support_by_field([]).empty
    assert disagreement([]).empty
    assert field_sphere_table([]).empty
    assert top_comments([]).empty


def test_heatmap_is_a_figure_with_one_row_per_field():
    fig = plot_field_sphere_heatmap(RECORDS)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(field_sphere_table(RECORDS).index)
    assert figure_png(fig).startswith(b"\x89PNG")
