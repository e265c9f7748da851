"""Every route of the app, read from its route table, with the role its dependencies demand.

The minimum role comes from the route's dependant tree: `current_user` (any active account,
i.e. staff) or one of the `require_role(minimum)` dependencies of the panel and the API, whose
`minimum` is read from the closure. A route with neither is public, and the walks check that
set against a short list, so a new route that forgot its role fails them.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount

from admin_ui import auth as panel_auth
from api import auth as api_auth
from domain.accounts.models import ROLE_RANK, Role

ADMIN_PREFIX = "/admin"
_ROLE_FACTORIES = (panel_auth.require_role, api_auth.require_role)
_PARAM = re.compile(r"{([a-z_]+)(?::[a-z]+)?}")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # as declared, with the mount prefix: /admin/customers/{customer_id}
    minimum: Role | None  # None: anyone may call it
    takes_form: bool  # its form goes through the CSRF check

    @property
    def panel(self) -> bool:
        return self.path == ADMIN_PREFIX or self.path.startswith(ADMIN_PREFIX + "/")

    @property
    def params(self) -> list[str]:
        return _PARAM.findall(self.path)

    def url(self, values: Mapping[str, object]) -> str:
        missing = [name for name in self.params if name not in values]
        assert not missing, f"{self.method} {self.path}: no seeded value for {missing}"
        return _PARAM.sub(lambda found: str(values[found.group(1)]), self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _role_of(call: object) -> Role | None:
    if call is panel_auth.current_user:
        return Role.STAFF
    for factory in _ROLE_FACTORIES:
        if (
            inspect.isfunction(call)
            and call.__module__ == factory.__module__
            and call.__qualname__ == f"{factory.__name__}.<locals>.dependency"
        ):
            minimum = inspect.getclosurevars(call).nonlocals["minimum"]
            assert isinstance(minimum, Role)
            return minimum
    return None


def _calls(dependant: Dependant) -> Iterator[object]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def minimum_role(dependant: Dependant) -> Role | None:
    roles = [role for call in _calls(dependant) if (role := _role_of(call)) is not None]
    return max(roles, key=ROLE_RANK.__getitem__, default=None)


def takes_form(dependant: Dependant) -> bool:
    return any(call is panel_auth.checked_form for call in _calls(dependant))


@dataclass(frozen=True)
class RouteTable:
    endpoints: list[Endpoint]
    others: list[str]  # routes that are not API routes (docs, static mounts), by path


def route_table(app: FastAPI, prefix: str = "") -> RouteTable:
    endpoints: list[Endpoint] = []
    others: list[str] = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount) and isinstance(route.app, FastAPI):
            inner = route_table(route.app, prefix + route.path)
            endpoints += inner.endpoints
            others += inner.others
        elif isinstance(route, APIRoute):
            dependant = context.dependant
            assert isinstance(dependant, Dependant)
            for method in sorted(context.methods or ()):
                endpoints.append(
                    Endpoint(
                        method=method,
                        path=prefix + str(context.path),
                        minimum=minimum_role(dependant),
                        takes_form=takes_form(dependant),
                    )
                )
        else:
            others.append(prefix + str(context.path))
    return RouteTable(endpoints, others)
