"""Driving distance through Google's Routes API (`computeRouteMatrix`, the successor of the
Distance Matrix API), over httpx: the `googlemaps` package does not implement it.

Routes has no geocoder, so addresses are geocoded with the Geocoding API through `googlemaps`.
Routes answers in proto3 JSON: fields at their default value are left out (`originIndex` 0,
`status` `{}` when OK, `distanceMeters` 0), and a field left out of `X-Goog-FieldMask` never
comes back, so `status` and `condition` are always asked for.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from integrations.errors import ProviderRejectedError, ProviderTransientError
from integrations.maps import google_common
from integrations.maps.base import DrivingDistance, GeocodedAddress, RouteNotFoundError
from integrations.maps.google_common import PROVIDER

DEFAULT_ROUTES_BASE_URL = "https://routes.googleapis.com"
ROUTE_MATRIX_PATH = "/distanceMatrix/v2:computeRouteMatrix"
FIELD_MASK = "originIndex,destinationIndex,status,condition,distanceMeters,duration"

# google.rpc.Code values an element may carry: worth retrying, or "no such place".
_TRANSIENT_CODES = frozenset({4, 8, 10, 13, 14})  # DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ...
_NOT_FOUND_CODE = 5
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)s$")


class GoogleRoutesMaps:
    source = google_common.SOURCE

    def __init__(
        self,
        api_key: str,
        routes_base_url: str | None,
        geocode_base_url: str | None,
        timeout: float,
    ) -> None:
        self._geocoder = google_common.make_client(api_key, geocode_base_url, timeout)
        self._http = httpx.Client(
            base_url=(routes_base_url or DEFAULT_ROUTES_BASE_URL).rstrip("/"),
            timeout=timeout,
            headers={"X-Goog-Api-Key": api_key, "X-Goog-FieldMask": FIELD_MASK},
        )

    def geocode(self, address: str) -> GeocodedAddress:
        return google_common.geocode(self._geocoder, address)

    def drive(self, origin: GeocodedAddress, destination: GeocodedAddress) -> DrivingDistance:
        body = {
            "origins": [{"waypoint": _waypoint(origin)}],
            "destinations": [{"waypoint": _waypoint(destination)}],
            "travelMode": "DRIVE",
            "routingPreference": "TRAFFIC_UNAWARE",
        }
        try:
            response = self._http.post(ROUTE_MATRIX_PATH, json=body)
        except httpx.TimeoutException as error:
            raise ProviderTransientError(PROVIDER, f"no answer in time ({error!r})") from error
        except httpx.TransportError as error:
            raise ProviderTransientError(PROVIDER, f"no response ({error!r})") from error
        if response.status_code != 200:
            raise _http_error(response)
        try:
            elements = response.json()
        except ValueError as error:
            raise ProviderTransientError(PROVIDER, "route matrix answer is not JSON") from error
        if not isinstance(elements, list):
            raise ProviderTransientError(PROVIDER, "route matrix answer is not a list")
        return _distance(elements, origin, destination)

    def close(self) -> None:
        self._http.close()


def _waypoint(address: GeocodedAddress) -> dict[str, Any]:
    return {"location": {"latLng": {"latitude": address.lat, "longitude": address.lng}}}


def _http_error(response: httpx.Response) -> ProviderTransientError | ProviderRejectedError:
    status = response.status_code
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    code_name = str(error.get("status") or "")
    detail = str(error.get("message") or response.reason_phrase or "request failed")
    text = f"HTTP {status} {code_name}: {detail}" if code_name else f"HTTP {status}: {detail}"
    if status in (408, 429) or status >= 500 or code_name == "RESOURCE_EXHAUSTED":
        retry_after = response.headers.get("Retry-After")
        return ProviderTransientError(
            PROVIDER,
            text,
            status=status,
            retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
        )
    return ProviderRejectedError(PROVIDER, text, status=status)


def _distance(
    elements: list[Any], origin: GeocodedAddress, destination: GeocodedAddress
) -> DrivingDistance:
    element = next(
        (
            e
            for e in elements
            if isinstance(e, dict)
            and e.get("originIndex", 0) == 0
            and e.get("destinationIndex", 0) == 0
        ),
        None,
    )
    if element is None:
        raise ProviderTransientError(PROVIDER, "route matrix answer without the element asked for")
    status = element.get("status") or {}
    code = int(status.get("code", 0))
    if code == _NOT_FOUND_CODE or element.get("condition") == "ROUTE_NOT_FOUND":
        raise RouteNotFoundError(
            PROVIDER,
            f"There is no driving route from {origin.formatted_address} to "
            f"{destination.formatted_address}.",
        )
    if code != 0:
        text = f"route matrix element: code {code}: {status.get('message', '')}".rstrip(": ")
        if code in _TRANSIENT_CODES:
            raise ProviderTransientError(PROVIDER, text)
        raise ProviderRejectedError(PROVIDER, text)
    return DrivingDistance(
        meters=int(element.get("distanceMeters", 0)),
        seconds=_seconds(str(element.get("duration", "0s"))),
    )


def _seconds(duration: str) -> int:
    match = _DURATION.match(duration)
    if match is None:
        raise ProviderTransientError(PROVIDER, f"unreadable duration {duration!r}")
    return round(float(match.group(1)))
