"""The prompt: one builder for inference and for the SFT data the trainer learns from.

``build_messages(instruction, files, tool, examples)`` returns OpenAI-style chat messages: a system message
with the tool's rules, each retrieved example as a prior user/assistant turn, and the request. The user turn names
every input file with what it holds (Verilog modules and the likely top, a liberty library's cells), so a small
model can copy an example's structure and swap in the request's names. ``chipmate scripts export --format chat``
writes the same messages (with the record's script as the final assistant turn), so training and inference see
one format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MODULE = re.compile(r"^\s*module\s+([A-Za-z_][A-Za-z0-9_$]*)", re.M)
INSTANCE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_$]*)\s+(?:#\s*\(.*?\)\s*)?([A-Za-z_][A-Za-z0-9_$]*)\s*\(", re.M | re.S)
LIBRARY = re.compile(r"^\s*library\s*\(\s*\"?([A-Za-z0-9_]+)", re.M)
CELL = re.compile(r"^\s*cell\s*\(\s*\"?([A-Za-z0-9_]+)", re.M)
COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
VERILOG = (".v", ".sv", ".vh", ".svh")
#: a file name in free text (an instruction) or a script: a word with one of the extensions EDA flows use
EXTENSIONS = (
    "v|sv|vh|vg|json|blif|edif|edn|edf|il|rtlil|txt|rpt|log|lib|dot|gv|aig|aag|btor|smt2|spice|sp|cir|fir|sdc|sdf|spef"
    "|tcl|ys|out"
)
FILE_NAME = re.compile(rf"(?<![\w/.-])([\w+-][\w.+-]*\.({EXTENSIONS}))(?![\w])")

RULES = {
    "yosys": (
        "You write Yosys scripts (.ys). Reply with the script only: one Yosys command per line, no comments, "
        "no explanations, no markdown. Read the input files by the names given, use the top module named, and "
        "write every output file exactly as the task names it."
    ),
    "tcl": (
        "You write OpenSTA Tcl scripts. Reply with the script only: one command per line, no comments, no "
        "explanations, no markdown. Read the input files by the names given and write every report exactly as "
        "the task names it."
    ),
}


#: script language of the built-in tools, for callers that know only the tool's name (the SFT export)
LANGUAGES = {"yosys": "yosys", "opensta": "tcl"}


@dataclass
class Design:
    """What the Verilog files of a request define: modules, and which of them no other module instantiates."""

    modules: dict[str, str]
    tops: list[str]


def verilog_design(files: Sequence[Mapping[str, str]]) -> Design:
    """Modules per Verilog file (module -> file name) and the top candidates."""
    modules: dict[str, str] = {}
    bodies: dict[str, str] = {}
    for item in files:
        if not item["name"].endswith(VERILOG):
            continue
        text = COMMENT.sub("", item.get("content", ""))
        for match in MODULE.finditer(text):
            modules.setdefault(match.group(1), item["name"])
            end = text.find("endmodule", match.end())
            bodies[match.group(1)] = text[match.end() : end if end >= 0 else len(text)]
    used = {m.group(1) for body in bodies.values() for m in INSTANCE.finditer(body) if m.group(1) in modules}
    tops = [name for name in modules if name not in used]
    return Design(modules, tops)


def describe_file(item: Mapping[str, str], design: Design) -> str:
    """One line about an input file: its kind and what it defines."""
    name, content = item["name"], item.get("content", "")
    if name.endswith(VERILOG):
        mods = [m for m, f in design.modules.items() if f == name]
        return f"{name}: Verilog, module{'s' if len(mods) != 1 else ''} {', '.join(mods) or '(none found)'}"
    if name.endswith(".lib"):
        library = LIBRARY.search(content)
        cells = CELL.findall(content)
        shown = ", ".join(cells[:24]) + (", ..." if len(cells) > 24 else "")
        return f"{name}: Liberty library {library.group(1) if library else ''} with cells {shown}".replace("  ", " ")
    return f"{name}: {name.rsplit('.', 1)[-1].upper() if '.' in name else 'text'} file"


def user_message(instruction: str, files: Sequence[Mapping[str, str]]) -> str:
    """The user turn of a request: its files described, then the task."""
    design = verilog_design(files)
    lines = ["Files:", *(f"- {describe_file(item, design)}" for item in files)] if files else ["Files: none"]
    if len(design.tops) == 1:
        lines.append(f"Top module: {design.tops[0]}")
    lines.append(f"Task: {instruction.strip()}")
    return "\n".join(lines)


def build_messages(
    instruction: str,
    files: Sequence[Mapping[str, str]],
    tool: str,
    examples: Sequence[Any] = (),
    *,
    language: str | None = None,
    docs: str = "",
) -> list[dict[str, str]]:
    """The chat messages for a request: system rules, one user/assistant pair per example, then the request.

    ``files`` are ``{"name", "content"}`` mappings; ``examples`` are library records (``instruction``,
    ``files``, ``script``), best first as retrieved: they are shown in reverse, so the most similar example is the
    turn right before the request (small models lean on the nearest turn). ``tool`` names the target tool;
    ``language`` (default: the tool's name) picks the rules. The SFT export calls this too, so training and
    inference see one format. ``docs`` (the usage lines of the commands the request needs, from the tool's own
    help: :mod:`.helpdocs`) go into the system message, after the rules and ahead of the examples.
    """
    rules = RULES.get(language or LANGUAGES.get(tool, tool), RULES["yosys"])
    if docs.strip():
        # In the system message, ahead of the examples: the request's turn then has the form of every example's
        # turn, and the model copies the nearest example's structure as it does without help. In the request's
        # own turn the usage lines were copied instead (the first development set fell from 96 % to 72 %).
        reference = f"Commands of `{tool}` that may help with the last task (use only what it needs):"
        rules = f"{rules}\n\n{reference}\n{docs.strip()}"
    messages = [{"role": "system", "content": rules}]
    for example in reversed(examples):
        messages.append({"role": "user", "content": user_message(example.instruction, example.files)})
        messages.append({"role": "assistant", "content": example.script.strip()})
    messages.append({"role": "user", "content": user_message(instruction, files)})
    return messages
