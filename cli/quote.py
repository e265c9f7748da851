"""`teppan quote`: the quote contract, one JSON object on standard output.

Prices with the business's settings when the database has them (else the demo defaults), the
travel from Google when a key is configured and `--offline` is not given, else the offline
ZIP estimate. Stateless: it stores nothing and texts nobody.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from activities.travel import TravelMeasurer
from core.db import make_engine
from core.settings import Settings
from domain.business.models import BusinessSettings
from domain.demo_data import DEMO_BASE_ADDRESS
from domain.quotes import messages
from domain.quotes.rules import meters_to_miles, price_quote, travel_fee
from domain.quotes.service import travel_rule
from integrations.factory import google_maps
from integrations.maps.base import AddressNotFoundError, RouteNotFoundError
from integrations.maps.offline_estimate import OfflineEstimateMaps


def business_settings(settings: Settings) -> BusinessSettings:
    """The business's own settings row, or the demo business's defaults before any set-up."""
    engine = make_engine(settings.effective_database_url)
    try:
        with Session(engine) as session:
            row = session.get(BusinessSettings, 1)
            if row is not None:
                return row
    except SQLAlchemyError:
        pass  # no database yet: price with the defaults
    finally:
        engine.dispose()
    return BusinessSettings(
        name=settings.business_name,
        base_address=DEMO_BASE_ADDRESS,
        phone_number=settings.business_sms_number,
    )


def quote_contract(
    settings: Settings, *, address: str, adults: int, children: int, offline: bool
) -> dict[str, Any]:
    business = business_settings(settings)
    google = None if offline or settings.google_maps_api_key is None else google_maps(settings)
    measurer = TravelMeasurer(None, google, OfflineEstimateMaps())
    answer: dict[str, Any] = {
        "formatted_address": None,
        "distance_miles": None,
        "duration_minutes": None,
        "travel_fee_cents": 0,
        "subtotal_cents": 0,
        "total_cents": 0,
        "deposit_cents": 0,
        "source": "google" if google is not None else "estimate",
        "declined": True,
        "reason": "",
    }
    try:
        travel = measurer.measure(business.base_address, address)
    except AddressNotFoundError:
        return answer | {"reason": messages.ADDRESS_NOT_FOUND}
    except RouteNotFoundError:
        return answer | {"reason": messages.NO_ROUTE}
    miles = meters_to_miles(travel.meters)
    fee = travel_fee(miles, travel_rule(business))
    price = price_quote(
        adults=adults,
        children=children,
        price_per_adult_cents=business.price_per_adult_cents,
        price_per_child_cents=business.price_per_child_cents,
        add_ons=[],
        minimum_spend_cents=business.minimum_spend_cents,
        deposit_percent=business.deposit_percent,
        tax_rate_basis_points=business.tax_rate_basis_points,
        travel=fee,
    )
    answer |= {
        "formatted_address": travel.formatted_address,
        "distance_miles": miles,
        "duration_minutes": round(travel.seconds / 60),
        "source": travel.source,
        "declined": fee.declined,
        "reason": fee.reason,
    }
    if not fee.declined:
        answer |= {
            "travel_fee_cents": fee.fee_cents,
            "subtotal_cents": price.subtotal_cents,
            "total_cents": price.total_cents,
            "deposit_cents": price.deposit_cents,
        }
    return answer
