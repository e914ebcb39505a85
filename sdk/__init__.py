"""chipmate: domain-adapted language models inside chip-design tools.

Plugin authors need ``hookimpl`` and ``Task``; tool scripts need ``Client``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import ChipmateError
from .hookspecs import hookimpl
from .tasks import Event, Task, TaskContext

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .client import Client


def __getattr__(name: str) -> Any:
    # The client pulls in grpc; keep `import chipmate` cheap for plugins that only need hookimpl.
    if name == "Client":
        from .client import Client

        return Client
    raise AttributeError(name)


__all__ = ["ChipmateError", "Client", "Event", "Task", "TaskContext", "__version__", "hookimpl"]
