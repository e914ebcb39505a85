"""The hooks a chipmate plugin can implement. Specs only: loading lives in ``plugin_manager.py``.

Hooks are called by keyword; an implementation may accept any subset of a hook's arguments and must not give
them defaults. Register-style hooks hand the plugin a callback, so the host validates and de-duplicates in one
place. Every hook here is documented in docs/plugins.md with its exact signature (a test checks).
"""

from __future__ import annotations

from pluggy import HookimplMarker, HookspecMarker

hookspec = HookspecMarker("chipmate")
hookimpl = HookimplMarker("chipmate")


@hookspec
def chipmate_register_tasks(register):
    """Called once when the host first needs the task list. Call ``register(Task(...))`` for each task."""


@hookspec
def chipmate_register_models(register):
    """Called once when the host first needs a model. Call ``register(ModelBackend(...))`` for each backend kind.

    ``chipmate.models.ModelBackend(name, kind, load, description="", options={}, required=(), describe=None,
    local_path=None, pull=None)``: ``name`` is what ``backend:`` in the config's ``models`` section selects;
    ``kind`` is ``"generator"`` or ``"embedder"``; ``load(spec: ModelSpec)`` returns a ``Generator`` or
    ``Embedder`` and runs once per alias, on first use; ``options`` maps each accepted setting to a one-line
    description; ``local_path(spec)`` gives the directory of the model's files (the trainer trains from it).
    """


@hookspec
def chipmate_register_tools(register):
    """Called once when a task first needs an EDA tool. Call ``register(tool)`` with a ``chipmate.tools.Tool``."""


@hookspec
def chipmate_register_services(register):
    """Called once when a server is built. Call ``register(chipmate.services.Service(...))`` for each typed service.

    The server adds each service next to the generic TaskService and lists it in health and reflection. Import
    the generated gRPC stubs inside the implementation, so loading the plugin never loads grpc.
    """


@hookspec
def chipmate_register_training_data(register, host):
    """Called once when a recipe first needs training data. Call ``register(TrainingData(...))`` for each source.

    ``chipmate.training_data.TrainingData(name, kind, read, description="", options={}, trained=None)``: ``kind``
    is ``documents``, ``passages``, ``chat``, ``pairs`` or ``bugs`` (what the records are); ``read(**options)``
    returns the records. ``host`` is the host collecting them (its config, ``host.plugin_state``). Recipes read
    them through the host and never import the plugin.
    """


@hookspec
def chipmate_register_knowledge_bases(register, host):
    """Called when ``chipmate mcp`` starts. Call ``register(chipmate.resources.KnowledgeBaseSource(...))`` to let
    agents read the plugin's knowledge bases as MCP resources; import the heavy parts inside its functions."""


@hookspec
def chipmate_register_commands(cli):
    """Called when the CLI starts. Add click commands or groups to ``cli`` (a ``click.Group``)."""


@hookspec
def chipmate_startup(host):
    """Called once before the server reports SERVING. Warm caches or open connections; return nothing."""


@hookspec
def chipmate_shutdown(host):
    """Called once after the server stopped accepting calls. Release resources; return nothing."""


@hookspec
def chipmate_before_task(call):
    """Called before every task handler runs. Inspect or audit ``call``; raise a ChipmateError to refuse it."""


@hookspec
def chipmate_after_task(call, output, error):
    """Called after every task call, with its ``output`` dict or the ``error`` it raised. Return nothing."""
