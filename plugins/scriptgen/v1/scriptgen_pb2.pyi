from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ScriptFile(_message.Message):
    __slots__ = ("name", "content", "path")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    name: str
    content: str
    path: str
    def __init__(self, name: _Optional[str] = ..., content: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...

class GenerateScriptRequest(_message.Message):
    __slots__ = ("instruction", "tool", "files", "validate", "max_repairs", "model")
    INSTRUCTION_FIELD_NUMBER: _ClassVar[int]
    TOOL_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_FIELD_NUMBER: _ClassVar[int]
    MAX_REPAIRS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    instruction: str
    tool: str
    files: _containers.RepeatedCompositeFieldContainer[ScriptFile]
    validate: bool
    max_repairs: int
    model: str
    def __init__(self, instruction: _Optional[str] = ..., tool: _Optional[str] = ..., files: _Optional[_Iterable[_Union[ScriptFile, _Mapping]]] = ..., validate: _Optional[bool] = ..., max_repairs: _Optional[int] = ..., model: _Optional[str] = ...) -> None: ...

class ScriptExample(_message.Message):
    __slots__ = ("id", "instruction", "score")
    ID_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTION_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    id: str
    instruction: str
    score: float
    def __init__(self, id: _Optional[str] = ..., instruction: _Optional[str] = ..., score: _Optional[float] = ...) -> None: ...

class GenerateScriptResponse(_message.Message):
    __slots__ = ("script", "tool", "passed", "validated", "rounds", "log", "examples", "problems", "notes", "confinement", "requirements")
    SCRIPT_FIELD_NUMBER: _ClassVar[int]
    TOOL_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    VALIDATED_FIELD_NUMBER: _ClassVar[int]
    ROUNDS_FIELD_NUMBER: _ClassVar[int]
    LOG_FIELD_NUMBER: _ClassVar[int]
    EXAMPLES_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    CONFINEMENT_FIELD_NUMBER: _ClassVar[int]
    REQUIREMENTS_FIELD_NUMBER: _ClassVar[int]
    script: str
    tool: str
    passed: bool
    validated: bool
    rounds: int
    log: str
    examples: _containers.RepeatedCompositeFieldContainer[ScriptExample]
    problems: _containers.RepeatedScalarFieldContainer[str]
    notes: _containers.RepeatedScalarFieldContainer[str]
    confinement: str
    requirements: _containers.RepeatedCompositeFieldContainer[ScriptRequirement]
    def __init__(self, script: _Optional[str] = ..., tool: _Optional[str] = ..., passed: _Optional[bool] = ..., validated: _Optional[bool] = ..., rounds: _Optional[int] = ..., log: _Optional[str] = ..., examples: _Optional[_Iterable[_Union[ScriptExample, _Mapping]]] = ..., problems: _Optional[_Iterable[str]] = ..., notes: _Optional[_Iterable[str]] = ..., confinement: _Optional[str] = ..., requirements: _Optional[_Iterable[_Union[ScriptRequirement, _Mapping]]] = ...) -> None: ...

class ScriptRequirement(_message.Message):
    __slots__ = ("requirement", "held", "detail")
    REQUIREMENT_FIELD_NUMBER: _ClassVar[int]
    HELD_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    requirement: str
    held: bool
    detail: str
    def __init__(self, requirement: _Optional[str] = ..., held: _Optional[bool] = ..., detail: _Optional[str] = ...) -> None: ...

class ScriptGenProgress(_message.Message):
    __slots__ = ("stage", "message", "fraction")
    STAGE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FRACTION_FIELD_NUMBER: _ClassVar[int]
    stage: str
    message: str
    fraction: float
    def __init__(self, stage: _Optional[str] = ..., message: _Optional[str] = ..., fraction: _Optional[float] = ...) -> None: ...

class GenerateScriptStreamResponse(_message.Message):
    __slots__ = ("progress", "result")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    progress: ScriptGenProgress
    result: GenerateScriptResponse
    def __init__(self, progress: _Optional[_Union[ScriptGenProgress, _Mapping]] = ..., result: _Optional[_Union[GenerateScriptResponse, _Mapping]] = ...) -> None: ...
