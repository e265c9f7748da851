"""The offline estimate's pure helpers: ZIP extraction, great-circle distance, landmass."""

from __future__ import annotations

import pytest

from integrations.maps.base import METERS_PER_MILE
from integrations.maps.offline_estimate import (
    estimate_drive,
    extract_zip,
    haversine_meters,
    landmass,
)


@pytest.mark.parametrize(
    ("address", "zip_code"),
    [
        ("43555 Mission Blvd, Fremont, CA 94539", "94539"),
        ("2200 Pacific Ave, Stockton, CA 95204-1234, USA", "95204"),
        ("Stockton, CA 95204", "95204"),
        ("95204", "95204"),
        ("Stockton CA 95204 USA", "95204"),
        ("12345 Main St, Some Town, 95204", "95204"),
        ("Apt 94539, 100 Main St, Tracy CA 95376", "95376"),
        ("43555 Mission Blvd, Fremont", None),  # a house number, not a ZIP
        ("43555 Mission Blvd", None),
        ("1 Main St, Fremont, CA 9453", None),
        ("PO Box 123456, Fremont", None),
        ("", None),
    ],
)
def test_extract_zip(address: str, zip_code: str | None) -> None:
    assert extract_zip(address) == zip_code


def test_haversine() -> None:
    assert haversine_meters(37.5, -121.9, 37.5, -121.9) == 0
    # One degree of latitude is ~111.2 km everywhere.
    assert haversine_meters(37.0, -121.0, 38.0, -121.0) == pytest.approx(111_195, rel=1e-3)
    # San Francisco to Los Angeles, ~559 km in a straight line.
    sf_la = haversine_meters(37.7749, -122.4194, 34.0522, -118.2437)
    assert sf_la == pytest.approx(559_000, rel=0.01)
    assert haversine_meters(34.0522, -118.2437, 37.7749, -122.4194) == pytest.approx(sf_la)
    # Antipodes: half the circumference, no domain error from rounding.
    assert haversine_meters(0, 0, 0, 180) == pytest.approx(20_015_087, rel=1e-4)


def test_estimate_drive() -> None:
    drive = estimate_drive(10 * METERS_PER_MILE, road_factor=1.3, average_speed_mph=40)
    assert drive.meters == round(13 * METERS_PER_MILE)
    assert drive.seconds == round(13 / 40 * 3600)
    assert drive.miles == pytest.approx(13, abs=0.001)
    assert estimate_drive(0, 1.3, 40).seconds == 0


def test_landmass() -> None:
    assert landmass(37.53, -121.92) == "north america"  # Fremont
    assert landmass(61.2, -149.9) == "north america"  # Anchorage: the Alaska Highway
    assert landmass(21.31, -157.86) == "hawaii"
    assert landmass(18.47, -66.11) == "puerto rico and virgin islands"
    assert landmass(13.44, 144.79) == "pacific islands"  # Guam
