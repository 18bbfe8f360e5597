"""Ecosystem data files: loading, validation errors that name file/row/field, incidence."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from coopcreds_proto.ecosystem.data import (
    MemberIncidence,
    default_data_dir,
    load_ecosystem,
    member_incidence,
    merge_identical_segments,
    save_ecosystem,
)
from coopcreds_proto.errors import InputError


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "eco"
    shutil.copytree(default_data_dir(), target, ignore=shutil.ignore_patterns("models", "*.md"))
    return target


def _edit(path, line_no, old, new):
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line_no], lines[line_no]
    lines[line_no] = lines[line_no].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")


def test_default_data_loads_and_is_consistent():
    eco = load_ecosystem()
    assert eco.n_coops == 50
    assert set(eco.coops["sector"]) <= set(eco.sectors)
    totals = member_incidence(eco)
    per_coop = np.asarray(totals.matrix.T @ totals.counts).ravel()
    assert per_coop.tolist() == eco.coops["members"].tolist()
    assert eco.n_members == totals.counts.sum()


def test_save_round_trip_and_refuses_overwrite(tmp_path):
    eco = load_ecosystem()
    save_ecosystem(eco, tmp_path)
    again = load_ecosystem(tmp_path)
    assert again.coops.equals(eco.coops)
    assert again.memberships.equals(eco.memberships)
    changed = eco.coops.copy()
    changed.loc[0, "name"] = "Renamed"
    other = type(eco)(changed, eco.bodies, eco.affiliations, eco.segments, eco.memberships,
                      eco.value_flows)
    with pytest.raises(InputError) as info:
        save_ecosystem(other, tmp_path)
    assert info.value.code == "ecosystem-would-overwrite"
    assert "coops.csv" in str(info.value)
    assert load_ecosystem(tmp_path).coops.loc[0, "name"] == eco.coops.loc[0, "name"]


@pytest.mark.parametrize(
    "file, line, old, new, code, where",
    [
        ("memberships.csv", 3, ",coop-", ",nope-", "ecosystem-unknown-id",
         "memberships.csv row 3 field 'coop_id'"),
        ("memberships.csv", 2, "s-coop", "x-coop", "ecosystem-unknown-id",
         "memberships.csv row 2 field 'segment_id'"),
        ("affiliations.csv", 1, "apex-", "apx-", "ecosystem-unknown-id",
         "affiliations.csv row 1 field 'body_id'"),
        ("coops.csv", 4, "coop-04", "coop-03", "ecosystem-duplicate-id",
         "coops.csv row 4 field 'id'"),
        ("segments.csv", 5, ",", ",-", "ecosystem-bad-value", "segments.csv row 5 field 'count'"),
        ("coops.csv", 2, ",false", ",perhaps", "ecosystem-bad-value",
         "coops.csv row 2 field 'platform'"),
    ],
)
def test_bad_files_name_file_row_and_field(data_copy, file, line, old, new, code, where):
    _edit(data_copy / file, line, old, new)
    with pytest.raises(InputError) as info:
        load_ecosystem(data_copy)
    assert info.value.code == code
    assert where in str(info.value)


def test_member_total_must_match_segments(data_copy):
    path = data_copy / "coops.csv"
    lines = path.read_text().splitlines(keepends=True)
    fields = lines[7].split(",")
    fields[5] = str(int(fields[5]) + 1)
    lines[7] = ",".join(fields)
    path.write_text("".join(lines))
    with pytest.raises(InputError) as info:
        load_ecosystem(data_copy)
    assert info.value.code == "ecosystem-member-count-mismatch"
    assert "coops.csv row 7 field 'members'" in str(info.value)


def test_missing_file_column_and_bad_flow(data_copy):
    (data_copy / "bodies.csv").unlink()
    with pytest.raises(InputError) as info:
        load_ecosystem(data_copy)
    assert info.value.code == "ecosystem-file-missing" and "bodies.csv" in str(info.value)


def test_value_flow_share_above_one(data_copy):
    _edit(data_copy / "value_flows.csv", 2, ",0.", ",1.")
    with pytest.raises(InputError) as info:
        load_ecosystem(data_copy)
    assert info.value.code == "ecosystem-bad-value"
    assert "value_flows.csv row 2 field" in str(info.value)


def test_merging_individuals_gives_back_segments():
    inc = member_incidence(load_ecosystem())
    rows = np.repeat(np.arange(len(inc.counts)), inc.counts)
    people = MemberIncidence(inc.matrix[rows], np.ones(len(rows), dtype=np.int64),
                             tuple(str(i) for i in range(len(rows))), inc.coop_ids)
    merged = merge_identical_segments(people)
    assert merged.matrix.shape == inc.matrix.shape
    assert merged.counts.tolist() == inc.counts.tolist()
    assert (merged.matrix != inc.matrix).nnz == 0
