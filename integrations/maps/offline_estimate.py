"""A driving distance estimated offline, for when Google is not configured or fails.

The address is placed at the centre of its ZIP code (from the `zipcodes` package's offline
data), and the drive is the straight line times a road factor, at an average speed. It is a
fallback for a quote, not a route: `precise` is always False.
"""

from __future__ import annotations

import math
import re
from typing import Any

import zipcodes

from integrations.maps.base import (
    METERS_PER_MILE,
    AddressNotFoundError,
    DrivingDistance,
    GeocodedAddress,
    RouteNotFoundError,
)

PROVIDER = "offline_estimate"
EARTH_RADIUS_METERS = 6_371_008.8  # mean radius
_ZIP = re.compile(r"(?<![\d-])(\d{5})(?:-\d{4})?(?!\d)")
_STATE_BEFORE = re.compile(r"\b[A-Za-z]{2}\.?,?\s*$")
_COUNTRY_AFTER = re.compile(r"^[\s,]*(usa|us|united states)\b", re.IGNORECASE)
_WORD_AFTER = re.compile(r"^\s+[A-Za-z]")


def haversine_meters(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The great-circle distance between two points, in meters."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_METERS * math.asin(min(1.0, math.sqrt(a)))


def extract_zip(address: str) -> str | None:
    """The address's ZIP code: the last 5-digit number (ZIP+4 allowed) that is not a house number.

    A 5-digit number followed by a word ("43555 Mission Blvd") is a house number unless it
    follows a state ("CA 94539 USA").
    """
    for match in reversed(list(_ZIP.finditer(address))):
        before, after = address[: match.start()], address[match.end() :]
        if (
            _WORD_AFTER.match(after)
            and not _COUNTRY_AFTER.match(after)
            and not _STATE_BEFORE.search(before)
        ):
            continue
        return match.group(1)
    return None


def landmass(lat: float, lng: float) -> str:
    """Which road network a US point is on: no estimate drives from the mainland to an island."""
    if 18 <= lat <= 23 and -161 <= lng <= -154:
        return "hawaii"
    if 17 <= lat <= 19 and -68 <= lng <= -64:
        return "puerto rico and virgin islands"
    if lng > 0 or lng < -170:
        return "pacific islands"  # Guam, the Northern Marianas, American Samoa
    return "north america"


def estimate_drive(
    meters_straight: float, road_factor: float, average_speed_mph: float
) -> DrivingDistance:
    meters = meters_straight * road_factor
    hours = meters / METERS_PER_MILE / average_speed_mph
    return DrivingDistance(meters=round(meters), seconds=round(hours * 3600))


class OfflineEstimateMaps:
    source = "estimate"

    def __init__(self, road_factor: float = 1.3, average_speed_mph: float = 40.0) -> None:
        if road_factor < 1 or average_speed_mph <= 0:
            raise ValueError("road_factor must be at least 1 and average_speed_mph positive")
        self._road_factor = road_factor
        self._speed = average_speed_mph

    def geocode(self, address: str) -> GeocodedAddress:
        query = " ".join(address.split())
        zip_code = extract_zip(query)
        if zip_code is None:
            raise AddressNotFoundError(
                PROVIDER,
                "Please include the 5-digit ZIP code of the event address so we can estimate "
                "the travel fee.",
            )
        found: list[dict[str, Any]] = zipcodes.matching(zip_code)  # type: ignore[no-untyped-call]
        if not found:
            raise AddressNotFoundError(
                PROVIDER,
                f"We don't know the ZIP code {zip_code}. Please check it and include the "
                "5-digit ZIP code of the event address.",
            )
        place = found[0]
        return GeocodedAddress(
            query=query,
            formatted_address=f"{place['city']}, {place['state']} {zip_code} (ZIP code centre)",
            lat=float(place["lat"]),
            lng=float(place["long"]),
            zip_code=zip_code,
            precise=False,
        )

    def drive(self, origin: GeocodedAddress, destination: GeocodedAddress) -> DrivingDistance:
        if landmass(origin.lat, origin.lng) != landmass(destination.lat, destination.lng):
            raise RouteNotFoundError(
                PROVIDER,
                f"There is no driving route from {origin.formatted_address} to "
                f"{destination.formatted_address}.",
            )
        straight = haversine_meters(origin.lat, origin.lng, destination.lat, destination.lng)
        return estimate_drive(straight, self._road_factor, self._speed)
