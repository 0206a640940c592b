"""Bad input, one test per kind of mistake: each names the file, the line, the column and the value."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from assessment.dora.bounds import range_text
from assessment.dora.formats import Kind
from assessment.dora.ingest.parsing import parse_file
from assessment.dora.ingest.problems import DoraImportError, Problem
from assessment.dora.ingest.sources import DEFAULT_MAX_BYTES, read_header

INCIDENT_HEADER = "id,service,started_at,resolved_at\n"


def _refused(
    data: bytes,
    source: str = "incidents.csv",
    kind: Kind = Kind.INCIDENTS,
    *,
    tz: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> list[Problem]:
    with pytest.raises(DoraImportError) as caught:
        parse_file(data, source=source, kind=kind, tz=tz, max_bytes=max_bytes)
    assert "nothing was imported" in str(caught.value)
    return caught.value.problems


def _one(
    data: bytes,
    source: str = "incidents.csv",
    kind: Kind = Kind.INCIDENTS,
    *,
    tz: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> Problem:
    problems = _refused(data, source, kind, tz=tz, max_bytes=max_bytes)
    assert len(problems) == 1, problems
    return problems[0]


def test_ids_and_names_stay_text() -> None:
    data = (INCIDENT_HEADER + "007,NA,2024-05-01T10:00:00Z,\nNone,None,2024-05-01T11:00:00Z,\n").encode()
    parsed = parse_file(data, source="incidents.csv", kind=Kind.INCIDENTS)
    assert parsed.table.column("id").to_pylist() == ["007", "None"]
    assert parsed.table.column("service").to_pylist() == ["NA", "None"]
    assert parsed.table.column("resolved_at").to_pylist() == [None, None]


def test_missing_required_columns_are_named_with_the_columns_found() -> None:
    problem = _one(b"id,service\n1,a\n")
    assert problem.source == "incidents.csv"
    assert "required column missing: started_at" in problem.message
    assert "(the file has: id, service)" in problem.message


def test_unparseable_date_names_line_column_and_value() -> None:
    problem = _one((INCIDENT_HEADER + "1,a,2024-05-01T10:00:00Z,\n2,a,31/05/2024 10:00Z,\n").encode())
    assert (problem.line, problem.column, problem.value) == (3, "started_at", "31/05/2024 10:00Z")
    assert "ISO 8601" in problem.message
    assert str(problem).startswith("incidents.csv, line 3, column 'started_at':")


def test_naive_timestamp_needs_a_time_zone() -> None:
    data = (INCIDENT_HEADER + "1,a,2024-05-01 10:00:00,\n").encode()
    problem = _one(data)
    assert (problem.line, problem.column, problem.value) == (2, "started_at", "2024-05-01 10:00:00")
    assert "--tz" in problem.message
    parsed = parse_file(data, source="incidents.csv", kind=Kind.INCIDENTS, tz="Europe/Amsterdam")
    assert parsed.table.column("started_at").to_pylist() == [1714550400]  # 08:00 UTC (CEST is +02:00)


def test_unknown_time_zone_is_refused() -> None:
    problem = _one((INCIDENT_HEADER + "1,a,2024-05-01 10:00:00,\n").encode(), tz="Mars/Olympus")
    assert "unknown time zone 'Mars/Olympus'" in problem.message


def test_mixed_utc_offsets_are_accepted_and_normalised_to_utc() -> None:
    data = (
        INCIDENT_HEADER + "1,a,2024-05-01T10:00:00Z,2024-05-01T12:30:00+02:00\n"
        "2,a,2024-05-01T06:00:00-04:00,2024-05-01T10:00:00.500Z\n"
    ).encode()
    table = parse_file(data, source="incidents.csv", kind=Kind.INCIDENTS).table
    assert table.column("started_at").to_pylist() == [1714557600, 1714557600]
    assert table.column("resolved_at").to_pylist() == [1714559400, 1714557600]


def test_local_times_that_happen_twice_are_refused() -> None:
    data = (INCIDENT_HEADER + "1,a,2024-10-27 02:30:00,\n").encode()
    problem = _one(data, tz="Europe/Amsterdam")
    assert (problem.line, problem.value) == (2, "2024-10-27 02:30:00")
    assert "ambiguous or does not exist" in problem.message


def test_negative_time_to_restore_is_refused() -> None:
    problem = _one((INCIDENT_HEADER + "1,a,2024-05-01T10:00:00Z,2024-05-01T09:59:00Z\n").encode())
    assert (problem.line, problem.column, problem.value) == (2, "resolved_at", "2024-05-01T09:59:00Z")
    assert "negative time to restore" in problem.message


def test_first_commit_after_deployment_is_refused() -> None:
    data = b"id,service,deployed_at,first_commit_at\nd1,a,2024-05-01T10:00:00Z,2024-05-01T11:00:00Z\n"
    problem = _one(data, source="deployments.csv", kind=Kind.DEPLOYMENTS)
    assert (problem.source, problem.line, problem.column) == ("deployments.csv", 2, "first_commit_at")


def test_duplicate_ids_point_at_the_first_occurrence() -> None:
    data = (
        INCIDENT_HEADER + "007,a,2024-05-01T10:00:00Z,\n008,a,2024-05-01T10:00:00Z,\n007,b,2024-05-02T10:00:00Z,\n"
    ).encode()
    problem = _one(data)
    assert (problem.line, problem.column, problem.value) == (4, "id", "007")
    assert "line 2" in problem.message


def test_same_id_in_two_teams_is_not_a_duplicate() -> None:
    data = b"team,id,committed_at\nA,c1,2024-05-01T10:00:00Z\nB,c1,2024-05-01T10:00:00Z\n"
    assert parse_file(data, source="changes.csv", kind=Kind.CHANGES).rows == 2


@pytest.mark.parametrize("data", [b"", b"  \n\n"])
def test_empty_file_is_refused(data: bytes) -> None:
    assert _one(data).message == "the file is empty"


def test_header_without_rows_is_refused() -> None:
    assert "no rows" in _one(INCIDENT_HEADER.encode()).message


def test_wrong_encoding_names_the_line() -> None:
    data = (INCIDENT_HEADER + "1,Zürich,2024-05-01T10:00:00Z,\n").encode("latin-1")
    problem = _one(data)
    assert problem.line == 2
    assert "not UTF-8" in problem.message


def test_byte_order_mark_is_accepted() -> None:
    data = b"\xef\xbb\xbf" + (INCIDENT_HEADER + "1,a,2024-05-01T10:00:00Z,\n").encode()
    assert parse_file(data, source="incidents.csv", kind=Kind.INCIDENTS).rows == 1


def test_file_over_the_size_limit_is_refused_before_reading() -> None:
    data = (INCIDENT_HEADER + "1,a,2024-05-01T10:00:00Z,\n" * 100).encode()
    problem = _one(data, max_bytes=1000)
    assert "over the limit of" in problem.message
    assert (
        parse_file(data, source="incidents.csv", kind=Kind.INCIDENTS, max_bytes=None, skip_invalid=True).rows == 1
    )  # the limit is configurable (the rest are duplicates)


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"id": "1"}, "JSON must be a list of records"),
        ("text", "JSON must be a list of records"),
        ([["1", "a"]], "is not a record"),
    ],
)
def test_json_that_is_not_a_list_of_records(doc: object, expected: str) -> None:
    problem = _one(json.dumps(doc).encode(), source="incidents.json")
    assert expected in problem.message
    assert problem.source == "incidents.json"


def test_invalid_json_names_the_line() -> None:
    problem = _one(b'[\n{"id": "1",\n}]', source="incidents.json")
    assert problem.line == 3
    assert "not valid JSON" in problem.message


def test_json_records_are_numbered_and_lists_become_ids() -> None:
    doc = [
        {"id": 7, "service": "a", "deployed_at": "2024-05-01T10:00:00Z", "change_ids": ["c1", "007"]},
        {"id": "8", "service": "a", "deployed_at": "not a date"},
    ]
    problem = _one(json.dumps(doc).encode(), source="deployments.json", kind=Kind.DEPLOYMENTS)
    assert (problem.line, problem.record, problem.column) == (2, True, "deployed_at")
    assert str(problem).startswith("deployments.json, record 2, column 'deployed_at'")
    parsed = parse_file(json.dumps(doc[:1]).encode(), source="deployments.json", kind=Kind.DEPLOYMENTS)
    assert parsed.table.column("change_ids").to_pylist() == ["c1;007"]
    assert parsed.table.column("id").to_pylist() == ["7"]


def test_row_with_the_wrong_number_of_values() -> None:
    problem = _one((INCIDENT_HEADER + "1,a,2024-05-01T10:00:00Z,\n2,a\n").encode())
    assert problem.line == 3
    assert "expected 4 values, found 2" in problem.message


def test_blank_lines_keep_spreadsheet_line_numbers() -> None:
    problem = _one((INCIDENT_HEADER + "1,a,2024-05-01T10:00:00Z,\n\n2,a,bad,\n").encode())
    assert problem.line == 4


def test_a_value_spanning_lines_keeps_the_next_rows_line_numbers() -> None:
    problem = _one((INCIDENT_HEADER + '1,"api\nthe payments one",2024-05-01T10:00:00Z,\n2,a,bad,\n').encode())
    assert (problem.line, problem.value) == (4, "bad")


UNCLOSED = (
    "a quoted value starts in this row and never ends (its closing quote is missing), so the rest of the file "
    "would be read as one value; add the closing quote or remove the opening one"
)


@pytest.mark.parametrize(
    ("data", "source", "kind"),
    [
        (  # in the last column: Arrow read the rest of the file into that value, and row 2 vanished without a word
            b'id,service,deployed_at,change_ids\n1,a,2024-05-01T10:00:00Z,"c1\n2,a,2024-05-02T10:00:00Z,c2\n',
            "deployments.csv",
            Kind.DEPLOYMENTS,
        ),
        (  # in the middle: a row with too few values, quoting the rest of the file as its value
            (INCIDENT_HEADER + '1,"a,2024-05-01T10:00:00Z,\n2,a,2024-05-02T10:00:00Z,\n').encode(),
            "incidents.csv",
            Kind.INCIDENTS,
        ),
    ],
)
def test_a_quote_that_never_closes_is_named_with_its_line(data: bytes, source: str, kind: Kind) -> None:
    with pytest.raises(DoraImportError) as caught:
        parse_file(data, source=source, kind=kind, skip_invalid=True)
    assert [str(p) for p in caught.value.problems] == [f"{source}, line 2: {UNCLOSED}"]
    assert not caught.value.skippable


def test_a_quote_closed_rows_later_names_the_lines_it_joined() -> None:
    problem = _one((INCIDENT_HEADER + '1,"a,2024-05-01T10:00:00Z,\n2,a,2024-05-02T10:00:00Z,"x"\n').encode())
    assert (problem.line, problem.message) == (
        2,
        "expected 4 values, found 2; the row runs on to line 3 because a quoted value spans lines "
        "(is a closing quote missing?)",
    )


def test_every_problem_is_listed_and_skipping_keeps_the_rest() -> None:
    data = (
        INCIDENT_HEADER + "1,a,2024-05-01T10:00:00Z,\n2,a,bad,\n3,a,2024-05-01T10:00:00Z,2024-05-01T09:00Z\n"
        "4,b,2024-05-01T10:00:00Z,2024-05-01T10:30:00Z\n"
    ).encode()
    problems = _refused(data)
    assert [(p.line, p.column) for p in problems] == [(3, "started_at"), (4, "resolved_at")]
    parsed = parse_file(data, source="incidents.csv", kind=Kind.INCIDENTS, skip_invalid=True)
    assert parsed.table.column("id").to_pylist() == ["1", "4"]
    assert list(parsed.lines) == [2, 5]
    assert parsed.skipped_rows == 2
    assert len(parsed.skipped) == 2


def test_missing_columns_cannot_be_skipped() -> None:
    with pytest.raises(DoraImportError):
        parse_file(b"id\n1\n", source="incidents.csv", kind=Kind.INCIDENTS, skip_invalid=True)


def test_required_value_left_empty() -> None:
    problem = _one((INCIDENT_HEADER + ",a,2024-05-01T10:00:00Z,\n").encode())
    assert (problem.line, problem.column) == (2, "id")
    assert "required" in problem.message


def test_change_id_lists_are_normalised() -> None:
    data = b'id,service,deployed_at,change_ids\nd1,a,2024-05-01T10:00:00Z," c1 ; c2;c3;"\nd2,a,2024-05-01T10:00:00Z,\n'
    parsed = parse_file(data, source="deployments.csv", kind=Kind.DEPLOYMENTS)
    assert parsed.table.column("change_ids").to_pylist() == ["c1;c2;c3", None]
    assert parsed.table.column("status").to_pylist() == [None, None]  # no status: defaulted when stored (merge.py)
    mixed = data.replace(b"c2;c3", b"c2,c3")  # two separators in one cell: split by the first, and said
    parsed = parse_file(mixed, source="deployments.csv", kind=Kind.DEPLOYMENTS)
    assert parsed.table.column("change_ids").to_pylist() == ["c1;c2,c3", None]
    assert [w.message.split("; this")[0] for w in parsed.warnings] == [
        "1 cell looks like a list with another separator than ';' (as in most cells)"
    ]


def test_times_are_accepted_from_1990_to_one_day_after_now() -> None:
    now = datetime.now(UTC)
    soon, later = (now + timedelta(hours=12)).isoformat(), (now + timedelta(days=2)).isoformat()
    data = f"{INCIDENT_HEADER}1,a,1990-01-01T00:00:00Z,{soon}\n2,a,2024-05-01T00:00:00Z,{later}\n".encode()
    problem = _one(data)
    assert (problem.line, problem.column, problem.value) == (3, "resolved_at", later)
    assert problem.message == f"is outside the accepted range, {range_text()}"
    assert range_text().startswith("1990-01-01 to ")
    parsed = parse_file(data.replace(later.encode(), b""), source="incidents.csv", kind=Kind.INCIDENTS)
    assert parsed.table.column("started_at").to_pylist()[0] == 631152000


DEPLOY_HEADER = "id,service,deployed_at,change_ids\n"


def _lists(cells: list[str], separator: str | None = None) -> tuple[list[str | None], list[str]]:
    rows = "".join(f'd{n},a,2024-05-01T00:00:00Z,"{cell}"\n' for n, cell in enumerate(cells))
    mapping = {"change_ids_separator": separator} if separator else None
    parsed = parse_file((DEPLOY_HEADER + rows).encode(), source="d.csv", kind=Kind.DEPLOYMENTS, mapping=mapping)
    return parsed.table.column("change_ids").to_pylist(), [str(w) for w in parsed.warnings]


def test_space_separated_change_lists_are_detected_and_split() -> None:
    assert _lists(["c1 c2", "c3  c4 c5", "c6", ""]) == (["c1;c2", "c3;c4;c5", "c6", None], [])
    assert _lists(["c1, c2", "c3,c4"]) == (["c1;c2", "c3;c4"], [])
    assert _lists(["c1; c2", "c3"]) == (["c1;c2", "c3"], [])
    assert _lists(['[""c1"", ""c2""]', '[""c3""]', "[]"], "json") == (["c1;c2", "c3", None], [])


def test_a_cell_that_looks_like_another_separator_is_a_warning_with_a_count() -> None:
    ids, warnings = _lists(["c1 c2", "c3 c4", "c5"], ";")
    assert ids == ["c1 c2", "c3 c4", "c5"]
    assert warnings == [
        "d.csv, line 2, column 'change_ids': 2 cells look like lists with another separator than ';'; this one "
        'looks separated by spaces: if that is the separator, name it ("change_ids_separator": "whitespace" in '
        "the mapping, or --list-separator whitespace) (value 'c1 c2')"
    ]
    ids, warnings = _lists(["c1;c2", "c3;c4", "c5 c6"])
    assert ids == ["c1;c2", "c3;c4", "c5 c6"]
    assert warnings == [
        "d.csv, line 4, column 'change_ids': 1 cell looks like a list with another separator than ';' (as in most "
        'cells); this one looks separated by spaces: if that is the separator, name it ("change_ids_separator": '
        "\"whitespace\" in the mapping, or --list-separator whitespace) (value 'c5 c6')"
    ]


def test_ids_inside_a_list_are_capped_like_every_other_id() -> None:
    long = "x" * 201
    problem = _one((DEPLOY_HEADER + f"d1,a,2024-05-01T00:00:00Z,c1;{long}\n").encode(), kind=Kind.DEPLOYMENTS)
    assert (problem.line, problem.column, problem.message) == (
        2,
        "change_ids",
        "an id in the list is longer than 200 characters",
    )
    _lists(["c1;" + "x" * 200])  # 200 is fine


SAMPLE = "id,service,deployed_at\r\nd1,a,2024-05-01T00:00:00Z\r\nd2,a,2024-05-02T00:00:00Z\r\n"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("CRLF", SAMPLE.encode()),
        ("CR only (old Mac)", SAMPLE.replace("\r\n", "\r").encode()),
        ("UTF-8 with a byte order mark", b"\xef\xbb\xbf" + SAMPLE.encode()),
        ("UTF-16 with a byte order mark", SAMPLE.encode("utf-16")),
        ("UTF-16 LE without one", SAMPLE.encode("utf-16-le")),
        ("semicolon-separated", SAMPLE.replace(",", ";").encode()),
        ("tab-separated", SAMPLE.replace(",", "\t").encode()),
    ],
)
def test_exports_in_other_encodings_line_ends_and_delimiters_are_read(name: str, data: bytes) -> None:
    parsed = parse_file(data, source="deployments.csv", kind=Kind.DEPLOYMENTS)
    assert parsed.table.column("id").to_pylist() == ["d1", "d2"], name
    assert parsed.table.column("deployed_at").to_pylist() == [1714521600, 1714608000]
    assert read_header(data, source="deployments.csv") == ["id", "service", "deployed_at"]


def test_a_nested_json_value_matters_only_in_a_column_that_is_read() -> None:
    data = b'[{"id": "d1", "service": "a", "deployed_at": "2024-05-01T00:00:00Z", "meta": {"labels": ["x"]}}]'
    parsed = parse_file(data, source="deployments.json", kind=Kind.DEPLOYMENTS)
    assert parsed.table.column("id").to_pylist() == ["d1"]
