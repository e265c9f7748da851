"""What both Google adapters share: the `googlemaps` client, its geocoder and its errors.

The Routes API has no geocoder, so both adapters geocode through the Geocoding API with the
`googlemaps` package. That package retries 5xx and OVER_QUERY_LIMIT for 60 s by default; here
it retries 5xx only within a short window and never OVER_QUERY_LIMIT, so the activity's retry
policy (not a thread sleeping inside the SDK) decides when to try again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import googlemaps
import googlemaps.exceptions
import requests

from integrations.errors import ProviderRejectedError, ProviderTransientError
from integrations.maps.base import AddressNotFoundError, GeocodedAddress

PROVIDER = "google_maps"
SOURCE = "google"
DEFAULT_MAPS_BASE_URL = "https://maps.googleapis.com"

# Top-level statuses worth retrying: a rate limit, and Google's own "server error, may succeed
# if you try again". Everything else (REQUEST_DENIED, INVALID_REQUEST, OVER_DAILY_LIMIT,
# MAX_ELEMENTS_EXCEEDED, ...) will be refused again.
TRANSIENT_STATUSES = frozenset({"OVER_QUERY_LIMIT", "UNKNOWN_ERROR"})
# Location types that point at the address itself; GEOMETRIC_CENTER and APPROXIMATE are the
# middle of a street, a ZIP code or a city.
PRECISE_LOCATION_TYPES = frozenset({"ROOFTOP", "RANGE_INTERPOLATED"})

T = TypeVar("T")


def make_client(api_key: str, base_url: str | None, timeout: float) -> googlemaps.Client:
    if not api_key.startswith("AIza"):
        raise ValueError("a Google Maps API key starts with 'AIza'")
    return googlemaps.Client(
        key=api_key,
        base_url=(base_url or DEFAULT_MAPS_BASE_URL).rstrip("/"),
        timeout=timeout,
        retry_timeout=2 * timeout,
        retry_over_query_limit=False,
    )


def call(request: Callable[[], T]) -> T:
    """Runs one `googlemaps` call, turning its exceptions into ours."""
    try:
        return request()
    except googlemaps.exceptions.ApiError as error:
        raise translate_status(str(error.status), error.message) from error
    except googlemaps.exceptions.HTTPError as error:
        status = int(error.status_code)
        if status in (408, 429) or status >= 500:
            raise ProviderTransientError(PROVIDER, f"HTTP {status}", status=status) from error
        raise ProviderRejectedError(PROVIDER, f"HTTP {status}", status=status) from error
    except googlemaps.exceptions.Timeout as error:
        # Raised both for a request that timed out and when 5xx answers lasted longer than
        # retry_timeout.
        raise ProviderTransientError(
            PROVIDER, "no answer in time (timeout, or server errors until the retry window closed)"
        ) from error
    except googlemaps.exceptions.TransportError as error:
        raise ProviderTransientError(PROVIDER, f"no response ({error})") from error
    except requests.exceptions.RequestException as error:
        # Raised by the package reading the answer, e.g. a 200 whose body is not JSON.
        raise ProviderTransientError(PROVIDER, f"unreadable answer ({error!r})") from error


def translate_status(
    status: str, message: str | None
) -> ProviderTransientError | ProviderRejectedError:
    text = f"{status}: {message}" if message else status
    if status in TRANSIENT_STATUSES:
        return ProviderTransientError(PROVIDER, text)
    return ProviderRejectedError(PROVIDER, text)


def geocode(client: googlemaps.Client, address: str) -> GeocodedAddress:
    query = " ".join(address.split())
    if not query:
        raise AddressNotFoundError(PROVIDER, "Please enter the event address.")
    results: list[dict[str, Any]] = call(lambda: client.geocode(query, region="us"))
    if not results:
        raise AddressNotFoundError(
            PROVIDER,
            f'We could not find "{query}". Please check the street address and include the '
            "city and ZIP code.",
        )
    return parse_geocode_result(query, results[0])


def parse_geocode_result(query: str, result: dict[str, Any]) -> GeocodedAddress:
    geometry = result.get("geometry") or {}
    location = geometry.get("location") or {}
    try:
        lat, lng = float(location["lat"]), float(location["lng"])
    except (KeyError, TypeError, ValueError) as error:
        raise ProviderTransientError(PROVIDER, "geocode result without a location") from error
    zip_code = None
    for component in result.get("address_components") or []:
        if "postal_code" in (component.get("types") or []):
            zip_code = str(component.get("short_name") or component.get("long_name") or "")
            break
    precise = (
        not result.get("partial_match", False)
        and geometry.get("location_type") in PRECISE_LOCATION_TYPES
    )
    return GeocodedAddress(
        query=query,
        formatted_address=str(result.get("formatted_address") or query),
        lat=lat,
        lng=lng,
        zip_code=zip_code or None,
        precise=precise,
    )


def latlng(address: GeocodedAddress) -> str:
    return f"{address.lat:.6f},{address.lng:.6f}"
