"""Typed gRPC services owned by plugins (``chipmate_register_services``): served, reflected, health-checked,
absent when their plugin is not loaded, and in step with their task's JSON schema."""

from __future__ import annotations

import sys
from pathlib import Path

import grpc
import pluggy
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from chipmate import hookimpl, hookspecs
from chipmate.config import Config
from chipmate.errors import PluginError
from chipmate.host import Host
from chipmate.plugins import echo
from chipmate.services import Service

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "chipmate-example-plugin"
SOURCE = "module top(input a, output y);\n  inv u0(.a(a), .y(y));\nendmodule\n"


@pytest.fixture
def example_plugin(register_plugin, monkeypatch):
    """The example third-party plugin (task verilog.stats + its typed VerilogStatsService), registered in-process."""
    monkeypatch.syspath_prepend(str(EXAMPLE))
    import chipmate_verilog_stats

    return register_plugin(chipmate_verilog_stats, name="verilog_stats")


def reflected_services(port: int) -> set[str]:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        (response,) = list(stub.ServerReflectionInfo(iter([request]), timeout=10))
    return {s.name for s in response.list_services_response.service}


def test_hook_chipmate_register_services(example_plugin, make_server):
    from chipmate_verilog_stats.v1 import stats_pb2, stats_pb2_grpc

    server = make_server()
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = stats_pb2_grpc.VerilogStatsServiceStub(channel)
        response = stub.Stats(stats_pb2.StatsRequest(source=SOURCE), timeout=10)
        assert [(m.name, m.ports, m.instances) for m in response.modules] == [("top", 2, 1)]
        assert response.count == 1
        # Errors go through the same path as the generic service: the task's own InvalidInputError.
        with pytest.raises(grpc.RpcError) as info:
            stub.Stats(stats_pb2.StatsRequest(source="module broken("), timeout=10)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        health = health_pb2_grpc.HealthStub(channel)
        status = health.Check(health_pb2.HealthCheckRequest(service="verilogstats.v1.VerilogStatsService"))
        assert status.status == health_pb2.HealthCheckResponse.SERVING
    assert "verilogstats.v1.VerilogStatsService" in reflected_services(server.port)


def test_service_of_an_unloaded_plugin_is_absent(make_server):
    pm = pluggy.PluginManager("chipmate")
    pm.add_hookspecs(hookspecs)
    pm.register(echo, name="echo")  # designqa (and its DesignQAService) not loaded
    server = make_server(Host(Config(), pm=pm))
    assert reflected_services(server.port) == {
        "chipmate.v1.TaskService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
    }
    from chipmate.plugins.designqa.v1 import designqa_pb2, designqa_pb2_grpc

    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel, pytest.raises(grpc.RpcError) as info:
        designqa_pb2_grpc.DesignQAServiceStub(channel).Ask(designqa_pb2.AskRequest(question="x"), timeout=10)
    assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_builtin_services_are_served_by_their_plugins(server):
    builtin = {
        "chipmate.v1.BugTriageService": "bugtriage",
        "chipmate.v1.DesignQAService": "designqa",
        "chipmate.v1.ScriptGenService": "scriptgen",
    }
    assert set(builtin) <= reflected_services(server.port)
    assert server.host.services.names() == sorted(builtin)
    assert {service.name: service.plugin for service in server.host.services} == builtin


def _fields(message_cls: type) -> set[str]:
    return {field.name for field in message_cls.DESCRIPTOR.fields}


def test_typed_requests_and_task_schemas_accept_the_same_fields(example_plugin):
    host = Host(Config())
    checked = 0
    for service in host.services:
        for task_name, request_cls in service.requests.items():
            schema = host.tasks.get(task_name).input_schema
            properties = set(schema.get("properties", {}))
            assert _fields(request_cls) == properties, (service.name, task_name)
            assert set(schema.get("required", ())) <= properties
            # The typed service sends every field; a schema that forbids unknown keys must not forbid these.
            assert schema.get("additionalProperties", True) in (True, False)
            checked += 1
    assert checked >= 3  # designqa.ask, scriptgen.generate and verilog.stats at least


def test_a_failing_servicer_factory_fails_the_start_naming_the_plugin(register_plugin, make_server):
    def broken(runner):
        raise RuntimeError("no stub")

    class Plugin:
        @hookimpl
        def chipmate_register_services(self, register):
            register(Service("broken.v1.BrokenService", lambda servicer, server: None, broken))

    register_plugin(Plugin(), name="broken-services")
    with pytest.raises(PluginError, match="broken-services"):
        make_server()


@pytest.mark.parametrize(
    ("item", "fragment"),
    [
        ("not a service", "not a chipmate.services.Service"),
        (Service("lowercase", print, print), "full service name"),
        (Service("x.v1.DesignQAService", "not callable", print), "callable"),
    ],
)
def test_invalid_service_registrations_fail_at_collection(register_plugin, item, fragment):
    class Plugin:
        @hookimpl
        def chipmate_register_services(self, register):
            register(item)

    register_plugin(Plugin(), name="bad-services")
    with pytest.raises(PluginError, match=fragment):
        Host(Config()).services  # noqa: B018 - the property collects


def test_two_plugins_registering_one_service_name(register_plugin):
    class Plugin:
        @hookimpl
        def chipmate_register_services(self, register):
            register(Service("chipmate.v1.DesignQAService", print, print))

    register_plugin(Plugin(), name="impostor")
    with pytest.raises(PluginError, match="both"):
        Host(Config()).services  # noqa: B018 - the property collects


def test_plugins_never_import_grpc_to_register(tmp_path):
    # Loading every built-in plugin and collecting tasks and models must not pull in grpc; only a server does.
    import subprocess

    code = (
        "import sys; from chipmate.host import Host; h = Host(); h.tasks; h.models; "
        "print(sorted(m for m in sys.modules if m == 'grpc' or m.startswith('grpc.')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
