"""The scriptgen pipeline: ground, retrieve, generate, check, run, repair — each stage a progress event.

1. **ground** the request in the tool's help: the commands it calls for and their usage (:mod:`.helpdocs`), then
   **retrieve** the most similar library records as few-shot examples, with one that runs each command the
   grounding found (:mod:`.retrieve`);
2. **generate** a script with the configured generator from the few-shot chat prompt (:mod:`.prompt`);
3. **check** it: clean the reply, apply the language constraints, drop the lines the safety checks refuse (and
   let the constraints see the script after that), and resample (at ``temperature``) while problems remain that
   the constraints cannot fix (:mod:`.constrain`);
4. **run** it in the tool's sandbox and check the instruction's requirements against what it wrote
   (:mod:`.requirements`: named outputs and formats, top module, flattening, target or liberty cells, memories,
   steps; a netlist is read back by an introspection run when a structural requirement needs it);
5. **repair** a failure: the fix the tool's error spells out, or the fix an unmet requirement spells out (at most
   ``MAX_TOOL_FIXES``; no model); then another **candidate** sampled from the request's prompt while fewer than
   ``candidates`` were tried; then the model's repair turn with the error line, or the unmet requirements with
   what was found, and the usage of the command concerned (:mod:`.repair`, one generation, sampled again once if it
   only repeats the script; at most ``max_repairs`` such rounds), then back to check and run. A request makes at
   most ``1 + resamples + (candidates - 1) + 2 * max_repairs`` generations.

:class:`Stages` switches stages off for the ablations of ``chipmate eval scriptgen --ablation``: ``base`` is the
generator alone (zero-shot prompt, its reply run as it is), ``retrieval`` adds the examples, ``constraints`` the
check stage, ``repair`` (the default, the full pipeline) the repair rounds and the candidates.

Over 400 lines on purpose: the stages share one request's state (examples, prompt, requirements, the best
script that ran); each stage is a method of under 80 lines, and the stages' logic lives in the modules named above.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .checks import Problem
from .constrain import Request, clean, constrain
from .helpdocs import repair_help
from .prompt import build_messages, verilog_design
from .repair import repair_messages, tool_fix
from .requirements import (
    Check,
    IntentFix,
    Requirement,
    evidence,
    extract,
    failed_introspection,
    intent_fix,
    introspection_script,
    option_fix,
    verify,
)
from .sandbox import SandboxLimits
from .tool import ScriptRun, ScriptTool, excerpt

#: ablation name -> the stages it keeps on
ABLATIONS: dict[str, tuple[bool, bool, bool]] = {
    "base": (False, False, False),
    "retrieval": (True, False, False),
    "constraints": (True, True, False),
    "repair": (True, True, True),
}


@dataclass
class Stages:
    """Which stages run and how; the defaults are the full pipeline."""

    retrieval: bool = True
    constraints: bool = True
    repair: bool = True
    #: few-shot examples retrieved per request
    examples: int = 4
    #: extra samples drawn while the constraints report problems they cannot fix
    resamples: int = 2
    #: sampling temperature of resamples and of repeated repairs (the first generation is greedy)
    temperature: float = 0.7
    #: longest script the generator may write, in tokens
    max_tokens: int = 320
    #: candidates drawn and run before the model's repair turns: the first that runs and meets every requirement wins
    candidates: int = 2

    @classmethod
    def ablation(cls, name: str, **settings: Any) -> Stages:
        """The stages of ablation ``name`` (base, retrieval, constraints, repair)."""
        retrieval, constraints, repair = ABLATIONS[name]
        return cls(retrieval=retrieval, constraints=constraints, repair=repair, **settings)


@dataclass
class Outcome:
    """What the pipeline produced: the task's output fields plus the final run."""

    script: str
    tool: str
    passed: bool
    validated: bool
    rounds: int
    log: str
    examples: list[dict[str, Any]]
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    run: ScriptRun | None = None
    #: generator calls the request took (not part of the task output; the evaluation reports it)
    generations: int = 0
    #: how the last run was confined, or why the script was not run (when there was no run)
    confinement: str = ""
    #: the requirements the instruction states and whether the last run met each
    requirements: list[Check] = field(default_factory=list)
    #: candidates drawn and run before the repairs (not part of the task output; the evaluation reports it)
    candidates: int = 0
    #: seconds per stage (generate, check, run, verify) of this request (the evaluation reports them)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def unmet(self) -> list[Check]:
        """The requirements the last run did not meet."""
        return [c for c in self.requirements if not c.held]

    def output(self) -> dict[str, Any]:
        """The ``scriptgen.generate`` output."""
        return {
            "script": self.script,
            "tool": self.tool,
            "passed": self.passed,
            "validated": self.validated,
            "rounds": self.rounds,
            "log": self.log,
            "examples": self.examples,
            "problems": self.problems,
            "notes": self.notes,
            "confinement": self.run.confinement if self.run is not None else self.confinement,
            "requirements": [c.output() for c in self.requirements],
        }


class Pipeline:
    """One request through the stages, with its tool, generator and (optional) example retriever."""

    def __init__(
        self,
        *,
        tool: ScriptTool,
        generator: Any,
        retriever: Any | None,
        stages: Stages,
        timeout: float,
        limits: SandboxLimits | None = None,
        docs: Any | None = None,
    ) -> None:
        self.tool = tool
        #: the tool's command help for grounding (helpdocs.ToolDocs), or None
        self.docs = docs
        self.generator = generator
        self.retriever = retriever
        self.stages = stages
        self.timeout = timeout
        self.limits = limits
        self.generations = 0
        #: seconds spent per stage (retrieve, generate, check, run, verify) by this pipeline's requests
        self.seconds: dict[str, float] = {}

    def _progress(self, ctx: Any, fraction: float, stage: str, message: str) -> None:
        if ctx is not None:
            ctx.check()
            ctx.progress(fraction, f"{stage}: {message}")

    def _generate(
        self, messages: list[dict[str, str]], temperature: float, ctx: Any, max_tokens: int | None = None
    ) -> str:
        """The generator's reply, cut short once it loops (small models repeat lines until max_tokens)."""
        self.generations += 1
        started = time.monotonic()
        budget = max_tokens or self.stages.max_tokens
        stream = self.generator.stream(messages, max_tokens=budget, temperature=temperature, ctx=ctx)
        text = ""
        try:
            for delta in stream:
                text += delta
                if "\n" in delta and runaway(text):
                    break
        finally:
            stream.close()
            self._timed("generate", started)
        return text

    def _ground(self, instruction: str, request: Request, ctx: Any) -> tuple[list[str], str]:
        """The commands the request needs and their usage lines, from the tool's help (none when grounding is
        off)."""
        if self.docs is None or not self.stages.retrieval:
            return [], ""
        started = time.monotonic()
        commands = self.docs.lookup(instruction, request.files)
        usage = self.docs.usage(instruction, commands)
        seconds = time.monotonic() - started
        self._progress(ctx, 0.05, "ground", f"{', '.join(commands) or 'no command'} ({seconds:.2f} s)")
        return commands, usage

    def _timed(self, stage: str, started: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + time.monotonic() - started

    def _drop_unsafe(self, script: str, notes: list[str]) -> str:
        """``script`` without the lines the tool's safety checks refuse (they would never run)."""
        unsafe = self.tool.check(script)
        if not unsafe:
            return script
        drop = {p.line for p in unsafe}
        notes += [f"removed {p}" for p in unsafe]
        return "".join(f"{x}\n" for n, x in enumerate(script.splitlines(), 1) if n not in drop)

    def _check(self, text: str, request: Request, notes: list[str]) -> tuple[str, list[Problem]]:
        """Clean ``text``, drop lines the safety checks refuse, and constrain what is left (when the stage is on)."""
        started = time.monotonic()
        script, problems = text, []
        if self.stages.constraints:
            script, cleaned = clean(text, comment="#")
            notes += cleaned
            constrained = constrain(script, request, self.tool)
            script, problems = constrained.script, constrained.problems
            notes += constrained.notes
            safe = self._drop_unsafe(script, notes)
            if safe != script:
                # The constraints judged the script before the unsafe lines went: a named output whose writer was
                # on a refused line would stay unwritten. They judge the script that will run once more, and add
                # what the removal took (what they add must pass the safety checks too).
                constrained = constrain(safe, request, self.tool)
                script, problems = self._drop_unsafe(constrained.script, notes), constrained.problems
                notes += constrained.notes
        self._timed("check", started)
        return script, problems

    def _draft(
        self, messages: list[dict[str, str]], request: Request, notes: list[str], ctx: Any, first_temperature: float
    ) -> tuple[str, list[Problem]]:
        """Generate, check, and resample while problems remain; the candidate with the fewest problems wins."""
        best: tuple[str, list[Problem]] | None = None
        attempts = 1 + (self.stages.resamples if self.stages.constraints else 0)
        for attempt in range(attempts):
            temperature = first_temperature if attempt == 0 else self.stages.temperature
            text = self._generate(messages, temperature, ctx)
            attempt_notes: list[str] = []
            script, problems = self._check(text, request, attempt_notes)
            if best is None or len(problems) < len(best[1]) or not best[0].strip():
                best = (script, problems)
                best_notes = attempt_notes
            if not problems and script.strip():
                break
            self._progress(ctx, 0.3, "check", f"{len(problems)} problem(s) left; sampling again ({attempt + 1})")
        assert best is not None
        notes += best_notes
        return best

    def requirements(self, instruction: str, files: Sequence[Mapping[str, str]]) -> list[Requirement]:
        """What the instruction asks for that a run can show (:mod:`.requirements`)."""
        return extract(instruction, files, self.tool.commands(), self.tool.language)

    def _execute(
        self, script: str, request: Request, requirements: Sequence[Requirement]
    ) -> tuple[ScriptRun, list[Check]]:
        """Run ``script`` and check the requirements against what it wrote; a Yosys netlist whose structure a
        requirement needs is read back by an introspection run in the same directory."""
        structural = any(r.kind not in ("output", "step") for r in requirements)
        netlists = {r.subject: r.format for r in requirements if r.kind == "output"} if structural else {}
        introspect, introspected = introspection_script(netlists) if self.tool.language == "yosys" else ("", {})
        started = time.monotonic()
        run = self.tool.run(
            script, files=_contents(request), timeout=self.timeout, limits=self.limits, checker=introspect or None
        )
        self._timed("run", started)
        if not run.ok:
            return run, [Check(r, False, "not checked: the script did not run to its end") for r in requirements]
        started = time.monotonic()
        commands = {c.name for c in self.tool.split(script)[0]}
        checker = run.checker
        failed = None
        if checker is not None and not checker.ok:
            failed = failed_introspection(introspected, checker.error_line, checker.error)
        outputs = checker.outputs if checker is not None else None
        found = evidence(requirements, run.outputs, run.log, commands, outputs, introspected, failed)
        checks = verify(requirements, found, request.files)
        self._timed("verify", started)
        return run, checks

    def run(
        self,
        instruction: str,
        files: Sequence[Mapping[str, str]],
        *,
        validate: bool = True,
        max_repairs: int = 3,
        temperature: float = 0.0,
        ctx: Any = None,
    ) -> Outcome:
        """Turn ``instruction`` on ``files`` into a script; run and repair it when ``validate``."""
        request = Request(instruction, list(files))
        examples, messages = self._prompt(request, ctx)
        requirements = self.requirements(instruction, request.files)
        self._progress(ctx, 0.1, "generate", f"round 1 with {self.generator.__class__.__name__}")
        notes: list[str] = []
        script, problems = self._draft(messages, request, notes, ctx, temperature)
        self._progress(ctx, 0.4, "check", f"{len(problems)} problem(s); {len(notes)} fix(es)")
        found = [{"id": e.record.id, "instruction": e.record.instruction, "score": round(e.score, 4)} for e in examples]
        outcome = Outcome(script, self.tool.name, False, False, 1, "", found, [str(p) for p in problems], notes)
        outcome.seconds = self.seconds
        if not validate:
            outcome.requirements = [Check(r, False, "not checked: the script was not run") for r in requirements]
            outcome.generations = self.generations
            return outcome
        outcome.candidates = 1
        # Candidates after the first: drawn when the fixes that need no model are used up, before the model's repair
        # turns (full pipeline only, so that the other ablations stay one draft each).
        count = self.stages.candidates if self.stages.repair and self.stages.constraints else 1
        tried, draws = {script}, count - 1
        model_repairs = tool_fixes = 0
        applied: set[tuple[str, str]] = set()  # the requirements an intent fix was tried for (once each)
        # The script that ran in the tool with the fewest problems left: returned if the repairs after it only make
        # things worse (a problem can be a false alarm, and a repair turn can break a script that worked).
        ran: tuple[str, ScriptRun, list[str], str, list[Check]] | None = None
        while True:
            run, checks = self._execute(script, request, requirements)
            unmet = [c for c in checks if not c.held]
            outcome.script, outcome.run, outcome.validated, outcome.requirements = script, run, True, checks
            outcome.log, outcome.generations = excerpt(run.log, run.error), self.generations
            if run.ok and not problems and not unmet:
                self._progress(ctx, 1.0, "run", f"passed in {run.seconds:.1f} s (round {outcome.rounds})")
                outcome.passed, outcome.problems = True, []
                return outcome
            outcome.passed = False
            run, ran = self._failed(outcome, run, [*problems, *(c.problem() for c in unmet)], checks, ran, ctx)
            if not self.stages.repair:
                break
            # The fixes that need no model: the one the tool's error spells out, else the unmet requirement's.
            fixed = self._tool_fix(script, run, request) if tool_fixes < MAX_TOOL_FIXES and not run.ok else None
            intent = self._intent_fix(script, unmet, instruction, request, applied) if run.ok else None
            fix = fixed or (intent if tool_fixes < MAX_TOOL_FIXES else None)
            if fix is not None:
                tool_fixes += 1
                outcome.rounds += 1
                # a tool fix keeps the draft's static problems; an intent fix is judged afresh
                script, rechecked = self._check(fix.script, request, notes)
                problems = problems if fixed is not None else rechecked
                notes.append(f"round {outcome.rounds}: {fix.note}")
                self._progress(ctx, 0.6, "repair", f"round {outcome.rounds}: {fix.note}")
                continue
            candidate, draws = self._candidate(messages, request, notes, tried, ctx, draws)
            if candidate is not None:
                outcome.candidates += 1
                script, problems = candidate
                notes.append(f"candidate {outcome.candidates} of {count}: the earlier one did not pass")
                self._progress(ctx, 0.55, "candidates", f"candidate {outcome.candidates} of {count}")
                tool_fixes, applied = 0, set()
                continue
            if model_repairs >= max_repairs:
                break
            model_repairs += 1
            outcome.rounds += 1
            self._progress(ctx, 0.6, "repair", f"round {outcome.rounds}: asking the model, with `{run.command}` help")
            script, problems = self._model_repair(request, examples, script, run, notes, temperature, ctx)
        if ran is not None and not (outcome.run is not None and outcome.run.ok):
            outcome.script, outcome.run, outcome.problems, outcome.log, outcome.requirements = ran
            notes.append("returned the script that ran in the tool: the repairs after it failed to run")
        return outcome

    @staticmethod
    def _tool_fix(script: str, run: Any, request: Request) -> Any:
        """The fix the tool's error spells out (``repair.tool_fix``); None when it would change nothing, since such
        a fix only spends the rounds."""
        fixed = tool_fix(script, run, request)
        return None if fixed is None or fixed.script.strip() == script.strip() else fixed

    def _prompt(self, request: Request, ctx: Any) -> tuple[list[Any], list[dict[str, str]]]:
        """The retrieved examples and the generator's prompt: rules, examples, the commands' usage, the request."""
        started = time.monotonic()
        commands, usage = self._ground(request.instruction, request, ctx)
        self._timed("ground", started)
        # Readers and writers are in every example already; the others each bring an example that runs them.
        shown = self.docs.transformations(commands) if self.docs is not None else []
        examples = self._examples(request.instruction, request, ctx, shown)
        messages = build_messages(
            request.instruction,
            request.files,
            self.tool.name,
            [e.record for e in examples],
            language=self.tool.language,
            docs=usage,
        )
        return examples, messages

    def _examples(self, instruction: str, request: Request, ctx: Any, commands: Sequence[str] = ()) -> list[Any]:
        """The library's examples nearest the request, with one running each of ``commands`` (none when retrieval is
        off)."""
        examples = []
        started = time.monotonic()
        if self.stages.retrieval and self.retriever is not None and self.stages.examples > 0:
            examples = self.retriever.search(instruction, request.files, self.stages.examples, commands=commands)
            shown = ", ".join(e.record.id for e in examples)
            self._progress(ctx, 0.08, "retrieve", f"{len(examples)} example(s): {shown}")
        self._timed("retrieve", started)
        return examples

    def _failed(
        self, outcome: Outcome, run: ScriptRun, left: list[Any], checks: list[Check], ran: Any, ctx: Any
    ) -> tuple[ScriptRun, Any]:
        """Record why ``run`` is not a pass in ``outcome``; the run as the repair sees it, and the best script that
        ran so far (``ran``: script, run, problems, log, checks)."""
        if not run.ok:
            where = f" at line {run.error_line}" if run.error_line else ""
            first_line = run.error.splitlines()[0] if run.error else "failed"
            self._progress(ctx, 0.5, "run", f"failed{where}: {first_line}")
            outcome.problems = [f"line {run.error_line}: {run.error}" if run.error_line else run.error]
            return run, ran
        # The tool accepted the script, but it does not do what was asked (an output it never writes, an input it
        # would overwrite, a requirement the artefacts do not meet): not a pass. The model's repair turn gets what
        # is unmet, with what was found, as the error to fix.
        outcome.problems = [str(p) for p in left]
        if ran is None or len(left) < len(ran[2]):
            ran = (outcome.script, run, outcome.problems, outcome.log, checks)
        self._progress(ctx, 0.5, "check", f"ran, but {len(left)} problem(s) remain: {left[0]}")
        first = left[0]
        return replace(run, error="\n".join(map(str, left)), error_line=first.line, command=first.command), ran

    def _model_repair(
        self,
        request: Request,
        examples: list[Any],
        script: str,
        run: ScriptRun,
        notes: list[str],
        temperature: float,
        ctx: Any,
    ) -> tuple[str, list[Problem]]:
        """One repair turn of the model: the failing script, the error (or the unmet requirements) and the help of
        the command to fix or add; the repaired script, checked."""
        # The repair turn follows the request with only its nearest example: the conversation stays short (prompt
        # tokens cost seconds on a CPU) and the example still anchors the format.
        turn = build_messages(
            request.instruction,
            request.files,
            self.tool.name,
            [e.record for e in examples[:1]],
            language=self.tool.language,
        )
        command, help_text = repair_help(self.tool, run, self.docs)
        repair = repair_messages(turn, script, replace(run, command=command), help_text, self.tool.name)
        # One generation per repair round (two when the model only repeats its script): resampling here too would
        # multiply a request's generations, and each costs seconds on a CPU. A repaired script is about as long as
        # the failed one, so the budget follows its length.
        budget = min(self.stages.max_tokens, 48 + len(script) * 2 // 3)
        fixed, problems = self._check(self._generate(repair, temperature, ctx, budget), request, notes)
        if fixed == script:
            text = self._generate(repair, self.stages.temperature, ctx, budget)
            fixed, problems = self._check(text, request, notes)
        return fixed, problems

    def _intent_fix(
        self, script: str, unmet: Sequence[Check], instruction: str, request: Request, applied: set[tuple[str, str]]
    ) -> IntentFix | None:
        """The fix the first unmet requirement spells out (Yosys; each requirement once), else None."""
        if self.tool.language != "yosys":
            return None
        tops = verilog_design(request.files).tops
        for check in unmet:
            key = (check.requirement.kind, check.requirement.subject)
            if key in applied:
                continue
            applied.add(key)
            fixed = intent_fix(script, check, instruction, tops)
            if fixed is None and self.docs is not None:
                fixed = option_fix(script, check, self.docs.options)
            if fixed is not None and fixed.script != script:
                return fixed
        return None

    def _candidate(
        self, messages: list[dict[str, str]], request: Request, notes: list[str], tried: set[str], ctx: Any, draws: int
    ) -> tuple[tuple[str, list[Problem]] | None, int]:
        """Another candidate, and the draws left: the request's prompt sampled again, at most ``draws`` times, until
        a script comes back that is not empty and not one already run (the same script runs the same way)."""
        while draws > 0:
            draws -= 1
            script, problems = self._check(self._generate(messages, self.stages.temperature, ctx), request, notes)
            if script.strip() and script not in tried:
                tried.add(script)
                return (script, problems), draws
        return None, draws


#: complete lines after which a reply is cut: the longest library script has 20
MAX_LINES = 48
#: runs a request may spend on the fixes the tool's own error spells out (each costs a second, no model)
MAX_TOOL_FIXES = 4


def runaway(text: str) -> bool:
    """True when a reply has stopped being a script: too many lines, a line three times in a row, or a block of
    two to four lines repeated right after itself twice."""
    lines = [line.strip() for line in text.split("\n")[:-1] if line.strip()]  # complete lines only
    if len(lines) > MAX_LINES:
        return True
    if len(lines) >= 3 and lines[-1] == lines[-2] == lines[-3]:
        return True
    for size in range(2, 5):
        if len(lines) >= 3 * size and lines[-size:] == lines[-2 * size : -size] == lines[-3 * size : -2 * size]:
            return True
    return False


def _contents(request: Request) -> dict[str, str]:
    return {f["name"]: f["content"] for f in request.files}
