"""Declared configuration sections: the base model every config section and task setting derives from, and the
one translation of its validation errors into chipmate's :class:`~chipmate.errors.ConfigError`.

A section declares its keys as fields: types (strict: ``"8"`` is not an int, ``1`` is not a bool), ranges
(``Field(ge=1, le=100)``), allowed values (``Literal``), and checks across fields as ``model_validator`` methods
that raise :func:`invalid`. Unknown keys are refused. Whichever way a section is built (from a file with
:func:`read_section`, in code, or by assigning a field) a bad value raises one ConfigError naming the file, the
dotted key and what the key accepts, and an unknown key gets a did-you-mean, e.g.::

    team.yaml: tasks.designqa.top_k must be between 1 and 100, got 0
    team.yaml: unknown key 'tasks.designqa.topk' (did you mean 'top_k'?)

pydantic does the checking; this module only words its errors the way every chipmate error reads.
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from .errors import ConfigError

S = TypeVar("S", bound="Section")


@dataclass(frozen=True)
class Where:
    """Where a config value came from: the file (or another source) and the dotted key of the section."""

    source: str = ""
    key: str = ""

    def at(self, name: str = "") -> str:
        """``"source: key.name"``, the prefix of an error about field ``name`` (or the section itself)."""
        path = _join(self.key, name) if name else self.key or "(top level)"
        return f"{self.source}: {path}" if self.source else path

    def child(self, name: str) -> Where:
        """The location of the nested section ``name``."""
        return Where(self.source, _join(self.key, name))


class Section(BaseModel):
    """A config section: declared keys with defaults; see the module docstring for how to declare checks."""

    # strict: YAML already gives ints, floats, bools and strings their types, so a quoted "8" is a mistake to
    # report, not a value to coerce (ints are still accepted where a float is declared). validate_assignment:
    # a field set in code is checked like one read from a file, so a section is always valid once built.
    # defer_build: a section's validator is built when first used, not at import (the recipes' sections cost an
    # import of the trainer nothing until a recipe runs).
    model_config = ConfigDict(strict=True, extra="forbid", validate_assignment=True, defer_build=True)
    #: the dotted key errors name when the section is built in code rather than read from a file
    KEY: ClassVar[str] = ""

    def __init__(self, /, **data: Any) -> None:
        with _reported(type(self), Where("", self.KEY)):
            super().__init__(**data)

    # pydantic calls a model's own __init__ for each nested section it validates, unless the __init__ is marked
    # as the base one; marked, a nested error reaches the outermost section with its whole dotted key.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]  # a marker pydantic reads; functions take any attribute

    def __setattr__(self, name: str, value: Any) -> None:
        before = self.__dict__.get(name)
        try:
            super().__setattr__(name, value)
        except ValidationError as exc:
            if name in type(self).model_fields:
                # pydantic stores the value before the checks across fields run, and keeps it when they fail
                self.__dict__[name] = before
            raise _config_error(exc, type(self), Where("", self.KEY)) from None


def read_section(cls: type[S], data: Any, where: Where | None = None) -> S:
    """Turn the mapping ``data`` (a config section; None means all defaults) into the section ``cls``.

    Every error is a ConfigError naming ``where`` (file and dotted key of the section) and the key at fault.
    """
    where = where or Where("<dict>")
    with _reported(cls, where):
        return cls.model_validate({} if data is None else data)


def task_settings(config: Any, task: str, cls: type[S]) -> S:
    """``tasks.<task>`` of the chipmate ``config`` as the plugin's settings section ``cls`` (defaults when absent).

    The one way a plugin reads its settings, so every plugin's errors name ``<file>: tasks.<task>.<key>``.
    """
    raw = (getattr(config, "tasks", None) or {}).get(task)
    return read_section(cls, raw, Where(getattr(config, "source", None) or "config", f"tasks.{task}"))


def invalid(key: str, message: str) -> PydanticCustomError:
    """The error a section's ``model_validator`` raises about field ``key`` (dotted, relative to the section):
    ``message`` says what the key accepts, e.g. ``invalid("chunk_overlap", "must be less than chunk_size/2")``."""
    return PydanticCustomError("chipmate", "{key} {message}", {"key": key, "message": message})


# -- reusable field types ----------------------------------------------------------------------------------------


def _listed(value: Any) -> Any:
    """YAML has no tuples: a fixed-length tuple is written as a list."""
    return tuple(value) if isinstance(value, list) else value


def _existing(value: str) -> str:
    if not Path(value).expanduser().exists():
        raise ValueError(f"names {value!r}, which does not exist")
    return value


def _existing_file(value: str) -> str:
    if not Path(value).expanduser().is_file():
        raise ValueError(f"names {value!r}, which is not a file")
    return value


#: how many of something, at least one
Count = Annotated[int, Field(ge=1)]
#: a list in YAML read into a fixed-length tuple (``betas: [0.9, 0.95]``)
FromList = BeforeValidator(_listed)
#: a path (``~`` allowed) that must exist when the config is read
ExistingPath = Annotated[str, AfterValidator(_existing)]
#: a path (``~`` allowed) to a file that must exist when the config is read
ExistingFile = Annotated[str, AfterValidator(_existing_file)]


# -- --set key.sub=value overrides -------------------------------------------------------------------------------


def parse_overrides(items: Iterable[str], loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> dict[str, Any]:
    """``["train.max_iters=4", "lora.rank=8"]`` (``--set`` options) as ``{dotted key: value}``; each value is read
    as YAML (``4`` an int, ``[a, b]`` a list, ``null`` None) with ``loader``."""
    overrides: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set {item!r} is not key=value", hint="write --set key=value, e.g. train.max_iters=4")
        try:
            overrides[key.strip()] = yaml.load(raw, Loader=loader)
        except yaml.YAMLError as exc:
            raise ConfigError(f"--set {item!r}: the value is not valid YAML: {exc}", hint="quote it") from exc
    return overrides


def apply_overrides(data: Mapping[str, Any], overrides: Mapping[str, Any], source: str = "") -> dict[str, Any]:
    """A copy of the section mapping ``data`` with each dotted key of ``overrides`` set: ``train.max_iters``
    sets ``max_iters`` inside ``train`` (created when missing). Unknown keys are left for the section to refuse."""
    merged = copy.deepcopy(dict(data))
    for key, value in overrides.items():
        node = merged
        *parents, leaf = key.split(".")
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                where = f"{source}: " if source else ""
                raise ConfigError(f"{where}--set {key}: {part} is not a section", hint=f"set {part}=VALUE instead")
            node = child
        node[leaf] = value
    return merged


def lookup(data: Mapping[str, Any], dotted: str) -> Any:
    """The value at a dotted key of a nested mapping, None where it is missing."""
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


# -- pydantic's errors in chipmate's words -----------------------------------------------------------------------

_TYPE_NAMES = {"int_type": "int", "int_from_float": "int", "float_type": "float", "string_type": "str",
               "bool_type": "bool"}  # fmt: skip
_MAPPING_ERRORS = {"model_type", "model_attributes_type", "dict_type", "dataclass_type"}
_BOUND_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal", "finite_number",
                 "too_short", "too_long", "string_too_short", "string_too_long"}  # fmt: skip


@contextlib.contextmanager
def _reported(cls: type[BaseModel], where: Where) -> Iterator[None]:
    """Turn a pydantic ValidationError raised inside into the ConfigError of its first problem."""
    try:
        yield
    except ValidationError as exc:
        raise _config_error(exc, cls, where) from None


def _config_error(exc: ValidationError, root: type[BaseModel], where: Where) -> ConfigError:
    """The ConfigError of the first problem in ``exc`` (an unknown key first: a typo explains the rest)."""
    errors = exc.errors()
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = tuple(error["loc"])
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "extra_forbidden":
        section, _, _ = _declared(root, loc[:-1])
        known = list(section.model_fields) if _is_section(section) else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
        prefix = f"{where.source}: " if where.source else ""
        return ConfigError(f"{prefix}unknown key {_path(where.key, loc)!r}", hint=hint)
    if kind == "chipmate":  # a check across fields, about the key it names
        key = _path("", (*loc, ctx["key"]) if ctx["key"] else loc)
        return ConfigError(f"{where.at(key)} {ctx['message']}")
    tuple_at = _fixed_tuple(root, loc, kind)
    if tuple_at is not None:
        loc, size = tuple_at
        given = _input(exc, loc)
        given = list(given) if isinstance(given, tuple) else given  # as YAML wrote it
        return ConfigError(f"{where.at(_path('', loc))} must be a list of {size} items, got {given!r}")
    if loc[-1:] == ("[key]",):  # a key of a mapping, not its value, is wrong
        mapping, _, _ = _declared(root, loc[:-2])
        tp, meta, nullable = _unwrap((*typing.get_args(mapping), Any)[0])
        what = _expected(kind, tp, meta, nullable, ctx)
        return ConfigError(f"{where.at(_path('', loc[:-2]))} has the key {value!r}; keys must be {what}")
    tp, meta, nullable = _declared(root, loc)
    at = where.at(_path("", loc))
    what = _expected(kind, tp, meta, nullable, ctx)
    if kind in _TYPE_NAMES:
        return ConfigError(f"{at} must be {what}, got {type(value).__name__} {value!r}")
    if kind in _MAPPING_ERRORS or kind in ("list_type", "tuple_type"):
        return ConfigError(f"{at} must be {what}, got {type(value).__name__}")
    if what:
        if tp is float and type(value) is int:
            value = float(value)  # the value as the section holds it: threshold: 2 reads as 2.0
        return ConfigError(f"{at} must be {what}, got {value!r}")
    if kind in ("value_error", "assertion_error"):
        return ConfigError(f"{at} {ctx.get('error', error['msg'])}")
    return ConfigError(f"{at}: {error['msg']}")


def _expected(kind: str, tp: Any, meta: list[Any], nullable: bool, ctx: dict[str, Any]) -> str:
    """What the declaration accepts, for the error ``kind`` pydantic reported; "" for other kinds of error."""
    if kind in _TYPE_NAMES:
        return _TYPE_NAMES[kind]
    if kind in _MAPPING_ERRORS:
        return "a mapping"
    if kind in ("list_type", "tuple_type"):
        return "a list"
    if kind == "literal_error":
        return f"one of {', '.join(str(a) for a in typing.get_args(tp)) or ctx.get('expected', '')}"
    if kind in _BOUND_ERRORS:
        return _accepts(tp, meta, nullable)
    return ""


def _accepts(tp: Any, meta: list[Any], nullable: bool) -> str:
    """What a field's declared bounds accept, in words: ``between 1 and 100``, ``in [0, 1)``, ``at least 1``."""
    bound = {name: getattr(m, name) for m in meta for name in ("ge", "gt", "le", "lt", "min_length", "max_length")
             if getattr(m, name, None) is not None}  # fmt: skip
    finite = any(getattr(m, "allow_inf_nan", None) is False for m in meta)
    low = ("[", bound["ge"]) if "ge" in bound else ("(", bound["gt"]) if "gt" in bound else None
    high = ("]", bound["le"]) if "le" in bound else (")", bound["lt"]) if "lt" in bound else None
    if low and high:
        closed = low[0] == "[" and high[0] == "]"
        text = (f"between {low[1]} and {high[1]}" if closed and tp is int and not finite
                else f"in {low[0]}{low[1]}, {high[1]}{high[0]}")  # fmt: skip
    elif low:
        text = (f"at least {low[1]}" if not finite else f">= {low[1]}") if low[0] == "[" else f"> {low[1]}"
    elif high:
        text = (f"at most {high[1]}" if not finite else f"<= {high[1]}") if high[0] == "]" else f"< {high[1]}"
    elif tp is str and bound.get("min_length") == 1 and "max_length" not in bound:
        text = "a non-empty string"
    elif "min_length" in bound or "max_length" in bound:
        unit = "character" if tp is str else "item"
        text = " and ".join(
            f"{word} {bound[name]} {unit}{'s' if bound[name] != 1 else ''}"
            for word, name in (("at least", "min_length"), ("at most", "max_length"))
            if name in bound
        )
        text = f"a string of {text}" if tp is str else f"a list of {text}"
    else:
        text = ""
    if finite:
        text = f"a finite number {text}".strip()
    return f"{text} or null" if nullable else text


def _declared(tp: Any, loc: tuple[Any, ...]) -> tuple[Any, list[Any], bool]:
    """The type declared at ``loc`` below section ``tp``, its constraints (``Field(ge=..)`` and the like) and
    whether it may be null; ``Any`` where ``loc`` leads nowhere declared."""
    meta: list[Any] = []
    for part in loc:
        tp, more, _ = _unwrap(tp)
        meta = more
        if _is_section(tp):
            field = tp.model_fields.get(str(part))
            if field is None:
                return Any, [], False
            tp, meta = field.annotation, list(field.metadata)
            continue
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin is dict and len(args) == 2:
            tp, meta = args[1], []
        elif origin is list and args:
            tp, meta = args[0], []
        elif origin is tuple and isinstance(part, int) and part < len(args):
            tp, meta = args[part], []
        else:
            return Any, [], False
    tp, more, nullable = _unwrap(tp)
    return tp, meta + more, nullable


def _unwrap(tp: Any) -> tuple[Any, list[Any], bool]:
    """``tp`` without ``Annotated`` and ``| None``: (the type, the Annotated metadata, whether None is allowed)."""
    meta: list[Any] = []
    nullable = False
    while True:
        if typing.get_origin(tp) is Annotated:
            for item in tp.__metadata__:  # Annotated[float, Field(gt=0)] holds the bound inside a FieldInfo
                meta.extend(item.metadata if isinstance(item, FieldInfo) else [item])
            tp = typing.get_args(tp)[0]
        elif typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in typing.get_args(tp):
            nullable = True
            rest = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(rest) != 1:
                return tp, meta, nullable
            tp = rest[0]
        else:
            return tp, meta, nullable


def _fixed_tuple(root: type[BaseModel], loc: tuple[Any, ...], kind: str) -> tuple[tuple[Any, ...], int] | None:
    """(location, length) of a fixed-length tuple that got the wrong number of items, else None."""
    for end in (len(loc), len(loc) - 1):
        tp, _, _ = _declared(root, loc[:end])
        args = typing.get_args(tp)
        if typing.get_origin(tp) is tuple and args and args[-1] is not Ellipsis:
            wrong_size = kind in ("tuple_type", "too_short", "too_long") if end == len(loc) else kind == "missing"
            return (loc[:end], len(args)) if wrong_size else None
    return None


def _input(exc: ValidationError, loc: tuple[Any, ...]) -> Any:
    """The value given at ``loc`` (for a tuple item that is missing pydantic reports the whole tuple)."""
    for error in exc.errors():
        if tuple(error["loc"]) == loc:
            return error.get("input")
    return next(iter(exc.errors())).get("input")


def _is_section(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _path(prefix: str, loc: Iterable[Any]) -> str:
    """The dotted key of ``loc`` below ``prefix``: ``train.betas[1]``, ``server.tokens.ci``."""
    path = prefix
    for part in loc:
        path = f"{path}[{part}]" if isinstance(part, int) else _join(path, part)
    return path


def _join(prefix: str, name: Any) -> str:
    return f"{prefix}.{name}" if prefix else str(name)
