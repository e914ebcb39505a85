"""Example retrieval: distinct flows, and an example for each command the documentation grounding found."""

from __future__ import annotations

import re

import numpy as np

from chipmate.plugins.scriptgen.library import ScriptLibrary, ScriptRecord
from chipmate.plugins.scriptgen.retrieve import ExampleRetriever, flow

VOCABULARY = ["merge", "cells", "synthesize", "json", "trees", "multiplexer", "list", "modules"]


class WordEmbedder:
    """Unit vectors of word counts over a fixed vocabulary: similarity is shared words, predictably."""

    def embed(self, texts):
        rows = []
        for text in texts:
            words = re.findall(r"[a-z]+", text.lower())
            row = np.array([words.count(w) for w in VOCABULARY], dtype=np.float32) + 0.01
            rows.append(row / np.linalg.norm(row))
        return rows


def record(record_id, instruction, script, harvested=False):
    provenance = {"repo": "YosysHQ/yosys", "path": f"tests/{record_id}.ys"} if harvested else {}
    return ScriptRecord(record_id, "yosys", instruction, [], script, provenance=provenance)


def retriever(tmp_path, records):
    library = ScriptLibrary(tmp_path / "store.jsonl", include_seed=False)
    library.add(records)
    return ExampleRetriever(library, WordEmbedder(), tool="yosys", cache_dir=None, embedder_name="words", mode="plain")


def test_records_with_one_flow_are_shown_once(tmp_path):
    records = [
        record("merge-a", "merge cells json", "read_verilog a.v\nopt_merge\nwrite_json a.json\n"),
        record("merge-b", "merge cells json", "read_verilog b.v\nopt_merge\nwrite_json b.json\n"),
        record("merge-c", "merge cells json json", "read_verilog c.v\nopt_merge\nwrite_json c.json\n"),
        record("synth", "synthesize cells json", "read_verilog d.v\nsynth\nwrite_json d.json\n"),
    ]
    found = retriever(tmp_path, records).search("merge cells json", [], 3)
    ids = [e.record.id for e in found]
    # Without the rule the three opt_merge copies would fill every place.
    assert ids[0].startswith("merge-") and ids[1] == "synth" and len(ids) == 2
    assert len({flow(e.record.script) for e in found}) == len(found)


def test_each_grounded_command_brings_a_record_that_runs_it(tmp_path):
    records = [
        record("merge", "merge multiplexer cells json", "read_verilog a.v\nopt_merge\nwrite_json a.json\n"),
        record("synth", "synthesize multiplexer json", "read_verilog b.v\nsynth\nwrite_json b.json\n"),
        record("clean", "cells json", "read_verilog c.v\nopt_clean\nwrite_json c.json\n"),
        record("tree", "json list", "read_verilog d.v\nproc\npmuxtree\nwrite_json d.json\n"),
        record("tree2", "list modules", "read_verilog e.v\npmuxtree\nwrite_json e.json\n"),
    ]
    search = retriever(tmp_path, records).search
    request = "turn multiplexer cells into trees, json"
    plain = [e.record.id for e in search(request, [], 3)]
    assert "tree" not in plain and "tree2" not in plain  # the words alone never reach them
    grounded = [e.record.id for e in search(request, [], 3, commands=["pmuxtree"])]
    # The most similar record first, then the most similar one that runs pmuxtree, then the rest by similarity.
    assert grounded == [plain[0], "tree", plain[1]]
    # A command the chosen records already run brings nothing more; nor does one no record runs.
    assert [e.record.id for e in search(request, [], 3, commands=["opt_merge", "muxcover"])] == plain


def test_at_most_two_commands_bring_records(tmp_path):
    records = [
        record("base", "json", "read_verilog a.v\nwrite_json a.json\n"),
        *(record(f"r{i}", "list", f"read_verilog {i}.v\ncmd{i}\nwrite_json {i}.json\n") for i in range(3)),
        record("filler", "json json", "read_verilog f.v\nopt\nwrite_json f.json\n"),
    ]
    found = retriever(tmp_path, records).search("json", [], 4, commands=["cmd0", "cmd1", "cmd2"])
    assert [e.record.id for e in found] == ["base", "r0", "r1", "filler"]


def test_a_command_is_matched_as_a_whole_word():
    from chipmate.plugins.scriptgen.retrieve import _runs

    assert _runs("read_verilog a.v\nsynth -top t\n", "synth")
    assert not _runs("read_verilog a.v\nsynth_ice40 -top t\n", "synth")
    assert not _runs("select -assert-none t:$memory\n", "memory")
    assert _runs("tee -o n.txt stat\n", "stat")


QUERY = "merge cells json synthesize"


def test_two_places_are_kept_for_records_written_for_their_instruction(tmp_path):
    harvested = [
        record(f"h{i}", " ".join(QUERY.split()[: 4 - i]), f"read_verilog {i}.v\ncmd{i}\nwrite_json {i}.json\n", True)
        for i in range(4)
    ]
    written = [
        record(f"w{i}", ["list modules", "list", "modules"][i], f"read_verilog w{i}.v\nstep{i}\nwrite_json w.json\n")
        for i in range(3)
    ]
    found = [e.record.id for e in retriever(tmp_path, [*harvested, *written]).search(QUERY, [], 4)]
    # The harvested records are the most similar; two of the four places still go to written ones.
    assert found[:2] == ["h0", "h1"] and all(f.startswith("w") for f in found[2:]) and len(found) == 4
    # With too few written records, harvested ones fill the places.
    only = [e.record.id for e in retriever(tmp_path / "b", harvested).search(QUERY, [], 4)]
    assert only == ["h0", "h1", "h2", "h3"]
