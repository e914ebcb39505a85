"""Ingestion of every supported format, the chunker's rules, and the Yosys help harvest."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipmate.documents.chunks import chunk_blocks, chunk_file
from chipmate.documents.loaders import Block, detect_format, iter_documents
from chipmate.documents.yosys_help import CHUNKING, command_blocks, dump_command_reference, yosys_documents
from chipmate.errors import InvalidInputError

FIXTURES = Path(__file__).parent / "fixtures"


def chunks_of(path: Path, size: int = 300) -> list:
    return chunk_file(path, path.name, chunk_size=size, chunk_overlap=40)


def find(chunks: list, needle: str):
    (match,) = [c for c in chunks if needle in c.text]
    return match


def test_markdown_sections_lines_and_code_blocks():
    chunks = chunks_of(FIXTURES / "guide.md")
    flatten = find(chunks, "flatten pass merges")
    assert flatten.section == "Synthesis guide > Flattening"
    assert (flatten.start_line, flatten.end_line) == (7, 12)
    # The fenced block travels whole with the paragraph it follows.
    assert '```tcl\nyosys -p "synth -top top; flatten; opt_clean"\n```' in flatten.text
    assert find(chunks, "Clock gating cells").section == "Synthesis guide > Clock gating"
    assert all(c.format == "markdown" for c in chunks)


def test_rst_titles_and_literal_block():
    chunks = chunks_of(FIXTURES / "flow.rst")
    density = find(chunks, "target density")
    assert density.section == "Placement flow > Density target"
    assert "    global_placement -density 0.65\n    detailed_placement" in density.text
    assert density.end_line == 13
    assert find(chunks, "spreads standard cells").section == "Placement flow"


def test_text_paragraphs():
    chunks = chunks_of(FIXTURES / "notes.txt", size=100)
    drc = find(chunks, "DRC deck")
    assert (drc.section, drc.start_line) == ("", 3)


def test_html_headings_and_source_lines():
    chunks = chunks_of(FIXTURES / "page.html")
    derate = find(chunks, "on-chip variation")
    assert derate.section == "Static timing analysis > Derating"
    assert derate.start_line == 7
    assert "set_timing_derate -late 1.08" in derate.text
    assert all("color: red" not in c.text for c in chunks)  # style sheets are not content


def test_pdf_pages_become_sections(docs_dir: Path):
    chunks = chunks_of(docs_dir / "manual.pdf")
    assert find(chunks, "scan chain length").section == "page 1"
    assert find(chunks, "Memory BIST").section == "page 2"


def test_source_files_are_split_into_named_units():
    verilog = chunks_of(FIXTURES / "counter.v")
    module = find(verilog, "module counter")
    assert module.section == "module counter"
    assert (module.start_line, module.end_line) == (1, 10)  # the comment above belongs to the module
    tcl = find(chunks_of(FIXTURES / "flow.tcl"), "report_worst_slack")
    assert (tcl.section, tcl.start_line, tcl.end_line) == ("proc report_wns", 1, 5)
    python = chunks_of(FIXTURES / "helpers.py")
    assert find(python, "def parse_utilization").section == "def parse_utilization"
    assert find(python, "class RunDirectory").start_line == 14


def test_chunks_respect_size_overlap_and_sections():
    long = " ".join(f"Sentence number {i} talks about timing closure." for i in range(60))
    blocks = [Block(long, "A", 1, 1), Block("short tail", "B", 2, 2)]
    chunks = chunk_blocks(blocks, "doc.txt", chunk_size=200, chunk_overlap=50)
    assert all(len(c.text) <= 200 for c in chunks)
    assert chunks[-1].section == "B" and chunks[-1].text == "short tail"
    first, second = chunks[0], chunks[1]
    # The next passage starts with the tail of the previous one.
    assert second.text.split(". ")[0] in first.text


def test_oversized_code_block_splits_between_lines_only():
    code = "\n".join(f"set_property PACKAGE_PIN A{i} [get_ports data[{i}]]" for i in range(30))
    chunks = chunk_blocks([Block(code, "pins", 10, 39, code=True)], "pins.xdc", chunk_size=200)
    assert len(chunks) > 1
    assert all(line.startswith("set_property") for c in chunks for line in c.text.split("\n"))
    assert chunks[0].start_line == 10 and chunks[-1].end_line == 39


def test_chunk_ids_are_stable_and_unique():
    # Duplicate passages are dropped by the index writer (test_index.py), keyed by content_key.
    a = chunks_of(FIXTURES / "guide.md")
    b = chunks_of(FIXTURES / "guide.md")
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)


def test_unsupported_and_missing_files(tmp_path: Path):
    odd = tmp_path / "image.png"
    odd.write_bytes(b"\x89PNG")
    assert detect_format(odd) is None
    with pytest.raises(InvalidInputError, match="unsupported file type"):
        chunk_file(odd, "image.png")
    with pytest.raises(InvalidInputError, match="no such file"):
        list(iter_documents([tmp_path / "missing"]))
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.md").write_text("# x\n\ntext\n")
    (tmp_path / "y.md").write_text("# y\n\ntext\n")
    assert [p.name for p in iter_documents([tmp_path])] == ["y.md"]


def test_yosys_command_blocks_from_a_reference_entry():
    entry = {
        "title": "remove unused cells and wires",
        "content": [
            {"type": "usage", "body": "opt_clean [options] [selection]", "content": []},
            {"type": "code", "body": "This pass identifies wires and cells that are unused.", "content": []},
            {
                "type": "option",
                "body": "-purge",
                "content": [{"type": "code", "body": "also remove internal nets", "content": []}],
            },
        ],
    }
    blocks = command_blocks("opt_clean", entry)
    assert blocks[0].text.startswith("opt_clean — remove unused cells and wires. Usage: opt_clean [options]")
    assert blocks[-1].text == "-purge: also remove internal nets"
    (document,) = yosys_documents({"generator": "Yosys 0.0", "cmds": {"opt_clean": entry}})
    assert document.source == "yosys help opt_clean"
    # The fingerprint names the chunking too, so a KB chunked another way is rebuilt.
    assert document.fingerprint == f"Yosys 0.0 ({CHUNKING})"
    assert document.chunks[0].section == "opt_clean"
    assert document.chunks[0].context == "remove unused cells and wires"


@pytest.mark.slow
def test_yosys_help_is_harvested_through_pyosys():
    reference = dump_command_reference()
    assert {"opt_clean", "synth", "abc", "flatten"} <= set(reference["cmds"])
    documents = {d.source: d for d in yosys_documents(reference)}
    flatten = documents["yosys help flatten"]
    assert any("flatten" in c.text for c in flatten.chunks)
