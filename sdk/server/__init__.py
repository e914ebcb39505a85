"""The chipmate gRPC server: the generic TaskService, plugins' typed services, health, reflection, auth, limits,
graceful shutdown.

server = ChipmateServer(host, config.server)
port = server.start()        # binds, runs startup hooks, reports SERVING
server.wait_for_termination()
server.stop()                # NOT_SERVING, drains in-flight calls for grace_seconds, shutdown hooks
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from ..config import Config, ServerConfig
from ..errors import ChipmateError, PluginError, ServerError
from ..host import Host
from ..v1 import tasks_pb2, tasks_pb2_grpc
from .auth import AuthInterceptor, TokenAuth, is_loopback
from .logs import AuditInterceptor
from .runner import CallRunner
from .servicers import TaskServicer
from .wire import GuardedRegistration

log = logging.getLogger("chipmate.server")

TASK_SERVICE = tasks_pb2.DESCRIPTOR.services_by_name["TaskService"].full_name
# Threads beyond the task limit, so health checks and ListTasks are answered while every task slot is busy.
SPARE_THREADS = 4
# gRPC's own cap on calls in flight, as a multiple of the threads: above the task limit, so that chipmate's limit
# (with its message and retry hint) is the one a task call meets, and with room for calls whose response is on
# its way while their client already sent the next (gRPC counts a call until it has fully ended).
GRPC_LIMIT_FACTOR = 2


class ChipmateServer:
    """One gRPC server bound to one address, serving the tasks of one Host."""

    def __init__(self, host: Host, settings: ServerConfig | None = None) -> None:
        self.host = host
        self.settings = settings or host.config.server
        self.auth = TokenAuth.from_config(self.settings)
        if not self.auth.enabled and not is_loopback(self.settings.host):
            raise ServerError(
                f"refusing to listen on {self.settings.host} without authentication",
                hint="configure server.tokens or set CHIPMATE_TOKEN, or bind to 127.0.0.1",
            )
        # The generic service plus every typed service a loaded plugin registered (absent when its plugin is not).
        self.service_names = (TASK_SERVICE, *host.services.names())
        self.health = health.HealthServicer(experimental_non_blocking=True)
        self._set_health(health_pb2.HealthCheckResponse.NOT_SERVING)
        self.port: int | None = None
        self._server: grpc.Server | None = None
        self._stopping = threading.Event()
        self._stopped = threading.Event()

    def _set_health(self, status: int) -> None:
        for name in ("", *self.service_names):
            self.health.set(name, status)

    def _build(self) -> grpc.Server:
        s = self.settings
        workers = s.max_concurrent_requests + SPARE_THREADS
        options = [
            # A second server on the same port must fail, not silently share the traffic.
            ("grpc.so_reuseport", 0),
            ("grpc.max_receive_message_length", s.max_message_bytes),
            ("grpc.max_send_message_length", s.max_message_bytes),
        ]
        server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chipmate-rpc"),
            # Auth first: a call it refuses gets its UNAUTHENTICATED audit line there, not a second one here.
            interceptors=[*([AuthInterceptor(self.auth)] if self.auth.enabled else []), AuditInterceptor()],
            options=options,
            # Bounds the queue in front of the thread pool; beyond it gRPC answers RESOURCE_EXHAUSTED itself.
            maximum_concurrent_rpcs=workers * GRPC_LIMIT_FACTOR,
        )
        runner = CallRunner(self.host, self.auth, s.max_concurrent_requests, log_inputs=s.log_inputs)
        # Generated add_* functions register through this, so an undecodable request is INVALID_ARGUMENT.
        registration: Any = GuardedRegistration(server)
        tasks_pb2_grpc.add_TaskServiceServicer_to_server(TaskServicer(runner), registration)
        for service in self.host.services:
            try:
                service.add_to_server(service.servicer(runner), registration)
            except Exception as exc:
                raise PluginError(
                    f"plugin {service.plugin!r} failed to add service {service.name}: {type(exc).__name__}: {exc}",
                    hint=f"fix the plugin or disable it with CHIPMATE_DISABLE_PLUGINS={service.plugin}",
                ) from exc
        health_pb2_grpc.add_HealthServicer_to_server(self.health, registration)
        reflection.enable_server_reflection((*self.service_names, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
        return server

    def _bind(self, server: grpc.Server) -> int:
        s = self.settings
        address = f"[{s.host}]:{s.port}" if ":" in s.host else f"{s.host}:{s.port}"
        try:
            if s.tls_cert_file:
                credentials = grpc.ssl_server_credentials(
                    [(Path(s.tls_key_file or "").read_bytes(), Path(s.tls_cert_file).read_bytes())]
                )
                port = server.add_secure_port(address, credentials)
            else:
                port = server.add_insecure_port(address)
        except OSError as exc:
            raise ServerError(f"cannot read TLS files: {exc}", hint="check server.tls_cert_file/key_file") from exc
        except RuntimeError as exc:
            raise ServerError(
                f"cannot listen on {address}: the address is in use or not available ({exc})",
                hint="stop the other server or choose another --port",
            ) from exc
        if port == 0:
            raise ServerError(f"cannot listen on {address}", hint="stop the other server or choose another --port")
        return port

    def start(self) -> int:
        """Bind, start, run the startup hooks, then report SERVING. Returns the bound port."""
        self._server = self._build()
        self.port = self._bind(self._server)
        self._server.start()
        try:
            self.host.startup()
            # Collect the tasks now so a broken plugin fails the start, not the first call.
            tasks = self.host.tasks
            # The model queue is the server's policy: its settings win over the host's config (the same file in
            # `chipmate serve`, but a server may be given settings of its own).
            self.host.models.queue.limit = self.settings.model_queue
            for alias in self.settings.preload_models:  # an unknown alias fails the start, not a later call
                self.host.models.spec(alias)
        except BaseException:
            self._server.stop(0)
            raise
        self._set_health(health_pb2.HealthCheckResponse.SERVING)
        if self.settings.preload_models:
            threading.Thread(target=self._preload, name="chipmate-preload", daemon=True).start()
        log.info(
            "serving",
            extra={
                "address": f"{self.settings.host}:{self.port}",
                "tasks": [t.name for t in tasks],
                "auth": self.auth.enabled,
                "tls": bool(self.settings.tls_cert_file),
            },
        )
        return self.port

    def _preload(self) -> None:
        """Load ``preload_models`` one after the other; a failure is logged, never fatal (calls will report it)."""
        for alias in self.settings.preload_models:
            if self._stopping.is_set():
                return
            started = time.perf_counter()
            try:
                self.host.models.load(alias)
            except Exception as exc:
                log.warning("preload failed", extra={"model": alias, "error": str(exc)})
            else:
                log.info("preloaded", extra={"model": alias, "seconds": round(time.perf_counter() - started, 2)})

    def stop(self, grace: float | None = None) -> None:
        """Report NOT_SERVING, let in-flight calls finish for ``grace`` seconds, then run the shutdown hooks."""
        if self._server is None:
            return
        if self._stopping.is_set():  # a second signal or caller: wait for the first stop to finish
            self._stopped.wait()
            return
        self._stopping.set()
        self._set_health(health_pb2.HealthCheckResponse.NOT_SERVING)
        grace = self.settings.grace_seconds if grace is None else grace
        log.info("stopping", extra={"grace_seconds": grace})
        self._server.stop(grace).wait()
        try:
            self.host.shutdown()
        finally:
            self._stopped.set()
            log.info("stopped")

    def wait_for_termination(self, timeout: float | None = None) -> bool:
        """Block until :meth:`stop` has finished (or ``timeout``); True when it has."""
        return self._stopped.wait(timeout)


def serve(config: Config, host: Host | None = None, ready: Any = None) -> None:
    """Run a server in the foreground until SIGTERM or SIGINT, then shut it down gracefully."""
    host = host or Host(config)
    server = ChipmateServer(host, config.server)

    def on_signal(signum: int, frame: Any) -> None:
        log.info("signal", extra={"signal": signal.Signals(signum).name})
        threading.Thread(target=server.stop, name="chipmate-stop", daemon=True).start()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        port = server.start()
        if ready is not None:
            ready(port)
        server.wait_for_termination()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


__all__ = ["ChipmateError", "ChipmateServer", "serve"]
