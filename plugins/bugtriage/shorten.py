"""Make bug text cheap to read before any model sees it: long paths, URLs, images, log floods.

A bug thread's tokens are mostly machine output: absolute paths, pasted logs with thousands of near-identical
lines, screenshots' URLs. These are shortened first (deterministically, keeping the informative part: the end of
a path, error and warning lines, the first and last lines of a log), so the summariser spends its context on
what people wrote.
"""

from __future__ import annotations

import re

# Paths with at least three components, absolute or relative: only their last two components are kept.
_PATH = re.compile(r"(?<![\w.:/])(?:~|\.{1,2})?(?:/[\w.+\-@%]+){3,}/?")
_URL = re.compile(r"https?://[^\s)\]>\"']+")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
# Lines worth keeping when a log must be cut: problems and their reasons.
_IMPORTANT = re.compile(
    r"error|warn|fatal|fail|exception|traceback|segmentation|sigsegv|signal \d|abort|assert|core dumped|"
    r"critical|panic|violation|undefined|not found|cannot|can't|unable|out of memory|killed|timeout",
    re.IGNORECASE,
)
MAX_LINE_CHARS = 240
LOG_LINES = 60


def shorten_path(path: str) -> str:
    """``/home/me/work/flow/results/run7/base.odb`` -> ``…/run7/base.odb``."""
    parts = [p for p in path.rstrip("/").split("/") if p]
    return "…/" + "/".join(parts[-2:]) if len(parts) > 2 else path


def _shorten_url(match: re.Match[str]) -> str:
    url = match.group(0)
    if len(url) <= 60:
        return url
    host = url.split("/")[2]
    tail = url.rstrip("/").rsplit("/", 1)[-1][:40]
    return f"{host}/…/{tail}"


def shorten_line(line: str, limit: int = MAX_LINE_CHARS) -> str:
    """Paths and URLs shortened; a line still longer than ``limit`` keeps its start and its end."""
    line = _URL.sub(_shorten_url, line)
    line = _PATH.sub(lambda m: shorten_path(m.group(0)), line)
    if len(line) > limit:
        keep = limit // 2 - 2
        line = f"{line[:keep]} … {line[-keep:]}"
    return line


def collapse_repeats(lines: list[str]) -> list[str]:
    """Runs of lines that differ only in their numbers become the first line and ``[×N similar lines]``."""
    out: list[str] = []
    run_key, run = None, 0
    for line in lines:
        key = _DIGITS.sub("#", line.strip())
        if key == run_key and key:
            run += 1
            continue
        if run > 1:
            out.append(f"[×{run} similar lines]")
        out.append(line)
        run_key, run = key, 1
    if run > 1:
        out.append(f"[×{run} similar lines]")
    return out


def shorten_log(text: str, max_lines: int = LOG_LINES) -> str:
    """A log cut to about ``max_lines``: its head, its tail, and its error/warning lines with one line of context.

    Cut regions are marked ``[… N lines omitted …]`` so a reader knows something was there.
    """
    lines = collapse_repeats([shorten_line(line) for line in text.splitlines()])
    if len(lines) <= max_lines:
        return "\n".join(lines)
    head, tail = max_lines // 6, max_lines // 3
    keep = set(range(head)) | set(range(len(lines) - tail, len(lines)))
    budget = max_lines - len(keep)
    for i, line in enumerate(lines):
        if budget <= 0:
            break
        if i not in keep and _IMPORTANT.search(line):
            new = {j for j in (i - 1, i, i + 1) if 0 <= j < len(lines)} - keep
            keep |= new
            budget -= len(new)
    out: list[str] = []
    gap = 0
    for i, line in enumerate(lines):
        if i in keep:
            if gap:
                out.append(f"[… {gap} lines omitted …]")
                gap = 0
            out.append(line)
        else:
            gap += 1
    if gap:
        out.append(f"[… {gap} lines omitted …]")
    return "\n".join(out)


def shorten_text(text: str, *, block_lines: int = 30) -> str:
    """Prose with paths, URLs and images shortened; fenced blocks (pasted logs) longer than ``block_lines``
    cut like logs."""
    text = _IMAGE.sub("[image]", text)
    out: list[str] = []
    block: list[str] | None = None
    for line in text.splitlines():
        if line.strip().startswith("```"):
            if block is None:
                block = []
                out.append(line)
                continue
            out.extend(shorten_log("\n".join(block), block_lines).splitlines() if len(block) > block_lines else block)
            out.append(line)
            block = None
            continue
        if block is not None:
            block.append(shorten_line(line))
        else:
            out.append(shorten_line(line, limit=MAX_LINE_CHARS * 4))
    if block is not None:  # an unclosed fence: treat the rest as a log
        out.extend(shorten_log("\n".join(block), block_lines).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
