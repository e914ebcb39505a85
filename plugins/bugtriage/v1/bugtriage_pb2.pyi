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
    __slots__ = ("id", "title", "description", "comments", "logs", "reporter", "parts")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    COMMENTS_FIELD_NUMBER: _ClassVar[int]
    LOGS_FIELD_NUMBER: _ClassVar[int]
    REPORTER_FIELD_NUMBER: _ClassVar[int]
    PARTS_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    description: str
    comments: _containers.RepeatedCompositeFieldContainer[BugComment]
    logs: str
    reporter: str
    parts: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., comments: _Optional[_Iterable[_Union[BugComment, _Mapping]]] = ..., logs: _Optional[str] = ..., reporter: _Optional[str] = ..., parts: _Optional[_Iterable[str]] = ...) -> None: ...

class LabelScore(_message.Message):
    __slots__ = ("label", "score")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    label: str
    score: float
    def __init__(self, label: _Optional[str] = ..., score: _Optional[float] = ...) -> None: ...

class LabelPrediction(_message.Message):
    __slots__ = ("label", "confidence", "unsure", "source", "candidates")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    UNSURE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    label: str
    confidence: float
    unsure: bool
    source: str
    candidates: _containers.RepeatedCompositeFieldContainer[LabelScore]
    def __init__(self, label: _Optional[str] = ..., confidence: _Optional[float] = ..., unsure: _Optional[bool] = ..., source: _Optional[str] = ..., candidates: _Optional[_Iterable[_Union[LabelScore, _Mapping]]] = ...) -> None: ...

class OwnerSuggestion(_message.Message):
    __slots__ = ("name", "score", "supporting_bug_ids")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    SUPPORTING_BUG_IDS_FIELD_NUMBER: _ClassVar[int]
    name: str
    score: float
    supporting_bug_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., score: _Optional[float] = ..., supporting_bug_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DuplicateCandidate(_message.Message):
    __slots__ = ("id", "title", "score")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    score: float
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., score: _Optional[float] = ...) -> None: ...

class SeverityAssessment(_message.Message):
    __slots__ = ("level", "source", "reason", "confidence")
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    level: Severity
    source: str
    reason: str
    confidence: float
    def __init__(self, level: _Optional[_Union[Severity, str]] = ..., source: _Optional[str] = ..., reason: _Optional[str] = ..., confidence: _Optional[float] = ...) -> None: ...

class TriageBugResponse(_message.Message):
    __slots__ = ("technical_summary", "managerial_summary", "duplicates", "category", "component", "owners", "owners_unsure", "severity", "notes", "history_version")
    TECHNICAL_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    MANAGERIAL_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    DUPLICATES_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    COMPONENT_FIELD_NUMBER: _ClassVar[int]
    OWNERS_FIELD_NUMBER: _ClassVar[int]
    OWNERS_UNSURE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    HISTORY_VERSION_FIELD_NUMBER: _ClassVar[int]
    technical_summary: str
    managerial_summary: str
    duplicates: _containers.RepeatedCompositeFieldContainer[DuplicateCandidate]
    category: LabelPrediction
    component: LabelPrediction
    owners: _containers.RepeatedCompositeFieldContainer[OwnerSuggestion]
    owners_unsure: bool
    severity: SeverityAssessment
    notes: _containers.RepeatedScalarFieldContainer[str]
    history_version: int
    def __init__(self, technical_summary: _Optional[str] = ..., managerial_summary: _Optional[str] = ..., duplicates: _Optional[_Iterable[_Union[DuplicateCandidate, _Mapping]]] = ..., category: _Optional[_Union[LabelPrediction, _Mapping]] = ..., component: _Optional[_Union[LabelPrediction, _Mapping]] = ..., owners: _Optional[_Iterable[_Union[OwnerSuggestion, _Mapping]]] = ..., owners_unsure: _Optional[bool] = ..., severity: _Optional[_Union[SeverityAssessment, _Mapping]] = ..., notes: _Optional[_Iterable[str]] = ..., history_version: _Optional[int] = ...) -> None: ...
