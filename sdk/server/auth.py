"""Bearer-token authentication and per-task authorisation.

Tokens come from ``server.tokens`` in the config (each with the tasks it may call) and from ``$CHIPMATE_TOKEN``
(one token that may call every task). With no token configured, auth is off, which the server only allows
when it listens on a loopback address.
"""

from __future__ import annotations

import fnmatch
import hmac
import ipaddress
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import grpc

from ..config import ServerConfig
from ..errors import ConfigError, PermissionDeniedError, UnauthenticatedError
from .logs import audit, handler_like

# Health checks stay open so load balancers and `chipmate health` work without a secret.
OPEN_METHOD_PREFIXES = ("/grpc.health.v1.Health/",)


@dataclass(frozen=True)
class Principal:
    """Who a valid token belongs to, and what it may call."""

    name: str
    tasks: tuple[str, ...]

    def may_call(self, task: str) -> bool:
        """True when one of the token's task patterns matches ``task``."""
        return any(fnmatch.fnmatchcase(task, pattern) for pattern in self.tasks)


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class TokenAuth:
    """Checks the ``authorization: Bearer <token>`` metadata of each call."""

    def __init__(self, tokens: dict[str, Principal]) -> None:
        self._tokens = tokens

    @classmethod
    def from_config(cls, server: ServerConfig, environ: dict[str, str] | None = None) -> TokenAuth:
        """Collect the tokens of ``server.tokens`` and ``$CHIPMATE_TOKEN``."""
        env = os.environ if environ is None else environ
        tokens: dict[str, Principal] = {}
        for name, spec in server.tokens.items():
            secret = spec.token or env.get(spec.token_env or "")
            if not secret:
                raise ConfigError(
                    f"server.tokens.{name}: environment variable {spec.token_env} is not set",
                    hint=f"export {spec.token_env}=<secret> before `chipmate serve`",
                )
            tokens[secret] = Principal(name, tuple(spec.tasks))
        if env.get("CHIPMATE_TOKEN"):
            tokens[env["CHIPMATE_TOKEN"]] = Principal("CHIPMATE_TOKEN", ("*",))
        return cls(tokens)

    @property
    def enabled(self) -> bool:
        """False when no token is configured (auth off)."""
        return bool(self._tokens)

    def authenticate(self, metadata: Sequence[tuple[str, Any]]) -> Principal | None:
        """The principal of the call's bearer token; None when auth is off. Raises when the token is bad."""
        if not self._tokens:
            return None
        header = next((str(v) for k, v in metadata if k == "authorization"), "")
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret:
            raise UnauthenticatedError(
                "this server requires a bearer token",
                hint="pass --token or set CHIPMATE_TOKEN (metadata 'authorization: Bearer <token>')",
            )
        # Compare against every token so the time taken does not tell which prefix matched.
        found = None
        for known, principal in self._tokens.items():
            if hmac.compare_digest(known.encode(), secret.strip().encode()):
                found = principal
        if found is None:
            raise UnauthenticatedError("the bearer token is not valid", hint="check the token you pass")
        return found

    def authorize(self, metadata: Sequence[tuple[str, Any]], task: str) -> Principal | None:
        """Authenticate, then check that the principal may call ``task``."""
        principal = self.authenticate(metadata)
        if principal is not None and not principal.may_call(task):
            raise PermissionDeniedError(
                f"token {principal.name!r} may not call task {task!r}",
                hint="ask the server's operator to add the task to the token's `tasks` list",
            )
        return principal


class AuthInterceptor(grpc.ServerInterceptor):
    """Rejects calls without a valid token before any servicer runs (reflection included, health excepted)."""

    def __init__(self, auth: TokenAuth) -> None:
        self._auth = auth

    def intercept_service(self, continuation: Callable[[Any], Any], details: Any) -> Any:
        handler = continuation(details)
        if details.method.startswith(OPEN_METHOD_PREFIXES):
            return handler
        try:
            self._auth.authenticate(details.invocation_metadata)
        except UnauthenticatedError as exc:
            # An unknown method is refused like a known one: without a token a caller learns nothing, not even
            # which methods exist (UNIMPLEMENTED would tell).
            return _denying_handler(handler, str(exc), details.method)
        return handler


def _denying_handler(handler: Any, message: str, method: str) -> Any:
    def deny(request: Any, context: grpc.ServicerContext) -> Any:
        audit(method, "UNAUTHENTICATED", context.peer())
        context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

    if handler is None:  # no such method: read the request as raw bytes
        return grpc.unary_unary_rpc_method_handler(deny)
    return handler_like(handler, deny)
