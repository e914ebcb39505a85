from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Severity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEVERITY_UNSPECIFIED: _ClassVar[Severity]
    SEVERITY_LOW: _ClassVar[Severity]
    SEVERITY_MEDIUM: _ClassVar[Severity]
    SEVERITY_HIGH: _ClassVar[Severity]
    SEVERITY_CRITICAL: _ClassVar[Severity]
SEVERITY_UNSPECIFIED: Severity
SEVERITY_LOW: Severity
SEVERITY_MEDIUM: Severity
SEVERITY_HIGH: Severity
SEVERITY_CRITICAL: Severity

class BugComment(_message.Message):
    __slots__ = ("author", "text")
    AUTHOR_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    author: str
    text: str
    def __init__(self, author: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class TriageBugRequest(_message.Message):
    __slots__ = ("id", "title", "description", "comments", "logs", "component")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    COMMENTS_FIELD_NUMBER: _ClassVar[int]
    LOGS_FIELD_NUMBER: _ClassVar[int]
    COMPONENT_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    description: str
    comments: _containers.RepeatedCompositeFieldContainer[BugComment]
    logs: str
    component: str
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., comments: _Optional[_Iterable[_Union[BugComment, _Mapping]]] = ..., logs: _Optional[str] = ..., component: _Optional[str] = ...) -> None: ...

class DuplicateCandidate(_message.Message):
    __slots__ = ("id", "title", "score")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    score: float
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., score: _Optional[float] = ...) -> None: ...

class TriageBugResponse(_message.Message):
    __slots__ = ("technical_summary", "managerial_summary", "suggested_owner", "suggested_component", "severity", "duplicates")
    TECHNICAL_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    MANAGERIAL_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    SUGGESTED_OWNER_FIELD_NUMBER: _ClassVar[int]
    SUGGESTED_COMPONENT_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    DUPLICATES_FIELD_NUMBER: _ClassVar[int]
    technical_summary: str
    managerial_summary: str
    suggested_owner: str
    suggested_component: str
    severity: Severity
    duplicates: _containers.RepeatedCompositeFieldContainer[DuplicateCandidate]
    def __init__(self, technical_summary: _Optional[str] = ..., managerial_summary: _Optional[str] = ..., suggested_owner: _Optional[str] = ..., suggested_component: _Optional[str] = ..., severity: _Optional[_Union[Severity, str]] = ..., duplicates: _Optional[_Iterable[_Union[DuplicateCandidate, _Mapping]]] = ...) -> None: ...
