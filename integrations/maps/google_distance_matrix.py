"""Driving distance through Google's Distance Matrix API (legacy since March 2025), with the
official `googlemaps` package.

The package raises for a bad top-level status but not for an element's: an address Google
cannot route to comes back as an element with NOT_FOUND or ZERO_RESULTS, which we check.
"""

from __future__ import annotations

from typing import Any

from integrations.errors import ProviderTransientError
from integrations.maps import google_common
from integrations.maps.base import DrivingDistance, GeocodedAddress, RouteNotFoundError
from integrations.maps.google_common import PROVIDER

NO_ROUTE_ELEMENT_STATUSES = frozenset({"NOT_FOUND", "ZERO_RESULTS", "MAX_ROUTE_LENGTH_EXCEEDED"})


class GoogleDistanceMatrixMaps:
    source = google_common.SOURCE

    def __init__(self, api_key: str, base_url: str | None, timeout: float) -> None:
        self._client = google_common.make_client(api_key, base_url, timeout)

    def geocode(self, address: str) -> GeocodedAddress:
        return google_common.geocode(self._client, address)

    def drive(self, origin: GeocodedAddress, destination: GeocodedAddress) -> DrivingDistance:
        body: dict[str, Any] = google_common.call(
            lambda: self._client.distance_matrix(
                origins=[google_common.latlng(origin)],
                destinations=[google_common.latlng(destination)],
                mode="driving",
                units="imperial",
            )
        )
        return _distance(body, origin, destination)


def _distance(
    body: dict[str, Any], origin: GeocodedAddress, destination: GeocodedAddress
) -> DrivingDistance:
    rows = body.get("rows") or []
    elements = (rows[0].get("elements") or []) if rows else []
    if not elements:
        # A top-level ZERO_RESULTS passes through the package with no rows.
        raise _no_route(origin, destination)
    element: dict[str, Any] = elements[0]
    status = str(element.get("status", ""))
    if status in NO_ROUTE_ELEMENT_STATUSES:
        raise _no_route(origin, destination)
    if status != "OK":
        raise google_common.translate_status(status, "distance matrix element")
    try:
        return DrivingDistance(
            meters=int(element["distance"]["value"]), seconds=int(element["duration"]["value"])
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ProviderTransientError(PROVIDER, "element without distance or duration") from error


def _no_route(origin: GeocodedAddress, destination: GeocodedAddress) -> RouteNotFoundError:
    return RouteNotFoundError(
        PROVIDER,
        f"There is no driving route from {origin.formatted_address} to "
        f"{destination.formatted_address}.",
    )
