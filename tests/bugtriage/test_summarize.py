"""Summaries: shortening, the hierarchical method on a long record, no invented references, degenerate output."""

from __future__ import annotations

import re

import pytest

from chipmate.plugins.bugtriage.guard import References, check_references, degenerate_reason
from chipmate.plugins.bugtriage.records import BugRecord, Comment
from chipmate.plugins.bugtriage.shorten import collapse_repeats, shorten_line, shorten_log, shorten_text
from chipmate.plugins.bugtriage.summarize import Summarizer, extractive_managerial, extractive_technical

from .conftest import ScriptedGenerator


def long_record(posts: int = 40) -> BugRecord:
    """A thread of ``posts`` replies, each a distinct paragraph of about 60 words."""
    comments = []
    for i in range(posts):
        author = ["carol", "dave", "alice"][i % 3]
        text = " ".join(f"Observation{i} about the router run {i} on block b{i}: detail{j}." for j in range(6))
        comments.append(Comment(author, text))
    return BugRecord(
        id="CHIP-900",
        title="Router runtime doubled after the ECO",
        description="After the ECO on 3 March detailed_route takes 9 hours instead of 4 on soc_top.",
        reporter="alice",
        comments=comments,
        logs="\n".join(f"[INFO DRT-0199] iteration {i} violations {1000 - i}" for i in range(5000))
        + "\n[ERROR DRT-0305] out of memory while routing",
    )


def test_log_shortening_keeps_errors_head_and_tail():
    lines = [f"[INFO] placed {'abcdefg'[i % 7] * (1 + i % 3)} cells" for i in range(200)]
    log = "\n".join([*lines, "[ERROR GRT-0232] congestion too high", "last line"])
    short = shorten_log(log, max_lines=20)
    lines = short.splitlines()
    assert len(lines) <= 30
    assert "[ERROR GRT-0232] congestion too high" in short and lines[-1] == "last line"
    assert re.search(r"\[… \d+ lines omitted …\]", short)


def test_repeated_lines_collapse_and_paths_shrink():
    assert collapse_repeats(["iter 1 ok", "iter 2 ok", "iter 3 ok", "done"]) == [
        "iter 1 ok",
        "[×3 similar lines]",
        "done",
    ]
    line = "cannot open /home/someone/work/flow/results/asap7/run7/base.odb for reading"
    assert shorten_line(line) == "cannot open …/run7/base.odb for reading"
    text = "see ![screenshot](https://user-images.example.com/a/b/c.png) and https://github.com/org/repo/issues/1"
    assert shorten_text(text) == "see [image] and https://github.com/org/repo/issues/1"


def test_hierarchical_summary_fits_any_length_into_a_small_context():
    generator = ScriptedGenerator(context_length=400)
    generator.reply = lambda messages: (
        "- routing slowed after the ECO" if "part" in messages[-1]["content"] else "The router slowed after the ECO."
    )
    record = long_record()
    summarizer = Summarizer(generator, References(record.full_text()), max_tokens=64, max_calls=30)
    summary = summarizer.summarize(record)
    assert summary.technical == "The router slowed after the ECO."
    assert summary.managerial == "The router slowed after the ECO."
    assert summary.levels >= 1  # chunk notes were written...
    note_prompts = [p for p in generator.prompts if p.startswith("This is part")]
    assert len(note_prompts) >= 4 and summary.generator_calls == len(generator.prompts) <= 30
    # ...every prompt fit the context together with the answer's tokens...
    assert all(tokens + 64 <= 400 for tokens in generator.prompt_tokens)
    # ...the final summaries read the notes, not the raw thread, and the 5000-line log was cut first.
    assert generator.prompts[-1].startswith("Part 1:")
    assert not any("iteration 2500" in p for p in generator.prompts)
    assert any("out of memory" in p for p in generator.prompts)


def test_calls_stay_bounded_for_a_huge_record():
    generator = ScriptedGenerator(context_length=300)
    generator.reply = lambda messages: "- a note about this part"
    record = long_record(posts=400)
    summarizer = Summarizer(generator, References(record.full_text()), max_tokens=48, max_calls=8)
    summary = summarizer.summarize(record, managerial=False)
    assert summary.generator_calls <= 8
    assert any("condensed" in note for note in summary.notes)
    assert summary.technical and summary.managerial is None


def test_short_record_is_summarised_in_one_call():
    generator = ScriptedGenerator()
    generator.reply = lambda messages: "Placement diverges because a macro sits outside the core."
    record = BugRecord(id="1", title="gpl diverges", description="NaN after 400 iterations", reporter="kate")
    summary = Summarizer(generator, References(record.full_text())).summarize(record, managerial=False)
    assert summary.generator_calls == 1 and summary.levels == 0
    assert "[kate (reporter)] NaN after 400 iterations" in generator.prompts[0]


@pytest.mark.parametrize("finish", ["length", "loop"])
def test_a_sentence_cut_by_the_token_limit_or_the_loop_guard_is_dropped(finish):
    generator = ScriptedGenerator()
    generator.finish = finish
    generator.reply = lambda messages: "Placement diverges because a macro sits outside the core. The fix is to move"
    description = "NaN after 400 iterations. Placement diverges: a macro sits outside the core."
    record = BugRecord(id="1", title="gpl diverges", description=description, reporter="kate")
    summary = Summarizer(generator, References(record.full_text())).summarize(record, managerial=False)
    assert summary.technical == "Placement diverges because a macro sits outside the core."


def test_invented_ids_and_people_are_replaced():
    record = BugRecord(
        id="CHIP-7",
        title="STA crash with #4411 netlist",
        description="report_checks crashes; maybe related to CHIP-3.",
        reporter="alice",
        comments=[Comment("dave", "@carol can you look?")],
    )
    refs = References(record.full_text(), history_ids=["CHIP-5", "acme/chipflow#77"], history_people=["erin"])
    generator = ScriptedGenerator()
    generator.reply = lambda messages: (
        "As @mallory said, this duplicates CHIP-9999 and #1234, like CHIP-3, CHIP-5, #77 and #4411. "
        "Zed suggested a fix. Dave agreed and erin confirmed. It was assigned to oscar. @carol owns it."
    )
    summary = Summarizer(generator, refs).summarize(record, managerial=False)
    text = summary.technical
    for invented in ("mallory", "CHIP-9999", "#1234", "Zed", "oscar"):
        assert invented not in text
    for known in ("CHIP-3", "CHIP-5", "#77", "#4411", "Dave", "erin", "@carol"):
        assert known in text
    assert "As someone said" in text and "Someone suggested" in text and "assigned to someone" in text
    (note,) = summary.notes
    assert "CHIP-9999" in note and "'mallory'" in note and "replaced" in note


def test_degenerate_output_falls_back_to_an_extractive_summary():
    record = BugRecord(
        id="1",
        title="Router hangs on block x",
        description="detailed_route hangs at 99%. It never returns. CPU stays at 100%.",
        reporter="alice",
        comments=[Comment("carol", "Please send the guide file."), Comment("alice", "Attached it now.")],
        logs="[INFO] start\n[ERROR DRT-9] stuck in pin access",
    )
    for reply, reason in [
        ("the the the the the the the the the the the the", "repetitive"),
        ("", "empty"),
        ("detailed_route hangs at 99%. " * 10, "too short"),  # repeated sentences are dropped first: 4 words left
    ]:
        generator = ScriptedGenerator()
        generator.reply = lambda messages, reply=reply: reply
        summary = Summarizer(generator, References(record.full_text())).summarize(record)
        assert summary.technical == extractive_technical(record)
        assert summary.technical.startswith("Router hangs on block x. detailed_route hangs at 99%. It never returns.")
        assert "Log: [ERROR DRT-9] stuck in pin access" in summary.technical
        assert summary.managerial.startswith("Positions: alice reports: detailed_route hangs at 99%.")
        assert "Next step: follow up on the last reply (Attached it now.)" in summary.managerial
        assert any(f"was {reason}" in note for note in summary.notes), (reply, summary.notes)


def test_an_echo_of_the_input_is_not_a_summary():
    record = long_record(posts=2)
    record.comments[0].text = (
        "I bisected the slowdown to the change that doubled the pin access points for every standard cell in the "
        "library, which makes each routing iteration search a much larger graph than before."
    )
    generator = ScriptedGenerator()
    generator.reply = lambda messages: record.comments[0].text
    summary = Summarizer(generator, References(record.full_text())).summarize(record, managerial=False)
    assert summary.technical == extractive_technical(record)
    assert any("copied from the thread" in note for note in summary.notes)


def test_a_restatement_of_the_instructions_is_not_a_summary():
    record = long_record(posts=2)
    generator = ScriptedGenerator()
    generator.reply = lambda messages: (
        "- Who thinks what? - What was decided, or 'none yet'. - Next step: what should happen next."
    )
    summary = Summarizer(generator, References(record.full_text())).summarize(record, technical=False)
    assert summary.managerial == extractive_managerial(record)
    assert any("managerial summary" in n and "a restatement of the instructions" in n for n in summary.notes)
    # A real answer shares the line labels with the instructions, and is kept.
    answer = (
        "Positions: carol thinks the router runtime doubled after the ECO. Decisions: none yet. "
        "Next step: dave checks detailed_route on soc_top."
    )
    generator.reply = lambda messages: answer
    assert Summarizer(generator, References(record.full_text())).summarize(record, technical=False).managerial == answer


def test_degenerate_reasons():
    assert degenerate_reason("  ") == "empty"
    assert degenerate_reason("it is slow") == "too short"
    assert degenerate_reason("a b a b a b a b a b a b a b a b") == "repetitive"
    assert degenerate_reason("The placer diverges when a macro sits outside the core area.") is None


def test_reference_check_leaves_ordinary_text_alone():
    refs = References("utilization of 0.7")
    text = "Use UTF-8 and step #1 of the flow; the tool said it failed. It reported 3 errors."
    assert check_references(text, refs)[0] == text


# -- grounding: claims the record does not make ---------------------------------------------------------------

ROUTER_CRASH = BugRecord(
    id="",
    title="detailed_route segfaults on the alu macro",
    description="Tool: Detailed Routing\n\ndetailed_route crashes with SIGSEGV after the second iteration on alu_top.",
    reporter="alice",
    comments=[Comment("carol", "I can reproduce it with the guide file you sent. The grey area is a blockage.")],
    logs="[INFO DRT-0195] Start detailed routing.\nSegmentation fault (core dumped)",
)


def summarise(reply: str, record: BugRecord = ROUTER_CRASH, **wanted: bool):
    generator = ScriptedGenerator()
    generator.reply = lambda messages: reply
    return Summarizer(generator, References(record.full_text())).summarize(record, **wanted)


def test_sentences_with_invented_versions_causes_and_messages_are_dropped_and_supported_ones_kept():
    summary = summarise(
        "detailed_route crashes with SIGSEGV on alu_top after the second iteration. "
        "The command is not defined in the current version of OpenROAD. "
        "The crash is caused by a specific macro. "
        'The log shows "ERROR DRT-0416: guide not found". '
        "carol reproduced it with the guide file.",
        managerial=False,
    )
    assert summary.technical == (
        "detailed_route crashes with SIGSEGV on alu_top after the second iteration. "
        "carol reproduced it with the guide file."
    )
    (note,) = [n for n in summary.notes if n.startswith("technical summary:")]
    assert "3 sentence(s) with claims absent from the record dropped" in note
    assert "'OpenROAD'" in note and "cause" in note and "guide not found" in note


def test_a_sentence_repeated_in_other_words_is_dropped():
    summary = summarise(
        "detailed_route cannot route on alu_top because the grey area is a blockage, carol says. "
        "Segmentation fault after the second iteration. "
        "The router cannot route on alu_top because the grey area is a blockage.",
        managerial=False,
    )
    assert summary.technical == (
        "detailed_route cannot route on alu_top because the grey area is a blockage, carol says. "
        "Segmentation fault after the second iteration."
    )
    assert any("1 repeated sentence(s) dropped" in n for n in summary.notes)
    # a short sentence, copied twice from the thread under two speakers' names
    summary = summarise(
        "[carol] The grey area is a blockage. [alice] No, it is no blockage. [carol] No it is no blockage."
    )
    assert summary.technical == "[carol] The grey area is a blockage. [alice] No, it is no blockage."


def test_a_managerial_line_left_empty_is_filled_from_the_record_and_nothing_left_falls_back():
    summary = summarise(
        "Positions: carol can reproduce the crash with the guide file.\n"
        "Decisions: the team will upgrade to version 2.1 of the router.\n"
        "Next step: carol checks the blockage on alu_top.",
        technical=False,
    )
    assert summary.managerial.splitlines() == [
        "Positions: carol can reproduce the crash with the guide file.",
        "Decisions: none recorded",  # the invented decision is gone; the extractive line stands in
        "Next step: carol checks the blockage on alu_top.",
    ]
    everything_invented = summarise("The crash is caused by a memory leak in the OpenDB reader.", managerial=False)
    assert everything_invented.technical == extractive_technical(ROUTER_CRASH)
    assert any("too little was left" in n for n in everything_invented.notes)


def test_grounding_can_be_turned_off_to_measure_it():
    generator = ScriptedGenerator()
    generator.reply = lambda messages: "The crash is caused by a memory leak in the OpenDB reader."
    summary = Summarizer(generator, References(ROUTER_CRASH.full_text()), grounded=False).summarize(
        ROUTER_CRASH, managerial=False
    )
    assert summary.technical == "The crash is caused by a memory leak in the OpenDB reader."


@pytest.mark.parametrize(
    ("sentence", "supported"),
    [
        ("detailed_route segfaults on alu_top.", True),
        ("The crash happens in DRT-0195 on alu_top.", True),  # a code of the log
        ("The crash happens in DRT-0416.", False),  # no such code in the record
        ("It fails with OpenROAD 2.0.", False),
        ("The guide file was fixed in the master branch.", False),
        ("Carol thinks the grey area is a blockage.", True),
        ("It crashes because of the grey area blockage.", True),  # the record says so in one sentence
        ("It crashes because the alu macro overflows the stack.", False),
        ("The router has a thermal runaway on the interposer.", False),  # words of its own
        ("The log shows that detailed_route crashes with SIGSEGV on alu_top.", True),
        ("The error messages indicate that the guide file is missing on the macro.", False),  # a finding of its own
        ("Positions: Manager.", False),  # the prompt's reader made an actor
        ("The manager reproduced the crash.", False),
    ],
)
def test_unsupported_claims(sentence, supported):
    from chipmate.plugins.bugtriage.grounding import RecordSupport, unsupported_claims

    support = RecordSupport.of(ROUTER_CRASH.full_text())
    assert (unsupported_claims(sentence, support) == []) is supported, unsupported_claims(sentence, support)


def test_the_extractive_managerial_summary_says_the_last_reply_once():
    record = BugRecord(
        id="1",
        title="Router hangs",
        description="detailed_route hangs at 99%.",
        reporter="alice",
        comments=[Comment("carol", "Send the guide file please.")],
    )
    text = extractive_managerial(record)
    assert text.count("Send the guide file please.") == 1
    assert text.endswith("Next step: follow up on the last reply, carol's")


def test_the_reporter_may_be_named_though_the_report_never_says_their_name():
    record = BugRecord(id="", title="detailed_route segfaults", description="It crashes on alu_top.", reporter="alice")
    summary = summarise("Alice reported that detailed_route segfaults on alu_top.", record, managerial=False)
    assert summary.technical == "Alice reported that detailed_route segfaults on alu_top."
    assert not summary.notes
