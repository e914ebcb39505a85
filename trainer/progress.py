"""Progress that shows wherever the output goes: a tqdm bar on a terminal, plain lines otherwise.

A bar redraws one line with carriage returns, which a log file, a pipe or a CI console shows as nothing until the
end (or as one endless line). When stderr is not a terminal, :class:`Progress` prints a plain line instead every
``every`` updates, at least every ``seconds`` of wall time while updates arrive, and at the end::

    train fp32: 12/72 it (17%) loss=2.3100 scale=1 | 3m12s elapsed, ~16m00s left

:func:`say` prints one stage line (``tokenizer: training a 16000-token domain BPE on 331 documents``) for work that
has no count to show.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import IO, Any, TypeVar

T = TypeVar("T")


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s"


def say(message: str, *, file: IO[str] | None = None) -> None:
    """One progress line on stderr (flushed at once, so a log shows it while the work runs)."""
    stream = file or sys.stderr
    print(message, file=stream, flush=True)


class Progress:
    """A count towards ``total``: a tqdm bar when ``file`` (stderr) is a terminal, plain lines otherwise."""

    def __init__(
        self,
        total: int | None,
        desc: str,
        *,
        unit: str = "it",
        initial: int = 0,
        every: int | None = None,  # a line every this many updates (None: about every 5 % of the total)
        seconds: float = 60.0,  # and at least this often while updates arrive, so a slow step still shows
        quiet: float = 0.0,  # but no closer together than this (seconds): fast work prints a few lines, not dozens
        file: IO[str] | None = None,
        enabled: bool = True,
    ) -> None:
        self.total, self.desc, self.unit, self.n = total, desc, unit, initial
        self.file = file or sys.stderr
        self.enabled = enabled
        self.every = every or max(1, (total or 20) // 20)
        self.seconds, self.quiet = seconds, quiet
        self.postfix: dict[str, Any] = {}
        self._start = self._last = time.monotonic()
        self._initial = initial
        self._printed = initial
        self._bar: Any = None
        if enabled and _is_terminal(self.file):
            from tqdm import tqdm  # a terminal redraws the bar in place

            self._bar = tqdm(total=total, initial=initial, desc=desc, unit=unit, file=self.file)

    def update(self, n: int = 1) -> None:
        """Count ``n`` more; a plain line when ``every`` is reached or ``seconds`` passed since the last one."""
        self.n += n
        if self._bar is not None:
            self._bar.update(n)
        elif self.enabled:
            now = time.monotonic()
            due = self.n % self.every == 0 and now - self._last >= self.quiet
            if due or now - self._last >= self.seconds or self.n == self.total:
                self._line(now)

    def restart_clock(self) -> None:
        """Count elapsed time (and the time-left estimate) from now: after a first evaluation, say."""
        self._start = self._last = time.monotonic()
        if self._bar is not None:
            self._bar.reset(total=self.total)
            self._bar.update(self.n)

    def set_postfix(self, **values: Any) -> None:
        """Values shown after the count (loss, scale...)."""
        self.postfix = values
        if self._bar is not None:
            self._bar.set_postfix(**values)

    def close(self) -> None:
        """End the bar (or print the last line if the last update printed none)."""
        if self._bar is not None:
            self._bar.close()
        elif self.enabled and self.n != self._printed:
            self._line(time.monotonic())

    def _line(self, now: float) -> None:
        self._last, self._printed = now, self.n
        elapsed = now - self._start
        count = f"{self.n}/{self.total}" if self.total else f"{self.n}"
        share = f" ({100 * self.n / self.total:.0f}%)" if self.total else ""
        extra = " ".join(f"{k}={v}" for k, v in self.postfix.items())
        done = self.n - self._initial
        left = ""
        if self.total and done > 0 and self.n < self.total:
            left = f", ~{_clock(elapsed / done * (self.total - self.n))} left"
        say(f"{self.desc}: {count} {self.unit}{share}{' ' + extra if extra else ''} | {_clock(elapsed)} elapsed{left}",
            file=self.file)  # fmt: skip


def progress_iter(
    items: Iterable[T], desc: str, *, total: int | None = None, unit: str = "it", enabled: bool = True,
    every: int | None = None, quiet: float = 5.0,
) -> Iterator[T]:  # fmt: skip
    """``items`` counted by a :class:`Progress` (``total`` defaults to ``len(items)`` where it has one); plain
    lines at most every ``quiet`` seconds, since items (documents, windows) come fast."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]  # hasattr checked that it has a length
    bar = Progress(total, desc, unit=unit, enabled=enabled, every=every, quiet=quiet)
    try:
        for item in items:
            yield item
            bar.update()
    finally:
        bar.close()


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or fake stream
        return False
