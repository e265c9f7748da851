from fastapi.testclient import TestClient


def test_health_is_always_ok(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_ready_reports_each_dependency(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 503  # Temporal is not running in this test
    assert response.json()["checks"] == {"database": "ok", "temporal": "unreachable"}


def test_openapi_lists_the_versioned_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/customers" in paths and "/api/v1/bookings/{booking_id}" in paths
