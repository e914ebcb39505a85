"""Auth and TLS over a real in-process server on port 0: tokens, per-task permissions, reflection, TLS files."""

from __future__ import annotations

import shutil
import subprocess

import grpc
import pytest
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from chipmate.client import Client
from chipmate.config import ServerConfig, TokenConfig
from chipmate.errors import (
    BackendUnavailableError,
    PermissionDeniedError,
    ServerError,
    UnauthenticatedError,
)
from chipmate.server import ChipmateServer


def _auth_server(make_server, **kw):
    tokens = {
        "ci": TokenConfig(token="ci-secret", tasks=["*"]),
        "readonly": TokenConfig(token="ro-secret", tasks=["designqa.*"]),
    }
    return make_server(tokens=tokens, **kw)


def test_auth_missing_and_wrong_token_unauthenticated(make_server):
    server = _auth_server(make_server)
    target = f"127.0.0.1:{server.port}"
    with (
        Client(target, token="", timeout=10) as c,
        pytest.raises(UnauthenticatedError, match="requires a bearer"),
    ):
        c.call("echo", {"text": "x"})
    with Client(target, token="nope", timeout=10) as c:
        with pytest.raises(UnauthenticatedError, match="not valid"):
            c.call("echo", {"text": "x"})
        with pytest.raises(UnauthenticatedError):
            c.tasks()
        assert c.health() == "SERVING"  # health stays open for probes


def test_auth_permission_denied_per_task(make_server):
    server = _auth_server(make_server)
    target = f"127.0.0.1:{server.port}"
    with (
        Client(target, token="ro-secret", timeout=10) as c,
        pytest.raises(PermissionDeniedError, match="echo"),
    ):
        c.call("echo", {"text": "x"})
    with Client(target, token="ci-secret", timeout=10) as c:
        assert c.call("echo", {"text": "ok"})["text"] == "ok"
        assert [e.kind for e in c.stream("echo", {"text": "ok"})][-1] == "result"


def test_auth_applies_to_reflection(make_server):
    server = _auth_server(make_server)
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        with pytest.raises(grpc.RpcError) as info:
            list(stub.ServerReflectionInfo(iter([request]), timeout=5))
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
        responses = list(
            stub.ServerReflectionInfo(iter([request]), timeout=5, metadata=[("authorization", "Bearer ci-secret")])
        )
    names = {s.name for s in responses[0].list_services_response.service}
    assert "chipmate.v1.TaskService" in names


def test_token_from_environment(make_server, monkeypatch):
    monkeypatch.setenv("CHIPMATE_TOKEN", "env-secret")
    server = make_server()
    with Client(f"127.0.0.1:{server.port}", token="env-secret", timeout=10) as c:
        assert c.call("echo", {"text": "x"})["words"] == 1
    with Client(f"127.0.0.1:{server.port}", token="", timeout=10) as c, pytest.raises(UnauthenticatedError):
        c.call("echo", {"text": "x"})


def test_auth_off_is_refused_off_loopback(host, monkeypatch):
    monkeypatch.delenv("CHIPMATE_TOKEN", raising=False)
    with pytest.raises(ServerError, match="without authentication"):
        ChipmateServer(host, ServerConfig(host="0.0.0.0", port=0))


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    """A self-signed certificate for localhost, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return folder / "cert.pem", folder / "key.pem"


def test_tls(make_server, tls_files):
    cert, key = tls_files
    server = make_server(tls_cert_file=str(cert), tls_key_file=str(key))
    with Client(f"localhost:{server.port}", root_certificates=cert, timeout=10) as c:
        assert c.call("echo", {"text": "encrypted"})["text"] == "encrypted"
    with Client(f"localhost:{server.port}", timeout=3) as plain, pytest.raises(BackendUnavailableError):
        plain.call("echo", {"text": "plaintext"})


def test_tls_missing_files_fail_clearly(host, tmp_path):
    settings = ServerConfig(port=0, tls_cert_file=str(tmp_path / "no.pem"), tls_key_file=str(tmp_path / "no.key"))
    with pytest.raises(ServerError, match="cannot read TLS files"):
        ChipmateServer(host, settings).start()
