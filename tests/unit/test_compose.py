"""docker-compose.yml describes the production topology; keep it parseable and complete."""

from pathlib import Path

import yaml

from core.settings import PROJECT_ROOT


def _compose() -> dict[str, object]:
    loaded = yaml.safe_load(Path(PROJECT_ROOT / "docker-compose.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_names_the_production_services() -> None:
    services = _compose()["services"]
    assert isinstance(services, dict)
    assert {"postgres", "temporal", "temporal-ui", "api", "worker"} <= set(services)


def test_api_and_worker_run_teppan_against_postgres_and_temporal() -> None:
    services = _compose()["services"]
    assert isinstance(services, dict)
    for name in ("api", "worker"):
        environment = services[name]["environment"]
        assert environment["TEPPAN_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert environment["TEPPAN_TEMPORAL_ADDRESS"] == "temporal:7233"
        assert environment["TEPPAN_ENVIRONMENT"] == "production"
    assert "teppan db upgrade" in " ".join(services["api"]["command"])
    assert services["worker"]["command"] == ["teppan", "worker"]
