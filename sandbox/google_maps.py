"""A Google Maps emulator: the Geocoding and Distance Matrix web services (legacy wire format, for
the real `googlemaps` package) and the Routes API's `computeRouteMatrix`.

It knows a small table of real places around the business's base in Fremont, CA, plus Honolulu
(which no road reaches). Distances are the great-circle distance times a road factor, durations
follow from them: deterministic, and close enough to the real drives for quotes to look right.

Faults: `/sandbox/faults` (from sandbox.framework) for HTTP-level ones, and
`POST /sandbox/google/status` for Google's own way of failing, a top-level status such as
OVER_QUERY_LIMIT carried by an HTTP 200 answer of the legacy APIs.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from sandbox.framework import FaultInjector, install_faults

# The only key the emulator accepts (integrations keeps its own copy; sandbox imports nothing
# of ours). Google's keys start with "AIza", and the `googlemaps` package checks it.
SANDBOX_GOOGLE_API_KEY = "AIzaSandbox-teppan-000000000000000000"

ROAD_FACTOR = 1.4  # road distance over straight line; Fremont → Stockton drives ~63 miles
URBAN_SECONDS = 240  # getting out of town and parking
CRUISE_METERS_PER_SECOND = 25.0  # ~56 mph between towns
METERS_PER_MILE = 1609.344
EARTH_RADIUS_METERS = 6_371_008.8
MAX_ELEMENTS = 100
MAX_DIMENSION = 25

LegacyStatus = Literal[
    "OVER_QUERY_LIMIT", "REQUEST_DENIED", "UNKNOWN_ERROR", "OVER_DAILY_LIMIT", "INVALID_REQUEST"
]
LEGACY_MESSAGES: dict[str, str] = {
    "OVER_QUERY_LIMIT": "You have exceeded your rate-limit for this API.",
    "REQUEST_DENIED": "This API project is not authorized to use this API.",
    "UNKNOWN_ERROR": "An unknown error occurred. Please try again.",
    "OVER_DAILY_LIMIT": "You have exceeded your daily request quota for this API.",
    "INVALID_REQUEST": "Invalid request.",
}
RPC_STATUS = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


@dataclass(frozen=True)
class Place:
    street: str
    city: str
    state: str
    zip_code: str
    lat: float
    lng: float
    county: str

    @property
    def formatted_address(self) -> str:
        return f"{self.street}, {self.city}, {self.state} {self.zip_code}, USA"

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", f"{self.city} {self.street}".lower()).strip("-")


PLACES: tuple[Place, ...] = (
    Place("43555 Mission Blvd", "Fremont", "CA", "94539", 37.5291, -121.9170, "Alameda County"),
    Place("4501 Pleasanton Ave", "Pleasanton", "CA", "94566", 37.6620, -121.8860, "Alameda County"),
    Place(
        "200 E Santa Clara St", "San Jose", "CA", "95113", 37.3378, -121.8853, "Santa Clara County"
    ),
    Place("1 Frank H Ogawa Plaza", "Oakland", "CA", "94612", 37.8053, -122.2727, "Alameda County"),
    Place(
        "1 Dr Carlton B Goodlett Pl",
        "San Francisco",
        "CA",
        "94102",
        37.7793,
        -122.4193,
        "San Francisco County",
    ),
    Place("250 Hamilton Ave", "Palo Alto", "CA", "94301", 37.4443, -122.1607, "Santa Clara County"),
    Place(
        "1666 N Main St", "Walnut Creek", "CA", "94596", 37.9063, -122.0650, "Contra Costa County"
    ),
    Place("1052 S Livermore Ave", "Livermore", "CA", "94550", 37.6787, -121.7649, "Alameda County"),
    Place(
        "333 Civic Center Plaza", "Tracy", "CA", "95376", 37.7312, -121.4256, "San Joaquin County"
    ),
    Place("2200 Pacific Ave", "Stockton", "CA", "95204", 37.9713, -121.3098, "San Joaquin County"),
    Place("1010 10th St", "Modesto", "CA", "95354", 37.6393, -120.9983, "Stanislaus County"),
    Place("1001 W Center St", "Manteca", "CA", "95337", 37.7977, -121.2277, "San Joaquin County"),
    Place("915 I St", "Sacramento", "CA", "95814", 38.5816, -121.4944, "Sacramento County"),
    Place("2600 Fresno St", "Fresno", "CA", "93721", 36.7378, -119.7871, "Fresno County"),
    Place("809 Center St", "Santa Cruz", "CA", "95060", 36.9741, -122.0263, "Santa Cruz County"),
    Place("7351 Rosanna St", "Gilroy", "CA", "95020", 37.0058, -121.5680, "Santa Clara County"),
    Place("777 B St", "Hayward", "CA", "94541", 37.6717, -122.0809, "Alameda County"),
    Place(
        "455 E Calaveras Blvd", "Milpitas", "CA", "95035", 37.4323, -121.8996, "Santa Clara County"
    ),
    Place("2180 Milvia St", "Berkeley", "CA", "94704", 37.8700, -122.2700, "Alameda County"),
    Place("1 Aloha Tower Dr", "Honolulu", "HI", "96813", 21.3069, -157.8663, "Honolulu County"),
)
STATE_NAMES = {"CA": "California", "HI": "Hawaii"}


@dataclass(frozen=True)
class Match:
    """What a geocode query resolved to, and how well."""

    place: Place
    level: Literal["street", "zip", "city"]
    partial: bool


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _contains(haystack: str, needle: str) -> bool:
    return f" {_words(needle)} " in f" {haystack} "


def find_place(query: str) -> Match | None:
    """Case-insensitive containment of a place's street, ZIP code or city in the query; the best
    level wins (street over ZIP over city), the first place in the table on a tie."""
    words = _words(query)
    if not words:
        return None
    best: tuple[int, Place] | None = None
    for place in PLACES:
        score = (
            4 * _contains(words, place.street)
            + 2 * _contains(words, place.zip_code)
            + 1 * _contains(words, place.city)
        )
        if score and (best is None or score > best[0]):
            best = (score, place)
    if best is None:
        return None
    score, place = best
    level: Literal["street", "zip", "city"] = (
        "street" if score >= 4 else "zip" if score >= 2 else "city"
    )
    rest = f" {words} "
    for known in (place.street, place.city, place.zip_code, place.state, STATE_NAMES[place.state]):
        rest = rest.replace(f" {_words(known)} ", " ")
    leftover = [word for word in rest.split() if word not in {"usa", "us", "united", "states"}]
    return Match(place, level, partial=level != "street" and bool(leftover))


def haversine_meters(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_METERS * math.asin(min(1.0, math.sqrt(a)))


def _landmass(lat: float, lng: float) -> str:
    return "hawaii" if 18 <= lat <= 23 and -161 <= lng <= -154 else "mainland"


def drive(a: tuple[float, float], b: tuple[float, float]) -> tuple[int, int] | None:
    """(meters, seconds) by road, or None when no road joins the two points."""
    if _landmass(*a) != _landmass(*b):
        return None
    meters = round(haversine_meters(*a, *b) * ROAD_FACTOR)
    if meters == 0:
        return 0, 0
    return meters, URBAN_SECONDS + round(meters / CRUISE_METERS_PER_SECOND)


def _nearest(lat: float, lng: float) -> Place:
    return min(PLACES, key=lambda place: haversine_meters(lat, lng, place.lat, place.lng))


def distance_text(meters: int, units: str | None) -> str:
    if units == "imperial":
        miles = meters / METERS_PER_MILE
        return f"{miles:.1f} mi" if miles >= 0.1 else f"{round(meters * 3.28084)} ft"
    return f"{meters / 1000:.1f} km" if meters >= 1000 else f"{meters} m"


def duration_text(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours > 1 else ''}")
    if minutes or not hours:
        parts.append(f"{minutes} min{'s' if minutes > 1 else ''}")
    return " ".join(parts)


def geocode_result(match: Match) -> dict[str, Any]:
    place = match.place
    city = {"long_name": place.city, "short_name": place.city, "types": ["locality", "political"]}
    county = {
        "long_name": place.county,
        "short_name": place.county,
        "types": ["administrative_area_level_2", "political"],
    }
    state = {
        "long_name": STATE_NAMES[place.state],
        "short_name": place.state,
        "types": ["administrative_area_level_1", "political"],
    }
    country = {"long_name": "United States", "short_name": "US", "types": ["country", "political"]}
    postal = {"long_name": place.zip_code, "short_name": place.zip_code, "types": ["postal_code"]}
    if match.level == "street":
        number, _, route = place.street.partition(" ")
        components = [
            {"long_name": number, "short_name": number, "types": ["street_number"]},
            {"long_name": route, "short_name": route, "types": ["route"]},
            city,
            county,
            state,
            country,
            postal,
        ]
        formatted, location_type, types = (
            place.formatted_address,
            "ROOFTOP",
            ["street_address"],
        )
    elif match.level == "zip":
        components = [postal, city, county, state, country]
        formatted = f"{place.city}, {place.state} {place.zip_code}, USA"
        location_type, types = "APPROXIMATE", ["postal_code"]
    else:
        components = [city, county, state, country]
        formatted = f"{place.city}, {place.state}, USA"
        location_type, types = "APPROXIMATE", ["locality", "political"]
    result: dict[str, Any] = {
        "address_components": components,
        "formatted_address": formatted,
        "geometry": {
            "location": {"lat": place.lat, "lng": place.lng},
            "location_type": location_type,
            "viewport": {
                "northeast": {"lat": place.lat + 0.0013, "lng": place.lng + 0.0013},
                "southwest": {"lat": place.lat - 0.0013, "lng": place.lng - 0.0013},
            },
        },
        "place_id": f"ChIJsandbox-{match.level}-{place.slug}",
        "types": types,
    }
    if match.partial:
        result["partial_match"] = True
    return result


@dataclass
class GoogleMapsState:
    """What the emulator holds. The counters count requests that reached an API handler (with a
    wrong key or a forced status too); those answered by an HTTP-level fault are not counted."""

    api_key: str = SANDBOX_GOOGLE_API_KEY
    geocode_requests: int = 0
    distance_matrix_requests: int = 0
    route_matrix_requests: int = 0
    forced_status: str | None = None  # the next `forced_remaining` legacy answers carry it
    forced_remaining: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        return self.geocode_requests + self.distance_matrix_requests + self.route_matrix_requests

    def reset(self) -> None:
        with self.lock:
            self.geocode_requests = self.distance_matrix_requests = self.route_matrix_requests = 0
            self.forced_status, self.forced_remaining = None, 0

    def take_forced_status(self) -> str | None:
        with self.lock:
            if self.forced_status is None or self.forced_remaining <= 0:
                return None
            status = self.forced_status
            self.forced_remaining -= 1
            if self.forced_remaining == 0:
                self.forced_status = None
            return status


class ForcedStatus(BaseModel):
    """Make the next `count` Geocoding / Distance Matrix answers carry this top-level status."""

    status: LegacyStatus
    count: int = Field(default=1, ge=1, le=1000)


def rpc_error(status: int, message: str, rpc_status: str | None = None) -> dict[str, object]:
    """Google's JSON error body (Routes and every newer API)."""
    return {
        "error": {
            "code": status,
            "message": message,
            "status": rpc_status or RPC_STATUS.get(status, "UNKNOWN"),
        }
    }


def create_google_maps_emulator(state: GoogleMapsState | None = None) -> FastAPI:
    state = state or GoogleMapsState()
    faults = FaultInjector()
    app = FastAPI(title="Google Maps sandbox", docs_url="/sandbox/docs", openapi_url=None)
    app.state.google_maps = state
    app.state.faults = faults
    install_faults(app, faults, lambda status, message: rpc_error(status, message))
    app.include_router(_control_routes(state))
    app.include_router(_legacy_routes(state))
    app.include_router(_routes_api(state))
    return app


def _control_routes(state: GoogleMapsState) -> APIRouter:
    router = APIRouter(prefix="/sandbox/google", tags=["sandbox"])

    @router.post("/status", status_code=201)
    def force_status(body: ForcedStatus) -> dict[str, object]:
        with state.lock:
            state.forced_status, state.forced_remaining = body.status, body.count
        return {"status": body.status, "count": body.count}

    @router.delete("/status", status_code=204)
    def clear_status() -> Response:
        with state.lock:
            state.forced_status, state.forced_remaining = None, 0
        return Response(status_code=204)

    @router.get("/requests")
    def counts() -> dict[str, int]:
        with state.lock:
            return {
                "geocode": state.geocode_requests,
                "distance_matrix": state.distance_matrix_requests,
                "route_matrix": state.route_matrix_requests,
            }

    return router


def _legacy_refusal(state: GoogleMapsState, key: str | None) -> JSONResponse | None:
    """Google's legacy APIs refuse with HTTP 200 and a top-level status."""
    forced = state.take_forced_status()
    if forced is not None:
        return _legacy_status(forced, LEGACY_MESSAGES[forced])
    if not key:
        return _legacy_status(
            "REQUEST_DENIED",
            "You must use an API key to authenticate each request to Google Maps Platform APIs.",
        )
    if key != state.api_key:
        return _legacy_status("REQUEST_DENIED", "The provided API key is invalid.")
    return None


def _legacy_status(status: str, message: str) -> JSONResponse:
    return JSONResponse({"status": status, "error_message": message, "results": []})


_LATLNG = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


def _locate(text: str) -> tuple[tuple[float, float], str] | None:
    """A distance-matrix origin or destination: "lat,lng" or an address."""
    coordinates = _LATLNG.match(text)
    if coordinates:
        lat, lng = float(coordinates.group(1)), float(coordinates.group(2))
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            return None
        nearest = _nearest(lat, lng)
        near = haversine_meters(lat, lng, nearest.lat, nearest.lng) < 2000
        return (lat, lng), nearest.formatted_address if near else f"{lat},{lng}"
    match = find_place(text)
    if match is None:
        return None
    return (match.place.lat, match.place.lng), geocode_result(match)["formatted_address"]


def _legacy_routes(state: GoogleMapsState) -> APIRouter:
    router = APIRouter()

    @router.get("/maps/api/geocode/json")
    def geocode(
        key: str | None = None,
        address: str | None = None,
        components: str | None = None,
        region: str | None = None,
        language: str | None = None,
    ) -> JSONResponse:
        with state.lock:
            state.geocode_requests += 1
        refusal = _legacy_refusal(state, key)
        if refusal is not None:
            return refusal
        if not address and not components:
            return _legacy_status(
                "INVALID_REQUEST",
                "Invalid request. Missing the 'address', "
                "'components', 'latlng' or 'place_id' parameter.",
            )
        match = find_place(address or components or "")
        if match is None:
            return JSONResponse({"results": [], "status": "ZERO_RESULTS"})
        return JSONResponse({"results": [geocode_result(match)], "status": "OK"})

    @router.get("/maps/api/distancematrix/json")
    def distance_matrix(
        key: str | None = None,
        origins: str | None = None,
        destinations: str | None = None,
        mode: str | None = None,
        units: str | None = None,
    ) -> JSONResponse:
        with state.lock:
            state.distance_matrix_requests += 1
        refusal = _legacy_refusal(state, key)
        if refusal is not None:
            return refusal
        if not origins or not destinations:
            return _legacy_status(
                "INVALID_REQUEST", "Invalid request. Missing the 'origins' or 'destinations'."
            )
        if mode not in (None, "driving"):
            return _legacy_status("INVALID_REQUEST", "The sandbox only drives.")
        from_list, to_list = origins.split("|"), destinations.split("|")
        if len(from_list) > MAX_DIMENSION or len(to_list) > MAX_DIMENSION:
            return _legacy_status("MAX_DIMENSIONS_EXCEEDED", "Too many origins or destinations.")
        if len(from_list) * len(to_list) > MAX_ELEMENTS:
            return _legacy_status("MAX_ELEMENTS_EXCEEDED", "Too many elements.")
        located_from = [_locate(text) for text in from_list]
        located_to = [_locate(text) for text in to_list]
        rows = [
            {"elements": [_legacy_element(a, b, units) for b in located_to]} for a in located_from
        ]
        return JSONResponse(
            {
                "destination_addresses": [p[1] if p else "" for p in located_to],
                "origin_addresses": [p[1] if p else "" for p in located_from],
                "rows": rows,
                "status": "OK",
            }
        )

    return router


def _legacy_element(
    a: tuple[tuple[float, float], str] | None,
    b: tuple[tuple[float, float], str] | None,
    units: str | None,
) -> dict[str, Any]:
    if a is None or b is None:
        return {"status": "NOT_FOUND"}
    route = drive(a[0], b[0])
    if route is None:
        return {"status": "ZERO_RESULTS"}
    meters, seconds = route
    return {
        "distance": {"text": distance_text(meters, units), "value": meters},
        "duration": {"text": duration_text(seconds), "value": seconds},
        "status": "OK",
    }


class _RoutesError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _routes_point(entry: Any, which: str, index: int) -> tuple[float, float] | None:
    """A RouteMatrixOrigin/Destination's waypoint: a latLng, or an address we know (None if not)."""
    waypoint = entry.get("waypoint") if isinstance(entry, dict) else None
    if not isinstance(waypoint, dict):
        raise _RoutesError(400, f"Invalid {which}[{index}]: waypoint is required.")
    location = waypoint.get("location")
    if isinstance(location, dict) and isinstance(location.get("latLng"), dict):
        lat_lng = location["latLng"]
        try:
            lat, lng = float(lat_lng.get("latitude", 0)), float(lat_lng.get("longitude", 0))
        except (TypeError, ValueError) as error:
            raise _RoutesError(400, f"Invalid {which}[{index}].waypoint.location.") from error
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise _RoutesError(400, f"Invalid {which}[{index}]: latLng out of range.")
        return lat, lng
    if isinstance(waypoint.get("address"), str):
        match = find_place(waypoint["address"])
        return (match.place.lat, match.place.lng) if match else None
    raise _RoutesError(400, f"Invalid {which}[{index}]: the sandbox takes location or address.")


def _mask(element: dict[str, Any], field_mask: str) -> dict[str, Any]:
    fields = {part.strip() for part in field_mask.split(",") if part.strip()}
    if "*" in fields:
        return element
    return {name: value for name, value in element.items() if name in fields}


def _routes_element(
    origin_index: int,
    destination_index: int,
    a: tuple[float, float] | None,
    b: tuple[float, float] | None,
) -> dict[str, Any]:
    # proto3 JSON leaves out fields at their default value: index 0, an OK status's code.
    element: dict[str, Any] = {}
    if origin_index:
        element["originIndex"] = origin_index
    if destination_index:
        element["destinationIndex"] = destination_index
    if a is None or b is None:
        element["status"] = {"code": 5, "message": "Waypoint could not be geocoded."}
        element["condition"] = "ROUTE_MATRIX_ELEMENT_CONDITION_UNSPECIFIED"
        return element
    element["status"] = {}
    route = drive(a, b)
    if route is None:
        element["condition"] = "ROUTE_NOT_FOUND"
        return element
    meters, seconds = route
    element["condition"] = "ROUTE_EXISTS"
    if meters:
        element["distanceMeters"] = meters
    element["duration"] = f"{seconds}s"
    element["staticDuration"] = f"{seconds}s"
    return element


def _routes_api(state: GoogleMapsState) -> APIRouter:
    router = APIRouter()

    @router.post("/distanceMatrix/v2:computeRouteMatrix")
    async def compute_route_matrix(
        request: Request,
        x_goog_api_key: Annotated[str | None, Header()] = None,
        x_goog_fieldmask: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        with state.lock:
            state.route_matrix_requests += 1
        key = x_goog_api_key or request.query_params.get("key")
        if key != state.api_key:
            message = (
                "The request is missing a valid API key."
                if not key
                else "Permission denied: the API key is not valid for this API."
            )
            return JSONResponse(rpc_error(403, message), status_code=403)
        field_mask = (
            x_goog_fieldmask
            or request.query_params.get("fields")
            or request.query_params.get("$fields")
        )
        if not field_mask:
            return JSONResponse(
                rpc_error(
                    400,
                    "FieldMask is a required parameter. See "
                    "https://cloud.google.com/apis/docs/system-parameters on how to provide it. "
                    "As an example, you can set the header 'X-Goog-FieldMask' to value "
                    "'originIndex,destinationIndex,status,condition,distanceMeters,duration'.",
                ),
                status_code=400,
            )
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse(rpc_error(400, "Invalid JSON payload."), status_code=400)
        try:
            elements = _route_matrix(body, field_mask)
        except _RoutesError as error:
            return JSONResponse(rpc_error(error.status, error.message), status_code=error.status)
        return JSONResponse(elements)

    return router


def _route_matrix(body: Any, field_mask: str) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        raise _RoutesError(400, "Invalid JSON payload: expected an object.")
    origins, destinations = body.get("origins"), body.get("destinations")
    if not isinstance(origins, list) or not origins:
        raise _RoutesError(400, "Invalid request: origins is required.")
    if not isinstance(destinations, list) or not destinations:
        raise _RoutesError(400, "Invalid request: destinations is required.")
    if len(origins) * len(destinations) > 625:
        raise _RoutesError(400, "Number of elements must not exceed 625.")
    travel_mode = body.get("travelMode", "DRIVE")
    if travel_mode not in ("DRIVE", "TRAVEL_MODE_UNSPECIFIED"):
        raise _RoutesError(400, f"The sandbox only drives, not {travel_mode}.")
    preference = body.get("routingPreference", "TRAFFIC_UNAWARE")
    if preference not in (
        "TRAFFIC_UNAWARE",
        "TRAFFIC_AWARE",
        "TRAFFIC_AWARE_OPTIMAL",
        "ROUTING_PREFERENCE_UNSPECIFIED",
    ):
        raise _RoutesError(400, f"Invalid value at 'routing_preference' ({preference}).")
    points_from = [_routes_point(entry, "origins", i) for i, entry in enumerate(origins)]
    points_to = [_routes_point(entry, "destinations", i) for i, entry in enumerate(destinations)]
    return [
        _mask(_routes_element(i, j, a, b), field_mask)
        for i, a in enumerate(points_from)
        for j, b in enumerate(points_to)
    ]
