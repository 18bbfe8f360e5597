"""Ecosystem data: co-operatives, bodies, overlapping memberships, sector value flows.

An :class:`Ecosystem` is six tidy tables, read from (and written to) one
directory of CSV files (``data/ecosystem/`` holds the small default set):

============================  ===============================================================
file                          columns
============================  ===============================================================
``coops.csv``                 id, name, sector, region, coop_type, members, founded, platform
``bodies.csv``                id, name, kind (apex | industry | technology), sector, region
``affiliations.csv``          coop_id, body_id (a co-op belongs to an apex or industry body,
                              or uses a technology provider)
``segments.csv``              id, count (people who share exactly the same co-op memberships)
``memberships.csv``           segment_id, coop_id (overlapping: a segment may be in several)
``value_flows.csv``           sector, then one column per sector: the share of the row
                              sector's members' spending that could reach the column sector
============================  ===============================================================

A co-op's ``members`` must equal the sum of the ``count`` of its segments, and
every id must resolve; otherwise loading raises :class:`~coopcreds_proto.errors.InputError`
naming the file, the row and the field.

Members are never graph nodes at scale: :func:`member_incidence` gives the
segment x co-op incidence matrix (``scipy.sparse``) and the segment counts, which
is all the reach metrics need.

>>> eco = load_ecosystem()
>>> eco.n_coops, eco.n_members > 0
(50, True)
>>> inc = member_incidence(eco)
>>> inc.matrix.shape == (len(eco.segments), eco.n_coops)
True
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..atomic_files import write_atomically
from ..errors import InputError

COOPS_FILE = "coops.csv"
BODIES_FILE = "bodies.csv"
AFFILIATIONS_FILE = "affiliations.csv"
SEGMENTS_FILE = "segments.csv"
MEMBERSHIPS_FILE = "memberships.csv"
VALUE_FLOWS_FILE = "value_flows.csv"

COOP_COLUMNS = ("id", "name", "sector", "region", "coop_type", "members", "founded", "platform")
BODY_COLUMNS = ("id", "name", "kind", "sector", "region")
AFFILIATION_COLUMNS = ("coop_id", "body_id")
SEGMENT_COLUMNS = ("id", "count")
MEMBERSHIP_COLUMNS = ("segment_id", "coop_id")

BODY_KINDS = ("apex", "industry", "technology")
COOP_TYPES = ("consumer", "worker", "producer", "multi-stakeholder", "housing", "credit-union")
# Sectors of the default data and of the generator (ICA sector organisations,
# roughly); files may use any sector names as long as value_flows.csv lists them.
SECTORS = (
    "agriculture",
    "consumer-retail",
    "finance",
    "housing",
    "energy",
    "health-care",
    "tourism",
    "music-culture",
    "platform-services",
    "industry-services",
)


@dataclass(frozen=True)
class Ecosystem:
    """The tables of one ecosystem (pandas DataFrames, one row per record).

    ``coops``: id, name, sector, region, coop_type, members (int), founded (int),
    platform (bool). ``bodies``: id, name, kind, sector, region. ``affiliations``:
    coop_id, body_id. ``segments``: id, count (int). ``memberships``: segment_id,
    coop_id. ``value_flows``: square DataFrame indexed by sector (rows: spending
    sector, columns: receiving sector). ``source``: where it came from.
    """

    coops: pd.DataFrame
    bodies: pd.DataFrame
    affiliations: pd.DataFrame
    segments: pd.DataFrame
    memberships: pd.DataFrame
    value_flows: pd.DataFrame
    source: str = "<memory>"

    @property
    def n_coops(self) -> int:
        return len(self.coops)

    @property
    def n_members(self) -> int:
        """People in the ecosystem (each counted once, however many co-ops they are in)."""
        return int(self.segments["count"].sum())

    @property
    def sectors(self) -> tuple[str, ...]:
        return tuple(self.value_flows.index)

    def bodies_of_kind(self, kind: str) -> pd.DataFrame:
        """The bodies of one kind (``apex``, ``industry`` or ``technology``)."""
        return self.bodies[self.bodies["kind"] == kind]

    def __repr__(self) -> str:
        return (
            f"Ecosystem({self.n_coops} co-ops, {len(self.bodies)} bodies, "
            f"{self.n_members} members in {len(self.segments)} segments, source={self.source!r})"
        )


@dataclass(frozen=True)
class MemberIncidence:
    """Members as a sparse segment x co-op incidence matrix with a count per segment.

    ``matrix[s, c] == 1`` when the people of segment ``s`` are members of co-op
    ``c``; ``counts[s]`` is how many people the segment stands for (1 when the
    rows are individuals). Rows follow ``segment_ids``, columns ``coop_ids``.
    """

    matrix: sp.csr_matrix
    counts: np.ndarray
    segment_ids: tuple[str, ...]
    coop_ids: tuple[str, ...]


def default_data_dir() -> Path:
    """The bundled default data set (``data/ecosystem`` in a checkout)."""
    return Path(str(resources.files("coopcreds_proto.data").joinpath("ecosystem")))


# --- reading -----------------------------------------------------------------


def _error(code: str, file: str, row: int | None, field: str | None, message: str) -> InputError:
    """An InputError naming file, data row (1-based, header excluded) and field."""
    where = file
    if row is not None:
        where += f" row {row}"
    if field is not None:
        where += f" field {field!r}"
    return InputError(code, f"{where}: {message}", path=where)


def _read_csv(directory: Path, name: str, columns: Iterable[str]) -> pd.DataFrame:
    path = directory / name
    if not path.is_file():
        raise _error("ecosystem-file-missing", name, None, None, f"no such file in {directory}")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise _error(
            "ecosystem-missing-column", name, None, missing[0], "column missing from the header"
        )
    return frame


def _ints(frame: pd.DataFrame, file: str, field: str, *, minimum: int) -> pd.Series:
    values = pd.to_numeric(frame[field], errors="coerce")
    bad = values.isna() | (values != values.round()) | (values < minimum)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise _error(
            "ecosystem-bad-value",
            file,
            row + 1,
            field,
            f"expected a whole number >= {minimum}, got {frame[field].iloc[row]!r}",
        )
    return values.astype("int64")


def _bools(frame: pd.DataFrame, file: str, field: str) -> pd.Series:
    text = frame[field].str.strip().str.lower()
    truth = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
    bad = ~text.isin(truth)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise _error(
            "ecosystem-bad-value", file, row + 1, field,
            f"expected true or false, got {frame[field].iloc[row]!r}",
        )
    return text.map(truth).astype(bool)


def _check_choice(frame: pd.DataFrame, file: str, field: str, allowed: Iterable[str]) -> None:
    allowed = tuple(allowed)
    bad = ~frame[field].isin(allowed)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise _error(
            "ecosystem-bad-value", file, row + 1, field,
            f"{frame[field].iloc[row]!r} is not one of {', '.join(allowed)}",
        )


def _check_unique_ids(frame: pd.DataFrame, file: str, field: str = "id") -> None:
    empty = frame[field].str.strip() == ""
    if empty.any():
        row = int(np.flatnonzero(empty.to_numpy())[0])
        raise _error("ecosystem-bad-value", file, row + 1, field, "empty id")
    dup = frame[field].duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise _error(
            "ecosystem-duplicate-id", file, row + 1, field,
            f"id {frame[field].iloc[row]!r} appears twice",
        )


def _check_refs(frame: pd.DataFrame, file: str, field: str, known: pd.Index, what: str) -> None:
    bad = ~frame[field].isin(known)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise _error(
            "ecosystem-unknown-id", file, row + 1, field,
            f"unknown {what} id {frame[field].iloc[row]!r}",
        )


def _read_value_flows(directory: Path) -> pd.DataFrame:
    path = directory / VALUE_FLOWS_FILE
    if not path.is_file():
        raise _error("ecosystem-file-missing", VALUE_FLOWS_FILE, None, None, f"no such file in {directory}")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "sector" not in raw.columns:
        raise _error("ecosystem-missing-column", VALUE_FLOWS_FILE, None, "sector", "column missing")
    frame = raw.set_index("sector")
    frame.index.name = "sector"
    return frame


def _parse_value_flows(raw: pd.DataFrame) -> pd.DataFrame:
    """Check the flow matrix is square over one sector list with shares in [0, 1]."""
    sectors = list(raw.index)
    if list(raw.columns) != sectors:
        raise _error(
            "ecosystem-bad-value-flows", VALUE_FLOWS_FILE, None, None,
            "the columns must list the same sectors, in the same order, as the rows",
        )
    values = raw.apply(pd.to_numeric, errors="coerce")
    for row, sector in enumerate(sectors, start=1):
        for field in sectors:
            value = values.at[sector, field]
            if not (isinstance(value, float | int | np.floating | np.integer)) or not (
                0.0 <= float(value) <= 1.0
            ):
                raise _error(
                    "ecosystem-bad-value", VALUE_FLOWS_FILE, row, field,
                    f"expected a share between 0 and 1, got {raw.at[sector, field]!r}",
                )
    return values.astype(float)


def validate_ecosystem(eco: Ecosystem) -> Ecosystem:
    """Check ids, references, choices and member totals; return ``eco`` or raise InputError.

    Rows in messages are data rows (1 = the first line after the header).
    """
    _check_unique_ids(eco.coops, COOPS_FILE)
    _check_unique_ids(eco.bodies, BODIES_FILE)
    _check_unique_ids(eco.segments, SEGMENTS_FILE)
    clash = eco.bodies["id"].isin(eco.coops["id"])
    if clash.any():
        row = int(np.flatnonzero(clash.to_numpy())[0])
        raise _error(
            "ecosystem-duplicate-id", BODIES_FILE, row + 1, "id",
            f"id {eco.bodies['id'].iloc[row]!r} is also a co-op id",
        )
    _check_choice(eco.coops, COOPS_FILE, "sector", eco.sectors)
    _check_choice(eco.bodies, BODIES_FILE, "kind", BODY_KINDS)
    _check_refs(eco.affiliations, AFFILIATIONS_FILE, "coop_id", pd.Index(eco.coops["id"]), "co-op")
    _check_refs(eco.affiliations, AFFILIATIONS_FILE, "body_id", pd.Index(eco.bodies["id"]), "body")
    _check_refs(eco.memberships, MEMBERSHIPS_FILE, "segment_id", pd.Index(eco.segments["id"]), "segment")
    _check_refs(eco.memberships, MEMBERSHIPS_FILE, "coop_id", pd.Index(eco.coops["id"]), "co-op")
    dup = eco.memberships.duplicated(["segment_id", "coop_id"])
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise _error("ecosystem-duplicate-id", MEMBERSHIPS_FILE, row + 1, "coop_id", "membership listed twice")
    # The co-op's members column must agree with its segments: reach is computed
    # from the segments, and two different member totals would make the numbers lie.
    counts = eco.segments.set_index("id")["count"]
    totals = (
        eco.memberships.assign(count=eco.memberships["segment_id"].map(counts))
        .groupby("coop_id")["count"].sum()
        .reindex(eco.coops["id"], fill_value=0)
    )
    mismatch = totals.to_numpy() != eco.coops["members"].to_numpy()
    if mismatch.any():
        row = int(np.flatnonzero(mismatch)[0])
        raise _error(
            "ecosystem-member-count-mismatch", COOPS_FILE, row + 1, "members",
            f"co-op {eco.coops['id'].iloc[row]!r} lists {int(eco.coops['members'].iloc[row])} "
            f"members but its segments in {MEMBERSHIPS_FILE} add up to {int(totals.iloc[row])}",
        )
    return eco


def load_ecosystem(directory: str | os.PathLike[str] | None = None) -> Ecosystem:
    """Read and validate the ecosystem CSV files of ``directory`` (default: bundled set).

    Raises InputError (codes ``ecosystem-file-missing``, ``ecosystem-missing-column``,
    ``ecosystem-bad-value``, ``ecosystem-duplicate-id``, ``ecosystem-unknown-id``,
    ``ecosystem-member-count-mismatch``, ``ecosystem-bad-value-flows``) whose message
    and ``path`` name the file, the row and the field.
    """
    label = str(directory) if directory is not None else "bundled data/ecosystem"
    directory = Path(directory) if directory is not None else default_data_dir()
    coops = _read_csv(directory, COOPS_FILE, COOP_COLUMNS)
    coops["members"] = _ints(coops, COOPS_FILE, "members", minimum=0)
    coops["founded"] = _ints(coops, COOPS_FILE, "founded", minimum=1)
    coops["platform"] = _bools(coops, COOPS_FILE, "platform")
    bodies = _read_csv(directory, BODIES_FILE, BODY_COLUMNS)
    affiliations = _read_csv(directory, AFFILIATIONS_FILE, AFFILIATION_COLUMNS)
    segments = _read_csv(directory, SEGMENTS_FILE, SEGMENT_COLUMNS)
    segments["count"] = _ints(segments, SEGMENTS_FILE, "count", minimum=1)
    memberships = _read_csv(directory, MEMBERSHIPS_FILE, MEMBERSHIP_COLUMNS)
    flows = _parse_value_flows(_read_value_flows(directory))
    eco = Ecosystem(
        coops=coops[list(COOP_COLUMNS)].reset_index(drop=True),
        bodies=bodies[list(BODY_COLUMNS)].reset_index(drop=True),
        affiliations=affiliations[list(AFFILIATION_COLUMNS)].reset_index(drop=True),
        segments=segments[list(SEGMENT_COLUMNS)].reset_index(drop=True),
        memberships=memberships[list(MEMBERSHIP_COLUMNS)].reset_index(drop=True),
        value_flows=flows,
        source=label,
    )
    return validate_ecosystem(eco)


# --- writing -----------------------------------------------------------------


def _frame_text(frame: pd.DataFrame, *, index: bool = False) -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=index, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return buffer.getvalue()


def ecosystem_files(eco: Ecosystem) -> dict[str, str]:
    """The CSV text of each file of ``eco`` (what :func:`save_ecosystem` writes)."""
    coops = eco.coops.copy()
    coops["platform"] = coops["platform"].map({True: "true", False: "false"})
    flows = eco.value_flows.round(4)
    return {
        COOPS_FILE: _frame_text(coops[list(COOP_COLUMNS)]),
        BODIES_FILE: _frame_text(eco.bodies[list(BODY_COLUMNS)]),
        AFFILIATIONS_FILE: _frame_text(eco.affiliations[list(AFFILIATION_COLUMNS)]),
        SEGMENTS_FILE: _frame_text(eco.segments[list(SEGMENT_COLUMNS)]),
        MEMBERSHIPS_FILE: _frame_text(eco.memberships[list(MEMBERSHIP_COLUMNS)]),
        VALUE_FLOWS_FILE: _frame_text(flows, index=True),
    }


def save_ecosystem(
    eco: Ecosystem, directory: str | os.PathLike[str], *, overwrite: bool = False
) -> list[Path]:
    """Write ``eco`` as CSV files into ``directory`` (atomically, file by file).

    Refuses (InputError ``ecosystem-would-overwrite``) to replace a file whose
    content differs unless ``overwrite=True``. Returns the paths written.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files = ecosystem_files(eco)
    if not overwrite:
        for name, text in files.items():
            path = directory / name
            if path.exists() and path.read_text(encoding="utf-8") != text:
                raise _error(
                    "ecosystem-would-overwrite", name, None, None,
                    f"{path} exists with other content (pass overwrite=True to replace it)",
                )
    written = []
    for name, text in files.items():
        path = directory / name
        write_atomically(path, text.encode("utf-8"), overwrite=True)
        written.append(path)
    return written


# --- members as a sparse matrix -----------------------------------------------


def member_incidence(eco: Ecosystem) -> MemberIncidence:
    """The segment x co-op incidence matrix (CSR, int8) and the people per segment."""
    coop_ids = tuple(eco.coops["id"])
    segment_ids = tuple(eco.segments["id"])
    coop_index = pd.Index(coop_ids)
    segment_index = pd.Index(segment_ids)
    rows = segment_index.get_indexer(eco.memberships["segment_id"])
    cols = coop_index.get_indexer(eco.memberships["coop_id"])
    data = np.ones(len(rows), dtype=np.int8)
    matrix = sp.csr_matrix((data, (rows, cols)), shape=(len(segment_ids), len(coop_ids)))
    matrix.sum_duplicates()
    counts = eco.segments["count"].to_numpy(dtype=np.int64)
    return MemberIncidence(matrix, counts, segment_ids, coop_ids)


def unique_sparse_rows(matrix: sp.spmatrix) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the first of each distinct row, and each row's group (exact, vectorised).

    >>> m = sp.csr_matrix(np.array([[1, 0], [0, 1], [1, 0]]))
    >>> first, group = unique_sparse_rows(m)
    >>> first.tolist(), group.tolist()
    ([0, 1], [0, 1, 0])
    """
    m = sp.csr_matrix(matrix, copy=True)
    m.sort_indices()
    n_rows = m.shape[0]
    if n_rows == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    lengths = np.diff(m.indptr)
    # Rows are equal iff their sorted column lists are equal: compare the lists
    # padded to the longest row, with the row length in front.
    width = max(int(lengths.max()), 1)
    padded = np.full((n_rows, width + 1), -1, dtype=np.int64)
    padded[:, 0] = lengths
    row_of = np.repeat(np.arange(n_rows), lengths)
    pos = np.arange(m.nnz) - np.repeat(m.indptr[:-1], lengths)
    padded[row_of, pos + 1] = m.indices
    # Group by a 64-bit hash of the padded row (fast), then check every row
    # against its group's first row; on a hash collision fall back to the exact
    # (slower) row-wise unique, so the result is always exact.
    weights = np.random.default_rng(0x5EED).integers(1, 2**62, size=width + 1, dtype=np.int64)
    with np.errstate(over="ignore"):
        hashes = padded @ weights
    _, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    if not np.array_equal(padded, padded[first[inverse]]):
        _, first, inverse = np.unique(padded, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
    # Number the groups in order of first appearance (stable, readable output).
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order], rank[inverse]


def merge_identical_segments(incidence: MemberIncidence) -> MemberIncidence:
    """Merge rows with the same set of co-ops, adding their counts (exact, vectorised).

    Useful when members are individuals: a million people in a few co-ops each
    collapse to the distinct membership combinations. Merged rows are named
    after their first segment.
    """
    first, group = unique_sparse_rows(incidence.matrix)
    counts = np.bincount(group, weights=incidence.counts, minlength=len(first)).astype(np.int64)
    return MemberIncidence(
        matrix=incidence.matrix.tocsr()[first],
        counts=counts,
        segment_ids=tuple(incidence.segment_ids[i] for i in first) if incidence.segment_ids else (),
        coop_ids=incidence.coop_ids,
    )
