from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StatsRequest(_message.Message):
    __slots__ = ("source",)
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    source: str
    def __init__(self, source: _Optional[str] = ...) -> None: ...

class ModuleStats(_message.Message):
    __slots__ = ("name", "ports", "instances")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PORTS_FIELD_NUMBER: _ClassVar[int]
    INSTANCES_FIELD_NUMBER: _ClassVar[int]
    name: str
    ports: int
    instances: int
    def __init__(self, name: _Optional[str] = ..., ports: _Optional[int] = ..., instances: _Optional[int] = ...) -> None: ...

class StatsResponse(_message.Message):
    __slots__ = ("modules", "count")
    MODULES_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    modules: _containers.RepeatedCompositeFieldContainer[ModuleStats]
    count: int
    def __init__(self, modules: _Optional[_Iterable[_Union[ModuleStats, _Mapping]]] = ..., count: _Optional[int] = ...) -> None: ...
