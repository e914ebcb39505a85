"""Shared fixtures: a Host, temporary plugins, and a real in-process server on port 0 with a client.

Tests use chipmate's ordinary settings, never a test mode: third-party plugins are off through the documented
allow-list (``CHIPMATE_LOAD_PLUGINS=""``), and servers the tests start do not build the default designqa knowledge
base (``tasks.designqa.build_default: false``) unless a test's own config asks for it.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chipmate import plugin_manager
from chipmate.client import Client
from chipmate.config import Config, ServerConfig
from chipmate.host import Host
from chipmate.server import ChipmateServer


def pytest_configure(config: pytest.Config) -> None:
    # Never load whatever third-party chipmate plugins happen to be installed; built-ins still load.
    # Subprocesses the tests start inherit it unless they set their own value.
    os.environ["CHIPMATE_LOAD_PLUGINS"] = ""
    # Nor the aliases the user's own `chipmate train --alias` recorded: tests see an empty alias store.
    os.environ["CHIPMATE_ALIAS_STORE"] = os.path.join(tempfile.mkdtemp(prefix="chipmate-tests-"), "aliases.json")


@pytest.fixture(autouse=True)
def _empty_alias_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each test starts from an empty alias store: one test's `--alias` must not leak into the next.
    monkeypatch.setenv("CHIPMATE_ALIAS_STORE", str(tmp_path_factory.mktemp("aliases") / "aliases.json"))


class Lockstep:
    """Keeps a producer (a model's decoding steps) at most ``ahead`` steps in front of its consumer, with a
    semaphore instead of sleeps: on a loaded machine either side may stall, and the producer still cannot run away.

    The producer calls :meth:`step` before each step; the consumer :meth:`took` after each item; :meth:`open` lets
    the producer run freely (to let it reach a cancellation or a closed stream).
    """

    def __init__(self, ahead: int = 2) -> None:
        self._permits = threading.Semaphore(ahead)

    def step(self) -> None:
        # The timeout only turns a bug in the test into a slow failure instead of a hang.
        self._permits.acquire(timeout=60)

    def took(self) -> None:
        self._permits.release()

    def open(self) -> None:
        self._permits.release(1_000_000)


@pytest.fixture
def lockstep() -> type[Lockstep]:
    """The :class:`Lockstep` class, for tests that pace a generator against its reader."""
    return Lockstep


@pytest.fixture
def eventually() -> Callable[..., bool]:
    """``eventually(predicate, timeout=30)``: poll until ``predicate()`` is true or the time is up; returns the last
    answer. For states with no event to wait on (a killed process disappearing), with a bound generous enough for
    a loaded machine instead of a fixed sleep."""

    def poll(predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    return poll


def quiet(config: Config) -> Config:
    """``config`` with the background build of the default knowledge base off (unless it says otherwise)."""
    designqa = config.tasks.setdefault("designqa", {})
    designqa.setdefault("build_default", False)
    return config


@pytest.fixture
def register_plugin() -> Iterator[Callable[..., Any]]:
    """Register plugin objects for one test; they are unregistered afterwards whatever happens."""
    registered: list[Any] = []

    def register(plugin: Any, name: str | None = None) -> Any:
        plugin_manager.register(plugin, name=name)
        registered.append(plugin)
        return plugin

    yield register
    for plugin in registered:
        if plugin_manager.pm.is_registered(plugin):
            plugin_manager.pm.unregister(plugin)


@pytest.fixture
def host() -> Host:
    """A fresh Host over the built-in plugins (plus any the test registered before using it)."""
    return Host(quiet(Config()))


@pytest.fixture
def make_server() -> Iterator[Callable[..., ChipmateServer]]:
    """Start real servers on 127.0.0.1:0; every one is stopped at teardown."""
    servers: list[ChipmateServer] = []

    def make(host: Host | None = None, **settings: Any) -> ChipmateServer:
        settings.setdefault("port", 0)
        settings.setdefault("grace_seconds", 0.5)
        host = host or Host(Config())
        quiet(host.config)
        server = ChipmateServer(host, ServerConfig(**settings))
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop(0)


@pytest.fixture
def server(make_server: Callable[..., ChipmateServer]) -> ChipmateServer:
    """A server over the built-in plugins, on a free port."""
    return make_server()


@pytest.fixture
def client(server: ChipmateServer) -> Iterator[Client]:
    """A client connected to ``server``."""
    with Client(f"127.0.0.1:{server.port}", timeout=30) as c:
        yield c
