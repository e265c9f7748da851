"""The raw RingCentral REST calls, through the official `ringcentral` SDK.

Adapters (SMS, telephony) sit on top of this and speak in neutral types; this module knows
RingCentral: JWT login, token reuse (JWT logins count against the Auth group's 5/min), a
request timeout the SDK lacks, and how its errors map onto transient and rejected.
"""

from __future__ import annotations

import threading
from typing import Any

import requests
from ringcentral import SDK
from ringcentral.http import Client
from ringcentral.http.api_exception import ApiException

from integrations.errors import ProviderRejectedError, ProviderTransientError

PROVIDER = "ringcentral"
DEFAULT_TIMEOUT_SECONDS = 10.0


class _TimeoutClient(Client):  # type: ignore[misc]
    """The SDK sends without a timeout, so one stalled call would hold its thread forever."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def load_response(self, request: Any) -> Any:
        from ringcentral.http.api_response import ApiResponse

        with requests.Session() as session:
            return ApiResponse(request, session.send(request, timeout=self._timeout))


class RingCentralClient:
    """One logged-in RingCentral platform, shared by the adapters of one process."""

    def __init__(
        self,
        *,
        server_url: str,
        client_id: str,
        client_secret: str,
        jwt: str,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        sdk = SDK(client_id, client_secret, server_url, name="Teppan", version="0.1.0")
        self._platform = sdk.platform()
        self._http = _TimeoutClient(timeout)
        self._platform._client = self._http
        self._jwt = jwt
        # The SDK's token state is not thread-safe and activities run on a thread pool, so
        # logins and the signing of requests hold this lock; the calls themselves run in
        # parallel (one stalled call must not hold up every text and call of the worker).
        self._lock = threading.Lock()

    def request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        signed, token = self._signed(method, path, body, query)
        try:
            response = self._http.send(signed)
        except ApiException as error:
            if _status(error) != 401:
                raise _translate(error) from error
            # The token was revoked or the server restarted: log in again (unless another
            # call already did) and retry once.
            signed, _ = self._signed(method, path, body, query, stale_token=token)
            try:
                response = self._http.send(signed)
            except ApiException as second:
                raise _translate(second) from second
        if response.response().status_code == 204 or not response.body():
            return {}
        result: dict[str, Any] = response.json_dict()
        return result

    def _signed(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        query: dict[str, Any] | None,
        stale_token: str | None = None,
    ) -> tuple[Any, str]:
        """The request with its Authorization header, and the access token it carries."""
        if method not in ("GET", "POST", "DELETE"):
            raise ValueError(f"unsupported method {method}")
        with self._lock:
            if stale_token is not None and self._platform.auth().access_token() == stale_token:
                self._login()
            self._ensure_login()
            request = self._http.create_request(
                method,
                path,
                query_params=query,
                body=body if method == "POST" else None,
            )
            try:
                signed = self._platform.inflate_request(request)
            except ApiException as error:
                raise _translate(error) from error
            return signed, str(self._platform.auth().access_token())

    def _ensure_login(self) -> None:
        if not self._platform.auth().access_token_valid():
            self._login()

    def _login(self) -> None:
        try:
            if self._platform.auth().refresh_token_valid():
                try:
                    self._platform.refresh()
                    return
                except ApiException:
                    pass  # an expired or revoked refresh token: fall back to the JWT
            self._platform.login(jwt=self._jwt)
        except ApiException as error:
            raise _translate(error) from error


def _status(error: ApiException) -> int | None:
    response = error.api_response()
    raw = response.response() if response is not None else None
    return int(raw.status_code) if raw is not None else None


def _translate(error: ApiException) -> ProviderTransientError | ProviderRejectedError:
    response = error.api_response()
    raw = response.response() if response is not None else None
    message = str(error) or "request failed"
    if raw is None:
        cause = error.__cause__ or error.__context__
        detail = f"{type(cause).__name__}: {cause}" if cause else message
        return ProviderTransientError(PROVIDER, f"no response ({detail})")
    status = int(raw.status_code)
    if status == 429 or status >= 500 or status == 408:
        retry_after = raw.headers.get("Retry-After")
        return ProviderTransientError(
            PROVIDER,
            f"HTTP {status}: {message}",
            status=status,
            retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
        )
    return ProviderRejectedError(PROVIDER, f"HTTP {status}: {message}", status=status)
