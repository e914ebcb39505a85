"""The typed face of the plugin manager: one method per hook, so core code never calls ``pm.hook.*`` untyped.

The :class:`Host` also runs a task call end to end (:meth:`Host.run_task`): look the task up, validate the input
against its schema, call the request hooks and the handler, validate the output. Servicers and the CLI stay thin.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy

from . import plugin_manager, progress
from .config import Config
from .errors import ChipmateError, PluginError, TaskFailedError
from .services import ServiceRegistry
from .tasks import Task, TaskCall, TaskContext, TaskRegistry
from .tools import ToolRegistry
from .training_data import TrainingDataRegistry

if TYPE_CHECKING:
    from .models import ModelRegistry
    from .resources import KnowledgeBaseSource

T = TypeVar("T")


class Host:
    """Loaded plugins plus what they registered, for one configuration."""

    def __init__(self, config: Config | None = None, pm: pluggy.PluginManager | None = None) -> None:
        self.config = config or Config()
        self.pm = pm or plugin_manager.pm
        self._tasks: TaskRegistry | None = None
        self._tools: ToolRegistry | None = None
        self._models: ModelRegistry | None = None
        self._services: ServiceRegistry | None = None
        self._training_data: TrainingDataRegistry | None = None
        self._plugin_state: dict[str, Any] = {}
        self._lock = threading.RLock()
        # its own lock: a plugin's factory may take a while, and must not hold up the registries meanwhile
        self._state_lock = threading.RLock()
        if pm is None:
            plugin_manager.load_plugins()

    # -- registration hooks ---------------------------------------------------------------------------------

    def _call_register_hook(
        self, hook: pluggy.HookCaller, argname: str, add: Callable[..., None], extra: dict[str, Any] | None = None
    ) -> None:
        """Call each implementation with a ``register`` callback that knows which plugin is registering (and the
        hook's ``extra`` arguments).

        The implementations are called one by one (so each ``register`` knows its plugin), which bypasses pluggy's
        hook-call tracing; the same trace line is written here, so ``CHIPMATE_TRACE_PLUGINS=1`` shows these hooks too.
        """
        trace = self.pm.trace.root.get("hook")
        # pluggy calls implementations last-registered first; keep that order.
        for impl in reversed(hook.get_hookimpls()):
            trace(hook.name, {"plugin": impl.plugin_name})

            def register(item: Any, _plugin: str = impl.plugin_name) -> None:
                add(item, plugin=_plugin)

            kwargs = {argname: register, **(extra or {})}
            try:
                impl.function(**{name: kwargs[name] for name in impl.argnames})
            except ChipmateError:
                raise
            except Exception as exc:
                raise PluginError(
                    f"plugin {impl.plugin_name!r} failed in {hook.name}: {type(exc).__name__}: {exc}",
                    hint=f"fix the plugin or disable it with CHIPMATE_DISABLE_PLUGINS={impl.plugin_name}",
                ) from exc

    def _collect(
        self,
        attr: str,
        hook: pluggy.HookCaller,
        make: Callable[[], Any],
        finish: Callable[[Any], None] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Any:
        """The registry in ``self.<attr>``, built on first use: ``make()``, ``hook`` with its ``register``, then
        ``finish(registry)``. It is stored only when all of that succeeded, so a failure is raised again next time."""
        registry = getattr(self, attr)
        if registry is None:
            with self._lock:
                registry = getattr(self, attr)
                if registry is None:
                    registry = make()
                    self._call_register_hook(hook, "register", registry.register, extra)
                    if finish is not None:
                        finish(registry)
                    setattr(self, attr, registry)
        return registry

    @property
    def tasks(self) -> TaskRegistry:
        """Every task the loaded plugins registered, collected on first use."""
        return self._collect("_tasks", self.pm.hook.chipmate_register_tasks, TaskRegistry)  # type: ignore[no-any-return]  # _collect returns the registry make() built

    @property
    def tools(self) -> ToolRegistry:
        """Every EDA tool adapter the loaded plugins registered, collected on first use."""
        return self._collect("_tools", self.pm.hook.chipmate_register_tools, ToolRegistry)  # type: ignore[no-any-return]  # _collect returns the registry make() built

    @property
    def services(self) -> ServiceRegistry:
        """Every typed gRPC service the loaded plugins registered, collected on first use (by the server)."""
        return self._collect(  # type: ignore[no-any-return]  # _collect returns the registry make() built
            "_services", self.pm.hook.chipmate_register_services, ServiceRegistry
        )

    @property
    def training_data(self) -> TrainingDataRegistry:
        """Every source of training data the loaded plugins offer, collected on first use (by the recipes)."""
        return self._collect(  # type: ignore[no-any-return]  # _collect returns the registry make() built
            "_training_data", self.pm.hook.chipmate_register_training_data, TrainingDataRegistry, extra={"host": self}
        )

    def knowledge_bases(self) -> list[KnowledgeBaseSource]:
        """The knowledge bases plugins offer to agents (``chipmate mcp``'s resources), in plugin order."""
        from .resources import KnowledgeBaseSource

        found: list[KnowledgeBaseSource] = []

        def register(source: KnowledgeBaseSource) -> None:
            if not isinstance(source, KnowledgeBaseSource):
                raise PluginError(
                    f"chipmate_register_knowledge_bases registered {type(source).__name__}, not a KnowledgeBaseSource",
                    hint="register chipmate.resources.KnowledgeBaseSource(...) objects",
                )
            found.append(source)

        self.pm.hook.chipmate_register_knowledge_bases(register=register, host=self)
        return found

    @property
    def models(self) -> ModelRegistry:
        """Model aliases (plugins' and ``config.models``) over the backend kinds plugins registered, built on
        first use. Models themselves load later, on the first ``models.generator(alias)`` / ``embedder(alias)``.
        """
        from .models import ModelRegistry

        def make() -> ModelRegistry:
            return ModelRegistry(
                cache_dir=self.config.cache_path(),
                source=self.config.source,
                queue_limit=self.config.server.model_queue,
            )

        return self._collect(  # type: ignore[no-any-return]  # _collect returns the registry make() built
            "_models", self.pm.hook.chipmate_register_models, make, lambda r: r.configure(self.config.models)
        )

    def plugin_state(self, name: str, factory: Callable[[Host], T]) -> T:
        """The state plugin ``name`` keeps for this host (its service, caches), made by ``factory(host)`` on first
        use, once even when calls race, and living as long as the host: a plugin keeps no module-level table of
        hosts. A factory that raises makes nothing, so the next call tries again (and reports the error again).
        """
        state = self._plugin_state.get(name)
        if state is None:
            with self._state_lock:
                state = self._plugin_state.get(name)
                if state is None:
                    state = factory(self)
                    self._plugin_state[name] = state
        return state  # type: ignore[no-any-return]  # factory(self) built it; the dict holds every plugin's

    def register_commands(self, cli: Any) -> None:
        """Let plugins add their click commands to ``cli``."""
        self.pm.hook.chipmate_register_commands(cli=cli)

    # -- lifecycle and request hooks -------------------------------------------------------------------------

    def startup(self) -> None:
        """Run every plugin's startup hook (before the server reports SERVING)."""
        self.pm.hook.chipmate_startup(host=self)

    def shutdown(self) -> None:
        """Run every plugin's shutdown hook (after the server stopped accepting calls)."""
        self.pm.hook.chipmate_shutdown(host=self)
        if self._models is not None:
            self._models.close()

    def before_task(self, call: TaskCall) -> None:
        """Run the before-task hooks; one of them raising a ChipmateError refuses the call."""
        hook = self.pm.hook.chipmate_before_task
        if hook.get_hookimpls():  # these run on every call: skip pluggy's dispatch when nobody listens
            hook(call=call)

    def after_task(self, call: TaskCall, output: dict[str, Any] | None, error: BaseException | None) -> None:
        """Run the after-task hooks with the call's output or error."""
        hook = self.pm.hook.chipmate_after_task
        if hook.get_hookimpls():
            hook(call=call, output=output, error=error)

    # -- running a task --------------------------------------------------------------------------------------

    def run_task(self, name: str, input: Any, ctx: TaskContext, *, peer: str | None = None) -> dict[str, Any]:
        """Run task ``name`` on ``input`` and return its validated output.

        Domain errors pass through unchanged; anything else a handler raises becomes TaskFailedError, so a
        plugin bug is reported as such and never takes the caller down.
        """
        tasks = self.tasks
        task: Task = tasks.get(name)
        tasks.validate_input(name, input)
        call = TaskCall(task=name, input=input, request_id=ctx.request_id, principal=ctx.principal, peer=peer)
        output: dict[str, Any] | None = None
        error: BaseException | None = None
        try:
            self.before_task(call)
            ctx.check()
            try:
                # One-time work the handler waits for reports to this call, and the model queue honours its deadline.
                with progress.waiting_call(ctx):
                    output = task.handler(input, ctx)
            except ChipmateError:
                raise
            except Exception as exc:
                raise TaskFailedError(
                    f"task {name!r} failed: {type(exc).__name__}: {exc}",
                    hint=f"this is a bug in plugin {task.plugin!r}; the server log has the traceback",
                ) from exc
            tasks.validate_output(name, output)
            return output
        except BaseException as exc:
            error = exc
            raise
        finally:
            self.after_task(call, output if error is None else None, error)
