"""The maps adapters: both Google ones through their real clients (`googlemaps`, httpx) against
the wire-format emulator, and the offline ZIP-code estimate."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from integrations.errors import ProviderRejectedError, ProviderTransientError
from integrations.maps.base import (
    AddressNotFoundError,
    GeocodedAddress,
    MapsProvider,
    RouteNotFoundError,
)
from integrations.maps.google_routes import FIELD_MASK, ROUTE_MATRIX_PATH, GoogleRoutesMaps
from integrations.maps.offline_estimate import OfflineEstimateMaps
from sandbox.google_maps import SANDBOX_GOOGLE_API_KEY
from tests.sandbox_fixtures import GoogleMapsSandbox

BASE = "43555 Mission Blvd, Fremont, CA 94539"
STOCKTON = "2200 Pacific Ave, Stockton"
HONOLULU = "1 Aloha Tower Dr, Honolulu, HI 96813"
GEOCODE_PATH = "/maps/api/geocode/json"
DISTANCE_MATRIX_PATH = "/maps/api/distancematrix/json"


@pytest.fixture(params=["distance_matrix", "routes"])
def google(
    request: pytest.FixtureRequest, google_maps: GoogleMapsSandbox
) -> Iterator[MapsProvider]:
    """Each test runs against both Google adapters."""
    maps: MapsProvider = (
        google_maps.distance_matrix()
        if request.param == "distance_matrix"
        else google_maps.routes()
    )
    yield maps
    if isinstance(maps, GoogleRoutesMaps):
        maps.close()


def test_geocode_returns_the_formatted_address(google: MapsProvider) -> None:
    stockton = google.geocode(STOCKTON)
    assert google.source == "google"
    assert stockton.query == STOCKTON
    assert stockton.formatted_address == "2200 Pacific Ave, Stockton, CA 95204, USA"
    assert stockton.zip_code == "95204" and stockton.precise
    assert stockton.lat == pytest.approx(37.97, abs=0.02)
    assert stockton.lng == pytest.approx(-121.31, abs=0.02)


def test_a_city_and_zip_resolve_but_not_precisely(google: MapsProvider) -> None:
    stockton = google.geocode("stockton, ca 95204")
    assert stockton.formatted_address == "Stockton, CA 95204, USA"
    assert stockton.zip_code == "95204" and not stockton.precise
    partial = google.geocode("1 Nowhere Lane, Stockton")
    assert partial.formatted_address == "Stockton, CA, USA" and not partial.precise


def test_drive_from_fremont_to_stockton(google: MapsProvider) -> None:
    base, stockton = google.geocode(BASE), google.geocode(STOCKTON)
    drive = google.drive(base, stockton)
    assert 60 <= drive.miles <= 70
    assert 55 * 60 <= drive.seconds <= 85 * 60
    assert google.drive(base, base).meters == 0
    assert google.drive(base, google.geocode("2600 Fresno St, Fresno, CA 93721")).miles > 100


def test_unknown_address_is_not_found(google: MapsProvider) -> None:
    with pytest.raises(AddressNotFoundError) as raised:
        google.geocode("1 Nowhere Lane, Atlantis")
    assert "Atlantis" in raised.value.message and "ZIP" in raised.value.message
    with pytest.raises(AddressNotFoundError):
        google.geocode("   ")


def test_honolulu_has_no_driving_route(google: MapsProvider) -> None:
    honolulu = google.geocode(HONOLULU)
    assert honolulu.zip_code == "96813"
    with pytest.raises(RouteNotFoundError) as raised:
        google.drive(google.geocode(BASE), honolulu)
    assert "Honolulu" in raised.value.message
    assert isinstance(raised.value, ProviderRejectedError)


def test_wrong_key_is_rejected(google_maps: GoogleMapsSandbox) -> None:
    wrong = "AIzaWrong-key-0000000000000000000000"
    here = GeocodedAddress(BASE, BASE, 37.5291, -121.917, "94539", True)
    there = GeocodedAddress(STOCKTON, STOCKTON, 37.9713, -121.3098, "95204", True)
    for maps in (google_maps.distance_matrix(api_key=wrong), google_maps.routes(api_key=wrong)):
        with pytest.raises(ProviderRejectedError, match="REQUEST_DENIED") as geocoding:
            maps.geocode(STOCKTON)
        assert not isinstance(geocoding.value, AddressNotFoundError)
        with pytest.raises(ProviderRejectedError) as driving:
            maps.drive(here, there)
        assert not isinstance(driving.value, RouteNotFoundError)
    assert driving.value.status == 403 and "PERMISSION_DENIED" in driving.value.message


def test_a_key_must_look_like_a_google_key(google_maps: GoogleMapsSandbox) -> None:
    with pytest.raises(ValueError, match="AIza"):
        google_maps.distance_matrix(api_key="not-a-google-key")


@pytest.mark.parametrize("status", ["OVER_QUERY_LIMIT", "UNKNOWN_ERROR"])
def test_google_status_rate_limit_is_transient_at_once(
    google: MapsProvider, google_maps: GoogleMapsSandbox, status: str
) -> None:
    base = google.geocode(BASE)
    google_maps.force_status(status, count=50)
    started = time.monotonic()
    with pytest.raises(ProviderTransientError, match=status):
        google.geocode(STOCKTON)
    if not isinstance(google, GoogleRoutesMaps):  # Routes itself has no top-level status
        with pytest.raises(ProviderTransientError, match=status):
            google.drive(base, base)
    assert time.monotonic() - started < 5  # no retry loop inside googlemaps


@pytest.mark.parametrize("status", ["REQUEST_DENIED", "OVER_DAILY_LIMIT", "INVALID_REQUEST"])
def test_google_status_refusals_are_rejected(google_maps: GoogleMapsSandbox, status: str) -> None:
    maps = google_maps.distance_matrix()
    google_maps.force_status(status)
    with pytest.raises(ProviderRejectedError, match=status):
        maps.geocode(STOCKTON)
    assert maps.geocode(STOCKTON).zip_code == "95204"  # only the next answer was forced


@pytest.mark.parametrize("kind", ["server_error", "rate_limit"])
def test_http_errors_are_transient_quickly(
    google: MapsProvider, google_maps: GoogleMapsSandbox, kind: str
) -> None:
    base, stockton = google.geocode(BASE), google.geocode(STOCKTON)
    drive_path = (
        DISTANCE_MATRIX_PATH if not isinstance(google, GoogleRoutesMaps) else (ROUTE_MATRIX_PATH)
    )
    for path, call in (
        (GEOCODE_PATH, lambda: google.geocode(STOCKTON)),
        (drive_path, lambda: google.drive(base, stockton)),
    ):
        google_maps.fault(path_prefix=path, kind=kind, count=100, retry_after_seconds=3)
        started = time.monotonic()
        with pytest.raises(ProviderTransientError) as raised:
            call()
        assert time.monotonic() - started < 5
        httpx.delete(f"{google_maps.url}/sandbox/faults")
        if kind == "rate_limit":
            assert raised.value.status == 429
    if isinstance(google, GoogleRoutesMaps) and kind == "rate_limit":
        assert raised.value.retry_after == 3


def test_a_single_server_error_is_retried_by_googlemaps(google_maps: GoogleMapsSandbox) -> None:
    maps = google_maps.distance_matrix()
    google_maps.fault(path_prefix=GEOCODE_PATH, kind="server_error", count=1)
    assert maps.geocode(STOCKTON).zip_code == "95204"
    assert google_maps.state.geocode_requests == 1  # the 500 never reached the handler


def test_timeouts_are_transient(google: MapsProvider, google_maps: GoogleMapsSandbox) -> None:
    base, stockton = google.geocode(BASE), google.geocode(STOCKTON)
    google_maps.fault(path_prefix="/", kind="delay", delay_seconds=1.5, count=2)
    with pytest.raises(ProviderTransientError, match="in time"):
        google.geocode(STOCKTON)
    with pytest.raises(ProviderTransientError, match="in time"):
        google.drive(base, stockton)


def test_connection_refused_is_transient() -> None:
    from integrations.maps.google_distance_matrix import GoogleDistanceMatrixMaps
    from sandbox.framework import free_port

    url = f"http://127.0.0.1:{free_port()}"
    for maps in (
        GoogleDistanceMatrixMaps(SANDBOX_GOOGLE_API_KEY, url, 0.5),
        GoogleRoutesMaps(SANDBOX_GOOGLE_API_KEY, url, url, 0.5),
    ):
        with pytest.raises(ProviderTransientError):
            maps.geocode(STOCKTON)
    here = GeocodedAddress(BASE, BASE, 37.5291, -121.917, "94539", True)
    with pytest.raises(ProviderTransientError, match="no response"):
        GoogleRoutesMaps(SANDBOX_GOOGLE_API_KEY, url, url, 0.5).drive(here, here)


def test_requests_are_counted(google_maps: GoogleMapsSandbox) -> None:
    legacy, routes = google_maps.distance_matrix(), google_maps.routes()
    base, stockton = legacy.geocode(BASE), legacy.geocode(STOCKTON)
    legacy.drive(base, stockton)
    routes.drive(base, stockton)
    routes.close()
    state = google_maps.state
    assert (state.geocode_requests, state.distance_matrix_requests) == (2, 1)
    assert state.route_matrix_requests == 1 and state.requests == 4
    counts = httpx.get(f"{google_maps.url}/sandbox/google/requests").json()
    assert counts == {"geocode": 2, "distance_matrix": 1, "route_matrix": 1}


def _route_matrix_body() -> dict[str, object]:
    def waypoint(lat: float, lng: float) -> dict[str, object]:
        return {"waypoint": {"location": {"latLng": {"latitude": lat, "longitude": lng}}}}

    return {
        "origins": [waypoint(37.5291, -121.917)],
        "destinations": [waypoint(37.9713, -121.3098), waypoint(21.3069, -157.8663)],
        "travelMode": "DRIVE",
        "routingPreference": "TRAFFIC_UNAWARE",
    }


def test_routes_emulator_requires_a_field_mask(google_maps: GoogleMapsSandbox) -> None:
    url = f"{google_maps.url}{ROUTE_MATRIX_PATH}"
    headers = {"X-Goog-Api-Key": SANDBOX_GOOGLE_API_KEY}
    refused = httpx.post(url, json=_route_matrix_body(), headers=headers)
    assert refused.status_code == 400
    assert refused.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert "FieldMask" in refused.json()["error"]["message"]

    answered = httpx.post(
        url, json=_route_matrix_body(), headers={**headers, "X-Goog-FieldMask": FIELD_MASK}
    )
    assert answered.status_code == 200
    stockton, honolulu = answered.json()
    # proto3 JSON: index 0 and an OK status's code are left out.
    assert "originIndex" not in stockton and "destinationIndex" not in stockton
    assert stockton["status"] == {} and stockton["condition"] == "ROUTE_EXISTS"
    assert stockton["duration"].endswith("s") and "staticDuration" not in stockton
    assert honolulu["destinationIndex"] == 1 and honolulu["condition"] == "ROUTE_NOT_FOUND"
    assert "distanceMeters" not in honolulu


def test_routes_emulator_checks_the_key(google_maps: GoogleMapsSandbox) -> None:
    url = f"{google_maps.url}{ROUTE_MATRIX_PATH}"
    for headers in ({}, {"X-Goog-Api-Key": "AIzaSomeoneElse"}):
        refused = httpx.post(
            url, json=_route_matrix_body(), headers={**headers, "X-Goog-FieldMask": "*"}
        )
        assert refused.status_code == 403
        assert refused.json()["error"]["status"] == "PERMISSION_DENIED"


def test_distance_matrix_emulator_wire_format(google_maps: GoogleMapsSandbox) -> None:
    answer = httpx.get(
        f"{google_maps.url}{DISTANCE_MATRIX_PATH}",
        params={
            "origins": "37.5291,-121.917",
            "destinations": "Stockton, CA 95204|Atlantis|21.3069,-157.8663",
            "mode": "driving",
            "units": "imperial",
            "key": SANDBOX_GOOGLE_API_KEY,
        },
    ).json()
    assert answer["status"] == "OK"
    assert answer["origin_addresses"] == ["43555 Mission Blvd, Fremont, CA 94539, USA"]
    stockton, atlantis, honolulu = answer["rows"][0]["elements"]
    assert stockton["status"] == "OK" and stockton["distance"]["text"].endswith(" mi")
    assert "hour" in stockton["duration"]["text"]
    assert atlantis == {"status": "NOT_FOUND"} and honolulu == {"status": "ZERO_RESULTS"}

    missing_key = httpx.get(
        f"{google_maps.url}/maps/api/geocode/json", params={"address": STOCKTON}
    ).json()
    assert missing_key["status"] == "REQUEST_DENIED" and missing_key["error_message"]


def test_forced_status_can_be_cleared(google_maps: GoogleMapsSandbox) -> None:
    maps = google_maps.distance_matrix()
    google_maps.force_status("OVER_QUERY_LIMIT", count=5)
    httpx.delete(f"{google_maps.url}/sandbox/google/status").raise_for_status()
    assert maps.geocode(STOCKTON).zip_code == "95204"


# --- the offline estimate -------------------------------------------------------------------


def test_estimate_from_fremont_to_stockton() -> None:
    maps = OfflineEstimateMaps()
    assert maps.source == "estimate"
    base = maps.geocode(BASE)
    stockton = maps.geocode("Stockton, CA 95204")
    assert stockton.formatted_address == "Stockton, CA 95204 (ZIP code centre)"
    assert stockton.zip_code == "95204" and not stockton.precise
    drive = maps.drive(base, stockton)
    assert 50 <= drive.miles <= 75
    assert drive.seconds == pytest.approx(drive.miles / 40 * 3600, abs=1)


def test_estimate_needs_a_zip_code() -> None:
    maps = OfflineEstimateMaps()
    with pytest.raises(AddressNotFoundError, match="ZIP code") as raised:
        maps.geocode("43555 Mission Blvd, Fremont")  # the house number is not a ZIP
    assert raised.value.message.startswith("Please include the 5-digit ZIP code")
    with pytest.raises(AddressNotFoundError, match="00000"):
        maps.geocode("1 Main St, Nowhere, CA 00000")


def test_estimate_does_not_drive_to_hawaii() -> None:
    maps = OfflineEstimateMaps()
    with pytest.raises(RouteNotFoundError):
        maps.drive(maps.geocode(BASE), maps.geocode(HONOLULU))


def test_estimate_works_from_a_google_geocode(google_maps: GoogleMapsSandbox) -> None:
    """When Google geocoded but its routing failed, the estimate takes the same addresses."""
    google = google_maps.distance_matrix()
    drive = OfflineEstimateMaps().drive(google.geocode(BASE), google.geocode(STOCKTON))
    assert 50 <= drive.miles <= 75
