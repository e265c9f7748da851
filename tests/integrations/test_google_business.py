"""The Google Business Profile adapter (OAuth, locations, reviews, replies) over httpx against
the wire-format emulator."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from integrations.errors import ProviderRejectedError, ProviderTransientError
from integrations.reviews.base import ProviderReview, ReviewsProvider, ReviewsReconnectRequired
from integrations.reviews.google_business import (
    BUSINESS_SCOPE,
    GoogleBusinessReviews,
    GoogleBusinessUrls,
    parse_google_time,
)
from sandbox.google_business import SANDBOX_CLIENT_ID
from tests.google_business_fixtures import REDIRECT_URI, GoogleBusinessSandbox

REVIEWS_PATH = "/v4/accounts/"


def _by_id(reviews: list[ProviderReview]) -> dict[str, ProviderReview]:
    return {review.review_id: review for review in reviews}


# --- OAuth --------------------------------------------------------------------------------------


def test_consent_flow_gives_a_refresh_token_and_a_code_works_once(
    google_business: GoogleBusinessSandbox,
) -> None:
    oauth = google_business.oauth()
    url = oauth.authorization_url(REDIRECT_URI, "csrf-123")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == google_business.url
    assert parts.path == "/o/oauth2/v2/auth"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["client_id"] == SANDBOX_CLIENT_ID
    assert query["redirect_uri"] == REDIRECT_URI
    assert query["response_type"] == "code" and query["scope"] == BUSINESS_SCOPE
    assert query["access_type"] == "offline" and query["prompt"] == "consent"

    answer = google_business.consent(url)
    assert answer["state"] == ["csrf-123"]
    before = dt.datetime.now(dt.UTC)
    tokens = oauth.exchange_code(answer["code"][0], REDIRECT_URI)
    assert tokens.refresh_token and tokens.access_token
    assert dt.timedelta(minutes=59) < tokens.expires_at - before <= dt.timedelta(minutes=61)

    with pytest.raises(ProviderRejectedError, match="invalid_grant") as reused:
        oauth.exchange_code(answer["code"][0], REDIRECT_URI)
    assert not isinstance(reused.value, ReviewsReconnectRequired)

    refreshed = oauth.refresh(tokens.refresh_token)
    assert refreshed.access_token != tokens.access_token
    assert refreshed.refresh_token == tokens.refresh_token
    assert google_business.snapshot()["token_requests"] == {
        "authorization_code": 2,
        "refresh_token": 1,
    }


def test_a_code_is_bound_to_its_redirect_uri(google_business: GoogleBusinessSandbox) -> None:
    oauth = google_business.oauth()
    code = google_business.consent(oauth.authorization_url(REDIRECT_URI, "s"))["code"][0]
    with pytest.raises(ProviderRejectedError, match="redirect_uri_mismatch") as raised:
        oauth.exchange_code(code, "http://127.0.0.1:8000/elsewhere")
    assert raised.value.status == 400


def test_consent_page_allow_and_cancel(google_business: GoogleBusinessSandbox) -> None:
    oauth = google_business.oauth()
    url = oauth.authorization_url(REDIRECT_URI, "page")
    with httpx.Client() as browser:
        page = browser.get(url)
        assert page.status_code == 200 and "Allow" in page.text and "business" in page.text
        form = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        allowed = browser.post(
            f"{google_business.url}/o/oauth2/v2/auth/decision", data={**form, "decision": "allow"}
        )
    assert allowed.status_code == 302
    back = urlsplit(allowed.headers["location"])
    assert back.path == urlsplit(REDIRECT_URI).path
    code = parse_qs(back.query)["code"][0]
    assert oauth.exchange_code(code, REDIRECT_URI).refresh_token

    denied = google_business.consent(url, decision="deny")
    assert denied == {"error": ["access_denied"], "state": ["page"]}


def test_wrong_client_secret_is_rejected(google_business: GoogleBusinessSandbox) -> None:
    good = google_business.oauth()
    code = google_business.consent(good.authorization_url(REDIRECT_URI, "s"))["code"][0]
    with pytest.raises(ProviderRejectedError, match="invalid_client") as raised:
        google_business.oauth(client_secret="GOCSPX-wrong").exchange_code(code, REDIRECT_URI)
    assert raised.value.status == 401


def test_consent_without_the_business_permission_needs_reconnecting(
    google_business: GoogleBusinessSandbox,
) -> None:
    oauth = google_business.oauth()
    url = oauth.authorization_url(REDIRECT_URI, "s").replace("business.manage", "userinfo.email")
    code = google_business.consent(url)["code"][0]
    with pytest.raises(ReviewsReconnectRequired, match="did not grant"):
        oauth.exchange_code(code, REDIRECT_URI)


# --- locations and reviews ----------------------------------------------------------------------


def test_locations_of_the_account(google_business: GoogleBusinessSandbox) -> None:
    reviews = google_business.reviews()
    assert reviews.locations() == [google_business.location]
    second = google_business.add_location("Teppan Sacramento", "1234567890")
    found = reviews.locations()
    assert [x.location for x in found] == [google_business.location.location, second["name"]]
    assert found[1].title == "Teppan Sacramento"
    assert {x.account for x in found} == {google_business.location.account}


def test_listing_reads_every_page_newest_change_first(
    google_business: GoogleBusinessSandbox,
) -> None:
    start = dt.datetime(2026, 4, 1, 18, 0, tzinfo=dt.UTC)
    for day in range(7):
        google_business.add_review(
            4, f"review {day}", create_time=start + dt.timedelta(days=day, microseconds=day)
        )
    reviews = google_business.reviews(page_size=3)
    listed = reviews.list_reviews(google_business.location)
    assert [r.comment for r in listed] == [f"review {day}" for day in reversed(range(7))]
    assert google_business.snapshot()["requests"]["list_reviews"] == 3
    assert listed[-1].created_at == start and listed[-1].created_at.tzinfo is not None


def test_no_reviews_is_an_empty_list(google_business: GoogleBusinessSandbox) -> None:
    assert google_business.reviews().list_reviews(google_business.location) == []


def test_review_fields_and_star_ratings(google_business: GoogleBusinessSandbox) -> None:
    created = dt.datetime(2026, 3, 14, 19, 30, 5, 250000, tzinfo=dt.UTC)
    ids = {
        stars: google_business.add_review(
            stars, f"{stars} stars", reviewer_name=f"Guest {stars}", create_time=created
        )["reviewId"]
        for stars in range(1, 6)
    }
    silent = google_business.add_review(5, None, reviewer_name="Kevin Tran")["reviewId"]
    listed = _by_id(google_business.reviews().list_reviews(google_business.location))
    for stars, review_id in ids.items():
        review = listed[review_id]
        assert review.star_rating == stars and review.comment == f"{stars} stars"
        assert review.reviewer_name == f"Guest {stars}" and not review.is_anonymous
        assert review.created_at == created == review.updated_at
        assert review.reply_comment is None and review.reply_updated_at is None
    assert listed[silent].comment == "" and listed[silent].star_rating == 5


def test_anonymous_reviewer(google_business: GoogleBusinessSandbox) -> None:
    review_id = google_business.add_review(3, "ok", anonymous=True)["reviewId"]
    review = _by_id(google_business.reviews().list_reviews(google_business.location))[review_id]
    assert review.is_anonymous and review.reviewer_name == "A Google user"


def test_an_edited_review_moves_its_update_time(google_business: GoogleBusinessSandbox) -> None:
    created = dt.datetime(2026, 4, 2, 12, tzinfo=dt.UTC)
    review_id = google_business.add_review(2, "late chef", create_time=created)["reviewId"]
    google_business.edit_review(review_id, stars=4, comment="late chef, but they made up for it")
    review = google_business.reviews().list_reviews(google_business.location)[0]
    assert review.star_rating == 4 and review.comment.endswith("made up for it")
    assert review.created_at == created and review.updated_at > created


def test_timestamps_with_nanoseconds_and_offsets() -> None:
    assert parse_google_time("2026-04-01T18:00:00.123456789Z") == dt.datetime(
        2026, 4, 1, 18, 0, 0, 123456, tzinfo=dt.UTC
    )
    assert parse_google_time("2026-04-01T11:00:00-07:00") == dt.datetime(
        2026, 4, 1, 18, tzinfo=dt.UTC
    )
    with pytest.raises(ProviderTransientError):
        parse_google_time("yesterday")


# --- replies ------------------------------------------------------------------------------------


def test_reply_then_list_shows_it(google_business: GoogleBusinessSandbox) -> None:
    review_id = google_business.add_review(5, "Amazing show")["reviewId"]
    provider: ReviewsProvider = google_business.reviews()
    before = dt.datetime.now(dt.UTC)
    stored_at = provider.put_reply(google_business.location, review_id, "Thank you, Maria! 🔥")
    assert before - dt.timedelta(seconds=1) <= stored_at <= dt.datetime.now(dt.UTC)
    review = provider.list_reviews(google_business.location)[0]
    assert review.reply_comment == "Thank you, Maria! 🔥"
    assert review.reply_updated_at == stored_at
    state = google_business.snapshot()
    assert state["replies_received"] == 1
    assert state["replies"][0]["review_id"] == review_id


def test_replying_again_replaces_the_reply(google_business: GoogleBusinessSandbox) -> None:
    review_id = google_business.add_review(4)["reviewId"]
    reviews = google_business.reviews()
    reviews.put_reply(google_business.location, review_id, "Thanks!")
    reviews.put_reply(google_business.location, review_id, "Thanks a lot!")
    assert reviews.list_reviews(google_business.location)[0].reply_comment == "Thanks a lot!"
    assert google_business.snapshot()["replies_received"] == 2


def test_delete_reply_and_deleting_again_is_harmless(
    google_business: GoogleBusinessSandbox,
) -> None:
    review_id = google_business.add_review(1, "Cold food")["reviewId"]
    reviews = google_business.reviews()
    reviews.put_reply(google_business.location, review_id, "Sorry, please call us.")
    reviews.delete_reply(google_business.location, review_id)
    assert reviews.list_reviews(google_business.location)[0].reply_comment is None
    reviews.delete_reply(google_business.location, review_id)
    assert google_business.snapshot()["requests"]["delete_reply"] == 2


def test_a_reply_the_owner_removed_in_google_is_gone(
    google_business: GoogleBusinessSandbox,
) -> None:
    review_id = google_business.add_review(5, "Great")["reviewId"]
    reviews = google_business.reviews()
    reviews.put_reply(google_business.location, review_id, "Thanks!")
    google_business.remove_reply(review_id)
    assert reviews.list_reviews(google_business.location)[0].reply_comment is None


def test_reply_to_an_unknown_review_is_rejected(google_business: GoogleBusinessSandbox) -> None:
    with pytest.raises(ProviderRejectedError, match="NOT_FOUND") as raised:
        google_business.reviews().put_reply(google_business.location, "AbFvOqMissing", "Hi")
    assert raised.value.status == 404


def test_a_reply_over_4096_bytes_never_leaves(google_business: GoogleBusinessSandbox) -> None:
    review_id = google_business.add_review(5, "Great")["reviewId"]
    reviews = google_business.reviews()
    too_long = "é" * 2049  # 2049 characters, 4098 bytes of UTF-8
    with pytest.raises(ProviderRejectedError, match="4096 bytes") as raised:
        reviews.put_reply(google_business.location, review_id, too_long)
    assert not isinstance(raised.value, ProviderTransientError)
    with pytest.raises(ProviderRejectedError, match="empty"):
        reviews.put_reply(google_business.location, review_id, "   ")
    assert "put_reply" not in google_business.snapshot()["requests"]
    reviews.put_reply(google_business.location, review_id, "é" * 2048)  # exactly 4096 bytes
    assert google_business.snapshot()["replies_received"] == 1


def test_the_emulator_refuses_a_long_reply_itself(google_business: GoogleBusinessSandbox) -> None:
    review_id = google_business.add_review(5, "Great")["reviewId"]
    token = google_business.connect().access_token
    location = google_business.location
    response = httpx.put(
        f"{google_business.url}/v4/{location.account}/{location.location}/reviews/"
        f"{review_id}/reply",
        json={"comment": "x" * 4097},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert google_business.snapshot()["replies_received"] == 0


# --- tokens -------------------------------------------------------------------------------------


def test_access_token_is_refreshed_once_and_reused(
    google_business: GoogleBusinessSandbox,
) -> None:
    reviews = google_business.reviews()
    reviews.list_reviews(google_business.location)
    reviews.list_reviews(google_business.location)
    reviews.locations()
    state = google_business.snapshot()
    assert state["token_requests"]["refresh_token"] == 1
    assert state["unauthorized_requests"] == 0


def test_expired_token_refreshed_after_a_401_and_the_call_repeated(
    google_business: GoogleBusinessSandbox,
) -> None:
    review_id = google_business.add_review(5, "Great")["reviewId"]
    reviews = google_business.reviews()
    reviews.list_reviews(google_business.location)
    google_business.expire_access_tokens()
    reviews.put_reply(google_business.location, review_id, "Thanks!")
    state = google_business.snapshot()
    assert state["token_requests"]["refresh_token"] == 2
    assert state["unauthorized_requests"] == 1
    assert state["requests"]["put_reply"] == 2 and state["replies_received"] == 1


def test_a_token_about_to_expire_is_refreshed_before_the_call(
    google_business: GoogleBusinessSandbox,
) -> None:
    google_business.set_access_token_ttl(30)  # inside the adapter's one-minute margin
    reviews = google_business.reviews()
    reviews.list_reviews(google_business.location)
    reviews.list_reviews(google_business.location)
    state = google_business.snapshot()
    assert state["token_requests"]["refresh_token"] == 2
    assert state["unauthorized_requests"] == 0


def test_revoked_access_needs_reconnecting(google_business: GoogleBusinessSandbox) -> None:
    reviews = google_business.reviews()
    reviews.list_reviews(google_business.location)
    google_business.revoke_access()
    with pytest.raises(ReviewsReconnectRequired, match="invalid_grant") as raised:
        reviews.list_reviews(google_business.location)
    assert isinstance(raised.value, ProviderRejectedError)
    with pytest.raises(ReviewsReconnectRequired):
        google_business.reviews(reviews.refresh_token).locations()


def test_disconnecting_revokes_the_refresh_token(google_business: GoogleBusinessSandbox) -> None:
    oauth = google_business.oauth()
    tokens = google_business.connect(oauth)
    assert tokens.refresh_token
    oauth.revoke(tokens.refresh_token)
    oauth.revoke(tokens.refresh_token)  # already gone: still fine
    with pytest.raises(ReviewsReconnectRequired):
        oauth.refresh(tokens.refresh_token)


def test_the_api_refuses_requests_without_a_valid_token(
    google_business: GoogleBusinessSandbox,
) -> None:
    for headers in ({}, {"Authorization": "Bearer ya29.made-up"}):
        response = httpx.get(f"{google_business.url}/v1/accounts", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["status"] == "UNAUTHENTICATED"


# --- faults -------------------------------------------------------------------------------------


def test_rate_limit_is_transient_with_retry_after(google_business: GoogleBusinessSandbox) -> None:
    reviews = google_business.reviews()
    google_business.fault(path_prefix=REVIEWS_PATH, kind="rate_limit", retry_after_seconds=7)
    with pytest.raises(ProviderTransientError) as raised:
        reviews.list_reviews(google_business.location)
    assert raised.value.status == 429 and raised.value.retry_after == 7
    assert "RESOURCE_EXHAUSTED" in raised.value.message
    assert reviews.list_reviews(google_business.location) == []


def test_server_error_is_transient(google_business: GoogleBusinessSandbox) -> None:
    review_id = google_business.add_review(5)["reviewId"]
    reviews = google_business.reviews()
    google_business.fault(path_prefix=REVIEWS_PATH, kind="server_error", method="PUT")
    with pytest.raises(ProviderTransientError) as raised:
        reviews.put_reply(google_business.location, review_id, "Thanks!")
    assert raised.value.status == 500
    google_business.fault(path_prefix="/token", kind="server_error")
    with pytest.raises(ProviderTransientError, match="token endpoint"):
        google_business.reviews(reviews.refresh_token).list_reviews(google_business.location)


def test_no_answer_in_time_is_transient(google_business: GoogleBusinessSandbox) -> None:
    reviews = google_business.reviews(timeout=0.3)
    google_business.fault(path_prefix=REVIEWS_PATH, kind="delay", delay_seconds=1.0)
    with pytest.raises(ProviderTransientError, match="no answer in time"):
        reviews.list_reviews(google_business.location)


def test_connection_refused_is_transient(google_business: GoogleBusinessSandbox) -> None:
    reviews = google_business.reviews()
    unreachable = GoogleBusinessReviews(
        google_business.oauth(),
        reviews.refresh_token,
        GoogleBusinessUrls.sandbox("http://127.0.0.1:9"),
        timeout=1.0,
    )
    try:
        with pytest.raises(ProviderTransientError, match="no response"):
            unreachable.list_reviews(google_business.location)
    finally:
        unreachable.close()
