"""Domain errors carry neutral codes; only the wire ends (server, client) map them to grpc.StatusCode."""

from __future__ import annotations

import subprocess
import sys

import grpc
import pytest

from chipmate import errors
from chipmate.grpc_codes import error_from_rpc, status_of

ERROR_CLASSES = [
    cls for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.ChipmateError)
]


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_code_is_a_grpc_status_name(cls):
    assert status_of(cls("x")).name == cls.code


def test_trainer_errors_live_with_the_other_domain_errors():
    assert issubclass(errors.LossScaleUnderflowError, errors.TrainingError)
    assert errors.TrainingError("x").code == "FAILED_PRECONDITION"


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("INVALID_ARGUMENT", errors.InvalidInputError),
        ("NOT_FOUND", errors.TaskNotFoundError),
        ("RESOURCE_EXHAUSTED", errors.OverloadedError),
        ("UNAVAILABLE", errors.BackendUnavailableError),
        ("INTERNAL", errors.TaskFailedError),
        ("DATA_LOSS", errors.TaskFailedError),  # codes chipmate never sends still become an error, not a crash
    ],
)
def test_a_client_rebuilds_the_domain_error_of_a_status(code, cls):
    class Failed(grpc.RpcError):
        def code(self):
            return getattr(grpc.StatusCode, code)

        def details(self):
            return "what happened"

    error = error_from_rpc(Failed())
    assert type(error) is cls and error.code == code and str(error) == "what happened"


@pytest.mark.parametrize("module", ["chipmate.errors", "chipmate.trainer", "chipmate.trainer.precision", "chipmate"])
def test_the_domain_layer_does_not_import_grpc(module):
    code = f"import sys, {module}; print(sorted(m for m in sys.modules if m == 'grpc' or m.startswith('grpc.')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
