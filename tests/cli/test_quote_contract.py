"""`teppan quote`: the quote contract, offline and through Google (the emulator)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.settings import get_settings
from sandbox.google_maps import SANDBOX_GOOGLE_API_KEY
from tests.sandbox_fixtures import GoogleMapsSandbox

KEYS = {
    "formatted_address",
    "distance_miles",
    "duration_minutes",
    "travel_fee_cents",
    "subtotal_cents",
    "total_cents",
    "deposit_cents",
    "source",
    "declined",
    "reason",
}


@pytest.fixture(autouse=True)
def _no_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    # An empty data folder: the contract prices with the demo business's defaults.
    monkeypatch.setenv("TEPPAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TEPPAN_GOOGLE_MAPS_API_KEY", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _quote(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["quote", *args])
    assert result.exit_code == 0, result.output
    answer: dict[str, Any] = json.loads(result.output)
    assert set(answer) == KEYS
    return answer


def test_offline_estimate_for_stockton() -> None:
    answer = _quote(
        "--address",
        "2200 Pacific Ave, Stockton, CA 95204",
        "--adults",
        "25",
        "--children",
        "2",
        "--date",
        "2026-12-09",
        "--offline",
    )
    assert answer["source"] == "estimate" and not answer["declined"]
    assert 50 < answer["distance_miles"] < 75
    assert answer["travel_fee_cents"] == round((answer["distance_miles"] - 30) * 200)
    food = 25 * 6000 + 2 * 3000
    assert answer["subtotal_cents"] == food + answer["travel_fee_cents"]
    assert answer["total_cents"] == answer["subtotal_cents"]  # the demo business charges no tax
    assert answer["deposit_cents"] == round(answer["total_cents"] * 0.2)


def test_no_key_means_the_estimate_and_near_means_free() -> None:
    answer = _quote("--address", "4501 Pleasanton Ave, Pleasanton, CA 94566", "--adults", "8")
    assert answer["source"] == "estimate" and answer["travel_fee_cents"] == 0
    assert answer["total_cents"] == 60000  # 8 adults at $60 is below the $600 minimum spend


def test_too_far_and_unknown_addresses_are_declined_with_a_reason() -> None:
    far = _quote("--address", "2600 Fresno St, Fresno, CA 93721", "--adults", "20", "--offline")
    assert far["declined"] and "special arrangements" in far["reason"]
    assert far["total_cents"] == 0 and far["distance_miles"] > 100
    unknown = _quote("--address", "the big house by the lake", "--adults", "20", "--offline")
    assert unknown["declined"] and "ZIP code" in unknown["reason"]
    assert unknown["formatted_address"] is None


def test_google_through_the_emulator(
    monkeypatch: pytest.MonkeyPatch, google_maps: GoogleMapsSandbox
) -> None:
    monkeypatch.setenv("TEPPAN_GOOGLE_MAPS_API_KEY", SANDBOX_GOOGLE_API_KEY)
    monkeypatch.setenv("TEPPAN_GOOGLE_MAPS_BASE_URL", google_maps.url)
    get_settings.cache_clear()
    answer = _quote("--address", "2200 Pacific Ave, Stockton, CA 95204", "--adults", "25")
    assert answer["source"] == "google" and "Stockton" in answer["formatted_address"]
    assert google_maps.state.distance_matrix_requests == 1
    offline = _quote(
        "--address", "2200 Pacific Ave, Stockton, CA 95204", "--adults", "25", "--offline"
    )
    assert offline["source"] == "estimate" and google_maps.state.distance_matrix_requests == 1


def test_bad_arguments_are_refused() -> None:
    result = CliRunner().invoke(
        app, ["quote", "--address", "Stockton 95204", "--adults", "2", "--date", "12/09/2026"]
    )
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
