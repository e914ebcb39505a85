"""Each import format on small invented fixtures, malformed records, and format detection."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chipmate.errors import InvalidInputError
from chipmate.plugins.bugtriage.importers import detect_format, parse_thread, read_paths
from chipmate.plugins.bugtriage.records import RecordError, severity_level

from .conftest import FIXTURES


def by_id(result):
    return {record.id: record for record, _, _ in result.records}


def messages(result):
    return [str(p) for p in result.problems]


def test_jsonl_reads_every_field_and_reports_malformed_lines():
    result = read_paths([str(FIXTURES / "history.jsonl")])
    records = by_id(result)
    assert set(records) == {"CHIP-101", "CHIP-102", "CHIP-103", "CHIP-106"}
    crash = records["CHIP-101"]
    assert crash.reporter == "alice" and crash.owner == "carol" and crash.component == "router"
    assert [c.author for c in crash.comments] == ["carol", "alice"]
    assert "Segmentation fault" in crash.logs and crash.severity == "high"  # P1
    assert crash.labels == ["nightly"]
    assert records["CHIP-102"].history_owner() == "dave"  # no assignee: the first responder
    skipped = [p for p in result.problems if p.skipped]
    assert [(p.record, p.field) for p in skipped] == [
        ("line 4", ""),
        ("line 5 (id 'CHIP-104')", "title"),
        ("line 6 (id 'CHIP-105')", "comments"),
    ]
    assert all(p.file.endswith("history.jsonl") for p in result.problems)
    assert "not valid JSON" in skipped[0].message
    text = "\n".join(messages(result))
    assert "line 5 (id 'CHIP-104'): field 'title': is missing or empty (record skipped)" in text


def test_jsonl_unknown_fields_and_severity_are_warnings_that_keep_the_record():
    result = read_paths([str(FIXTURES / "history.jsonl")])
    record = by_id(result)["CHIP-106"]
    assert record.description == "" and record.severity == ""
    warnings = {p.field: p.message for p in result.problems if p.record.startswith("line 7")}
    assert "did you mean 'description'" in warnings["descripton"]
    assert "'whenever' is not a known severity" in warnings["severity"]
    assert not any(p.skipped for p in result.problems if p.record.startswith("line 7"))


def test_github_export_with_separate_comments_file():
    result = read_paths([str(FIXTURES / "github_issues.json"), str(FIXTURES / "github_comments.json")])
    records = by_id(result)
    # The issues file holds two pages back to back, as `gh api --paginate` writes them; PR 13 is not a bug.
    assert set(records) == {"acme/chipflow#12", "acme/chipflow#14"}
    assert result.ignored == {"pull requests": 1}
    cts = records["acme/chipflow#12"]
    assert (cts.reporter, cts.owner, cts.component, cts.category, cts.severity) == (
        "alice",
        "frank",
        "cts",
        "bug",
        "high",
    )
    docs = records["acme/chipflow#14"]
    assert (docs.category, docs.component, docs.severity, docs.description) == ("documentation", "floorplan", "low", "")
    # Comments of a separate export are collected by issue, to be attached (in time order) by the store.
    assert [c.author for _, c in sorted(result.comments["acme/chipflow#12"], key=lambda x: x[0])] == [
        "frank",
        "gina",
        "alice",
    ]
    assert any(p.field == "number" and "item 3 (number fifteen)" in p.record for p in result.problems)
    assert any(p.field == "issue_url" for p in result.problems)


def test_github_cli_json_shape_with_embedded_comments(tmp_path):
    export = [
        {
            "number": 3,
            "title": "LVS mismatch after fill",
            "body": "Fill cells break LVS.",
            "author": {"login": "nina"},
            "url": "https://github.com/acme/pd/issues/3",
            "labels": [{"name": "kind/bug"}, {"name": "tool: lvs"}],
            "assignees": [{"login": "omar"}],
            "comments": [{"author": {"login": "omar"}, "body": "Fill should be excluded from LVS."}],
        }
    ]
    path = tmp_path / "gh.json"
    path.write_text(json.dumps(export))
    (record,) = [r for r, _, _ in read_paths([str(path)]).records]
    assert record.id == "acme/pd#3" and record.reporter == "nina" and record.owner == "omar"
    assert record.category == "bug" and record.component == "lvs"
    assert record.comments[0].author == "omar"


def test_json_array_of_chipmate_records(tmp_path):
    path = tmp_path / "records.json"
    path.write_text(json.dumps([{"id": "X-1", "title": "one"}, {"id": "X-2", "title": ""}]))
    result = read_paths([str(path)])
    assert list(by_id(result)) == ["X-1"]
    assert [(p.record, p.field) for p in result.problems] == [("record 1 (id 'X-2')", "title")]


def test_json_that_is_no_export_is_one_clear_problem(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"theme": "dark"}))
    result = read_paths([str(path)])
    assert not result.records
    assert messages(result) == [
        f"{path}: not a GitHub issues export, a comments export or a list of bug records (record skipped)"
    ]


def _thread(path, title, header=""):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# {title}\n\n{header}## Conversation\n\n### alice\nIt fails.\n\n### bob\nFixed.\n")


def test_thread_index_fills_what_threads_do_not_state_and_is_no_malformed_record(tmp_path):
    _thread(tmp_path / "Feature_Request" / "12.md", "Add a knob", "Tool: Global Routing\n\n")
    _thread(tmp_path / "Query" / "13.md", "What does this mean")
    index = {
        # upstream's spelling of the folder ("Feature Request" for Feature_Request) still finds the thread
        "Feature Request/12.md": {"url": "https://example.invalid/12", "tool": "Detailed Routing", "author": "x"},
        "Query/13.md": {"url": "https://example.invalid/13", "tool": "OpenSTA", "date": "2024-01-02T00:00:00Z"},
        "Query/99.md": {"url": "https://example.invalid/99", "tool": None},
    }
    (tmp_path / "mapping.json").write_text(json.dumps(index))
    result = read_paths([str(tmp_path)])
    assert result.problems == []
    records = by_id(result)
    # the thread's own Tool: line and first author win; the index fills the rest
    assert (records["12"].component, records["12"].reporter, records["12"].url) == (
        "Global Routing",
        "alice",
        "https://example.invalid/12",
    )
    assert (records["13"].component, records["13"].created) == ("OpenSTA", "2024-01-02T00:00:00Z")
    assert (records["12"].category, records["13"].category) == ("Feature_Request", "Query")


def test_thread_index_alone_says_to_import_it_with_its_folder(tmp_path):
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps({"a/1.md": {"url": "u"}}))
    result = read_paths([str(path)])
    assert not result.records
    assert messages(result) == [
        f"{path}: is a thread index (metadata of markdown threads) naming none of the threads imported with it; "
        "import it together with its folder (record skipped)"
    ]


def test_jira_csv_with_repeated_columns_and_bad_rows():
    result = read_paths([str(FIXTURES / "jira.csv")])
    records = by_id(result)
    assert set(records) == {"SYN-7", "SYN-9"}
    abc = records["SYN-7"]
    assert (abc.category, abc.component, abc.owner, abc.reporter, abc.severity) == (
        "Bug",
        "synthesis",
        "henry",
        "ivan",
        "critical",  # Blocker
    )
    assert abc.labels == ["memory"]
    assert [(c.author, c.text[:14]) for c in abc.comments] == [("henry", "Can you try ab"), ("ivan", "abc -fast work")]
    assert "ERROR: out of memory" in abc.description  # a quoted cell spanning lines
    assert records["SYN-9"].comments[0].author == ""  # a comment without JIRA's date;author; prefix
    assert [(p.record, p.field) for p in result.problems if p.skipped] == [
        ("row 3 (key 'SYN-8')", "Summary"),
        ("row 5", "Issue key"),
    ]


def test_markdown_threads_take_the_subfolder_as_category_and_report_broken_ones():
    result = read_paths([str(FIXTURES / "threads")])
    records = by_id(result)
    assert set(records) == {"7001", "7002"}
    crash = records["7001"]
    assert crash.title == "Global placement crashes with a NaN density"
    assert (crash.category, crash.component, crash.reporter, crash.responder()) == (
        "Crash",
        "Global Placement",
        "kate",
        "lena",
    )
    assert "### this line is inside a code block" in crash.description  # a fence is not a post boundary
    assert [c.author for c in crash.comments] == ["lena", "kate"]
    assert crash.labels == ["subcategory: Divergence"]
    assert records["7002"].category == "Question"
    assert [(Path(p.file).name, p.field) for p in result.problems] == [("broken.md", "title")]


def test_folder_label_component_or_none():
    as_component = by_id(read_paths([str(FIXTURES / "threads")], folder_label="component"))
    assert as_component["7002"].component == "Pin Placer"  # the thread's own Tool: line wins
    assert as_component["7002"].category == ""
    unlabelled = by_id(read_paths([str(FIXTURES / "threads")], folder_label="none"))
    assert unlabelled["7001"].category == ""


def test_markdown_logs_section():
    record = parse_thread((FIXTURES / "new_bug.md").read_text(), default_id="new")
    assert record.reporter == "alice" and record.component == "Detailed Routing"
    assert record.logs.endswith("Segmentation fault (core dumped)")
    assert "Segmentation" not in record.description


def test_thread_without_title_is_a_record_error():
    with pytest.raises(RecordError) as info:
        parse_thread("no heading here\n### bob\nhi", default_id="x")
    assert info.value.field == "title"


def test_format_detection_by_suffix_and_content(tmp_path):
    assert detect_format(FIXTURES / "jira.csv") == "jira"
    for name, text, expected in [
        ("a.txt", '{"id": 1, "title": "t"}\n', "jsonl"),
        ("b.export", "[{}]", "github"),
        ("c", "# Title\n### bob\nhi\n", "markdown"),
        ("d.dat", "Summary,Issue key\nx,Y-1\n", "jira"),
        ("e.bin", "\x00\x01", None),
    ]:
        path = tmp_path / name
        path.write_text(text)
        assert detect_format(path) == expected, name


def test_unrecognised_file_and_unknown_format(tmp_path):
    path = tmp_path / "notes.bin"
    path.write_text("binary-ish")
    result = read_paths([str(path)])
    assert not result.records and "format not recognised" in messages(result)[0]
    with pytest.raises(InvalidInputError):
        read_paths([str(path)], "xml")


def test_directory_walk_skips_hidden_files_and_readmes(tmp_path):
    shutil.copytree(FIXTURES / "threads", tmp_path / "threads")
    (tmp_path / "threads" / "README.md").write_text("# About these threads\n")
    (tmp_path / "threads" / ".hidden.md").write_text("# Hidden\n### x\ny\n")
    (tmp_path / "threads" / "picture.png").write_bytes(b"\x89PNG")
    result = read_paths([str(tmp_path / "threads")])
    assert set(by_id(result)) == {"7001", "7002"}


def test_severity_words():
    assert [severity_level(w) for w in ("Blocker", "P1", "major", "Normal", "sev-4", "trivial", "soon")] == [
        "critical",
        "high",
        "high",
        "medium",
        "low",
        "low",
        None,
    ]


def test_openroad_threads_parse(openroad):
    result = read_paths([str(openroad)])
    records = [r for r, _, _ in result.records]
    assert len(records) == 172
    assert {r.category for r in records} == {
        "Bug",
        "Build",
        "Configuration",
        "Documentation",
        "Feature_Request",
        "Installation",
        "Query",
        "Runtime",
    }
    assert all(r.title and r.reporter for r in records)
    assert sum(1 for r in records if r.responder()) >= 165
    # mapping.json, upstream's index of the threads, is no malformed record: it fills each thread's URL and date.
    assert result.problems == []
    assert all(r.url.startswith("https://github.com/The-OpenROAD-Project/") and r.created for r in records)
