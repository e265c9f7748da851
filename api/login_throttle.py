"""The failed-login limit per client address, as the panel's login form and the API's HTTP
Basic apply it (see `domain.accounts.throttle` for what it counts and its limits)."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from domain.accounts.throttle import LoginThrottle


def login_throttle(request: HTTPConnection) -> LoginThrottle:
    """The app's one throttle (`create_app` gives the panel and the API the same)."""
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


def client_address(request: HTTPConnection) -> str:
    # uvicorn puts the proxy's forwarded address here only when it trusts the proxy.
    return request.client.host if request.client is not None else "unknown"
