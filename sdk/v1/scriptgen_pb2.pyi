from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class GenerateScriptRequest(_message.Message):
    __slots__ = ("prompt", "tool", "files", "validate", "max_repairs")
    class FilesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    TOOL_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_FIELD_NUMBER: _ClassVar[int]
    MAX_REPAIRS_FIELD_NUMBER: _ClassVar[int]
    prompt: str
    tool: str
    files: _containers.ScalarMap[str, str]
    validate: bool
    max_repairs: int
    def __init__(self, prompt: _Optional[str] = ..., tool: _Optional[str] = ..., files: _Optional[_Mapping[str, str]] = ..., validate: _Optional[bool] = ..., max_repairs: _Optional[int] = ...) -> None: ...

class GenerateScriptResponse(_message.Message):
    __slots__ = ("script", "language", "valid", "validation_log", "attempts")
    SCRIPT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    VALID_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_LOG_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    script: str
    language: str
    valid: bool
    validation_log: str
    attempts: int
    def __init__(self, script: _Optional[str] = ..., language: _Optional[str] = ..., valid: _Optional[bool] = ..., validation_log: _Optional[str] = ..., attempts: _Optional[int] = ...) -> None: ...
