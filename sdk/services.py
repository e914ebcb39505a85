"""Typed gRPC services: what a plugin registers through ``chipmate_register_services``.

The core serves only the generic ``TaskService`` (every task, JSON in and out), health and reflection. A plugin
that wants a typed face for its tasks (``TimingService.Report(ReportRequest)``) registers a :class:`Service`: the
generated ``add_*Servicer_to_server`` function and a factory that builds the servicer around the server's
``CallRunner``. The servicer (a ``chipmate.server.typed.TypedServicer``) converts messages to the task's JSON and
back and runs the task through the same ``Host.run_task`` path as the generic service, so the two behave alike.

This module only describes and collects services; it does not import grpc. Plugins import their generated stubs
inside the hook, so ``import`` of a plugin stays cheap and a process that never serves never loads them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import PluginError
from .registration import check_registration

# Fully qualified proto service names: package segments and a CamelCase service name.
SERVICE_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\.[A-Z][A-Za-z0-9]*$")


@dataclass(frozen=True)
class Service:
    """A typed gRPC service a plugin adds to the server.

    ``name`` is the proto's full service name (``"mycompany.v1.TimingService"``), which health and reflection
    report. ``add_to_server(servicer, server)`` is the generated ``add_<Name>Servicer_to_server``.
    ``servicer(runner)`` builds the servicer instance from the server's call runner. ``requests`` maps each task
    the service fronts to its typed request message class, so a test can check that the message and the task's
    JSON input schema accept the same fields.
    """

    name: str
    add_to_server: Callable[[Any, Any], None]
    servicer: Callable[[Any], Any]
    requests: Mapping[str, type] = field(default_factory=dict)
    #: name of the plugin that registered it; filled in by the registry
    plugin: str = ""


class ServiceRegistry:
    """Typed services by full name."""

    def __init__(self) -> None:
        self._services: dict[str, Service] = {}

    def register(self, service: Service, plugin: str = "") -> None:
        """Add ``service``; ``plugin`` names who registered it."""
        check_registration(
            service, plugin, kind=Service, expected="a chipmate.services.Service",
            hint="call register(Service(name=..., add_to_server=..., servicer=...))",
            owners={name: s.plugin for name, s in self._services.items()}, noun="service", name=SERVICE_NAME,
            name_hint="use the proto's full service name, e.g. 'mycompany.v1.TimingService'",
        )  # fmt: skip
        if not callable(service.add_to_server) or not callable(service.servicer):
            raise PluginError(f"service {service.name!r} from plugin {plugin!r} needs callable add_to_server/servicer")
        self._services[service.name] = Service(**{**service.__dict__, "plugin": service.plugin or plugin})

    def __iter__(self) -> Iterator[Service]:
        return iter(service for _, service in sorted(self._services.items()))

    def __len__(self) -> int:
        return len(self._services)

    def names(self) -> list[str]:
        """The full names of the registered services, sorted."""
        return sorted(self._services)
