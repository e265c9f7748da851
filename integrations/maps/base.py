"""Geocoding and driving distance, whoever answers: the neutral types every maps adapter speaks.

Quotes charge a travel fee from the business's base to the event by driving distance. Google
answers it two ways (the legacy Distance Matrix API and its successor, Routes
`computeRouteMatrix`); when Google is not configured or fails, an offline estimate from ZIP
code centres stands in. All three speak this Protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from integrations.errors import ProviderRejectedError

METERS_PER_MILE = 1609.344


@dataclass(frozen=True)
class GeocodedAddress:
    query: str  # what was asked
    formatted_address: str  # what we show back to the customer
    lat: float
    lng: float
    zip_code: str | None
    precise: bool  # False for a ZIP-centre estimate, Google's partial_match or an approximate hit


@dataclass(frozen=True)
class DrivingDistance:
    meters: int
    seconds: int

    @property
    def miles(self) -> float:
        return self.meters / METERS_PER_MILE


class AddressNotFoundError(ProviderRejectedError):
    """No place matches the address (geocode ZERO_RESULTS, or no ZIP code we know).

    `message` is written for the customer: show it as it is.
    """


class RouteNotFoundError(ProviderRejectedError):
    """Both places exist but there is no driving route between them (an island, say)."""


class MapsProvider(Protocol):
    source: str  # "google" for both Google adapters, "estimate" for the offline one

    def geocode(self, address: str) -> GeocodedAddress:
        """Where the address is; raises AddressNotFoundError, ProviderTransientError or
        ProviderRejectedError."""
        ...

    def drive(self, origin: GeocodedAddress, destination: GeocodedAddress) -> DrivingDistance:
        """The driving distance and time; raises RouteNotFoundError, ProviderTransientError or
        ProviderRejectedError."""
        ...
