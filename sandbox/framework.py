"""What every provider emulator shares: fault injection and a way to serve it on loopback.

An emulator is a FastAPI app that speaks one provider's wire format and keeps state in memory.
Tests and the admin panel ask it for faults over `/sandbox/faults`, so the same emulator serves
the demo, the workflow tests and the failure tests.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import socket
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

import uvicorn
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

FaultKind = Literal["rate_limit", "server_error", "delay"]

ErrorBody = Callable[[int, str], dict[str, object]]


class FaultRequest(BaseModel):
    """Fail the next `count` requests whose path starts with `path_prefix` (and method).

    With `rate` set, the fault stays armed until cleared and hits each matching request with
    that probability instead, as one of the `mix` kinds (`kind` is then only the default mix);
    `seed` makes the draws reproducible.
    """

    path_prefix: str = Field(min_length=1)
    kind: FaultKind = "server_error"
    method: str | None = None
    count: int = Field(default=1, ge=1, le=1000)
    retry_after_seconds: int = Field(default=1, ge=0, le=3600)
    delay_seconds: float = Field(default=5.0, ge=0, le=120)
    rate: float | None = Field(default=None, gt=0, le=1)
    mix: list[FaultKind] = Field(default_factory=list)
    seed: int | None = None


@dataclass(frozen=True)
class SeenRequest:
    """One request the emulator answered, and the fault it got (None when served normally)."""

    at: float
    method: str
    path: str
    fault: FaultKind | None
    # Tells a retry of this request (same body) from another caller's request to the same path.
    body_digest: str = ""


@dataclass
class _Fault:
    request: FaultRequest
    remaining: int
    draws: random.Random = field(default_factory=random.Random)

    def strike(self) -> FaultRequest | None:
        """The fault this request gets, or None when a random-rate fault spares it."""
        wanted = self.request
        if wanted.rate is None:
            self.remaining -= 1
            return wanted
        if self.draws.random() >= wanted.rate:
            return None
        kind = self.draws.choice(wanted.mix or [wanted.kind])
        return wanted.model_copy(update={"kind": kind})


@dataclass
class FaultInjector:
    """Faults waiting for matching requests; thread-safe because tests arm them from outside."""

    _faults: list[_Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    triggered: int = 0
    # Every request outside /sandbox/, so failure tests can check what retries did and when.
    seen: deque[SeenRequest] = field(default_factory=lambda: deque(maxlen=10_000))

    def arm(self, fault: FaultRequest) -> None:
        with self._lock:
            self._faults.append(_Fault(fault, fault.count, random.Random(fault.seed)))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self.seen.clear()

    def take(self, method: str, path: str, body: bytes = b"") -> FaultRequest | None:
        digest = hashlib.sha256(body).hexdigest()[:16]
        with self._lock:
            hit = self._strike(method, path)
            kind = hit.kind if hit else None
            self.seen.append(SeenRequest(time.monotonic(), method, path, kind, digest))
            return hit

    def _strike(self, method: str, path: str) -> FaultRequest | None:
        for fault in self._faults:
            wanted = fault.request
            if not path.startswith(wanted.path_prefix):
                continue
            if wanted.method and wanted.method.upper() != method.upper():
                continue
            hit = fault.strike()
            if fault.remaining <= 0:
                self._faults.remove(fault)
            if hit is None:
                return None
            self.triggered += 1
            return hit
        return None


def install_faults(app: FastAPI, injector: FaultInjector, error_body: ErrorBody) -> None:
    """Adds `/sandbox/faults` and the middleware that applies armed faults.

    A `delay` fault does the work and then stalls the answer: the provider acted but the caller
    may have given up, which is exactly the unknown outcome idempotency must survive.
    """
    router = APIRouter(prefix="/sandbox/faults", tags=["sandbox"])

    @router.post("", status_code=201)
    def arm(fault: FaultRequest) -> dict[str, str]:
        injector.arm(fault)
        return {"armed": fault.kind}

    @router.delete("", status_code=204)
    def clear() -> Response:
        injector.clear()
        return Response(status_code=204)

    app.include_router(router)

    @app.middleware("http")
    async def apply_faults(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.url.path.startswith("/sandbox/"):
            return await call_next(request)
        body = request.url.query.encode() + await request.body()
        fault = injector.take(request.method, request.url.path, body)
        if fault is None:
            return await call_next(request)
        if fault.kind == "rate_limit":
            return JSONResponse(
                error_body(429, "Request rate exceeded"),
                status_code=429,
                headers={"Retry-After": str(fault.retry_after_seconds)},
            )
        if fault.kind == "server_error":
            return JSONResponse(error_body(500, "Internal server error"), status_code=500)
        response = await call_next(request)
        await asyncio.sleep(fault.delay_seconds)
        return response


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class BackgroundServer:
    """Serves an ASGI app with uvicorn in a daemon thread (tests, benchmarks, `teppan sandbox`)."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.app = app
        self.host = host
        self.port = port or free_port(host)
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 15) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"server on {self.url} did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
