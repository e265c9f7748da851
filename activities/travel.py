"""Driving distance for a quote: cached Google answer, else Google, else the offline estimate.

The estimate steps in only on technical trouble (Google unconfigured, down, rate-limited or
refusing our key), never when Google says the address does not exist: a customer with a typo
should be asked for the address, not quoted from a guess.
"""

from __future__ import annotations

import logging
import re

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from core.db import session_scope
from domain.quotes.models import TravelCacheEntry
from domain.quotes.service import TravelMeasurement
from integrations.errors import ProviderError
from integrations.maps.base import AddressNotFoundError, MapsProvider, RouteNotFoundError

log = logging.getLogger(__name__)


def address_key(address: str) -> str:
    """The same place written with other spacing, case or punctuation is one cache entry."""
    return re.sub(r"[\s,.#]+", " ", address).strip().lower()


class TravelMeasurer:
    def __init__(
        self, engine: Engine | None, google: MapsProvider | None, estimate: MapsProvider
    ) -> None:
        self._engine = engine
        self._google = google
        self._estimate = estimate

    def measure(self, origin: str, destination: str) -> TravelMeasurement:
        """Raises AddressNotFoundError or RouteNotFoundError with a message for the customer."""
        cached = self._cached(origin, destination)
        if cached is not None:
            return cached
        if self._google is not None:
            try:
                measured = self._drive(self._google, origin, destination)
            except (AddressNotFoundError, RouteNotFoundError):
                raise
            except ProviderError as error:
                log.warning("Google maps failed, estimating from ZIP codes instead: %s", error)
            else:
                self._remember(origin, destination, measured)
                return measured
        return self._drive(self._estimate, origin, destination)

    @staticmethod
    def _drive(maps: MapsProvider, origin: str, destination: str) -> TravelMeasurement:
        start = maps.geocode(origin)
        end = maps.geocode(destination)
        drive = maps.drive(start, end)
        return TravelMeasurement(
            formatted_address=end.formatted_address,
            meters=drive.meters,
            seconds=drive.seconds,
            source=maps.source,
        )

    def _cached(self, origin: str, destination: str) -> TravelMeasurement | None:
        if self._engine is None:
            return None
        with session_scope(self._engine) as session:
            entry = session.exec(
                select(TravelCacheEntry).where(
                    TravelCacheEntry.origin_key == address_key(origin),
                    TravelCacheEntry.address_key == address_key(destination),
                )
            ).first()
            if entry is None:
                return None
            return TravelMeasurement(
                formatted_address=entry.formatted_address,
                meters=entry.distance_meters,
                seconds=entry.duration_seconds,
                source="google",
            )

    def _remember(self, origin: str, destination: str, measured: TravelMeasurement) -> None:
        if self._engine is None:
            return
        try:
            with session_scope(self._engine) as session:
                session.add(
                    TravelCacheEntry(
                        origin_key=address_key(origin),
                        address_key=address_key(destination),
                        formatted_address=measured.formatted_address,
                        distance_meters=measured.meters,
                        duration_seconds=measured.seconds,
                    )
                )
        except IntegrityError:
            pass  # another quote to the same address cached it first
