from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from domain.reviews.analytics import WeekRating, awaiting_approval, review_analytics
from domain.reviews.models import ReplyStatus, Review

ZONE = "America/Los_Angeles"
PACIFIC = ZoneInfo(ZONE)
# Friday 20 November 2026, 4 a.m. in Fremont: the current week started Monday 16 November.
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _review(
    session: Session,
    stars: int,
    written: datetime,
    status: ReplyStatus = ReplyStatus.NONE,
    reply_after: timedelta | None = None,
) -> Review:
    review = Review(
        google_review_id=f"r-{stars}-{written.isoformat()}",
        reviewer_name="Jane Doe",
        star_rating=stars,
        created_on_google_at=written,
        updated_on_google_at=written,
        reply_status=status,
        replied_at=written + reply_after if reply_after is not None else None,
    )
    session.add(review)
    session.flush()
    return review


def _local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=PACIFIC)


def test_weekly_averages_share_replied_and_median_time_to_reply(session: Session) -> None:
    # Sunday night before the window, in Fremont (Monday morning in UTC): outside it.
    _review(session, 1, _local(10, 25, 23), ReplyStatus.AWAITING_APPROVAL)
    # Answered before Teppan was connected: a reply, with no known time.
    _review(session, 4, _local(10, 26, 0, 30), ReplyStatus.POSTED)
    # Our reply was deleted in Google: not answered any more.
    _review(session, 1, _local(11, 9, 10), ReplyStatus.REMOVED_ON_GOOGLE, timedelta(hours=1))
    # Sunday 23:30 in Fremont is already Monday in UTC: still the week of 9 November.
    _review(session, 5, _local(11, 15, 23, 30), ReplyStatus.POSTED, timedelta(hours=4))
    _review(session, 5, _local(11, 17, 9), ReplyStatus.POSTED, timedelta(hours=2))
    _review(session, 2, _local(11, 18, 9), ReplyStatus.POSTED, timedelta(hours=10))
    _review(session, 3, _local(11, 19, 9), ReplyStatus.AWAITING_APPROVAL)

    figures = review_analytics(session, ZONE, weeks=4, now=NOW)

    assert [week.monday for week in figures.weeks] == [
        date(2026, 10, 26),
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
    ]
    assert figures.weeks[:3] == [
        WeekRating(date(2026, 10, 26), 1, 4.0),
        WeekRating(date(2026, 11, 2), 0, None),
        WeekRating(date(2026, 11, 9), 2, 3.0),
    ]
    assert figures.weeks[3].reviews == 3
    assert figures.weeks[3].average_stars == pytest.approx(10 / 3)
    assert figures.first_monday == date(2026, 10, 26)
    assert figures.reviews == 6
    assert figures.average_stars == pytest.approx(20 / 6)
    assert figures.replied == 4
    assert figures.share_replied == pytest.approx(4 / 6)
    assert figures.median_time_to_reply == timedelta(hours=4)
    # Both drafts wait, the one written before the window included.
    assert figures.awaiting_approval == 2 == awaiting_approval(session)


def test_one_week_and_no_reviews(session: Session) -> None:
    figures = review_analytics(session, ZONE, weeks=1, now=NOW)
    assert figures.weeks == [WeekRating(date(2026, 11, 16), 0, None)]
    assert figures.reviews == 0 and figures.average_stars is None
    assert figures.share_replied is None and figures.median_time_to_reply is None
    assert figures.awaiting_approval == 0


def test_the_week_follows_the_business_time_zone(session: Session) -> None:
    # Monday 16 November, 1 a.m. in Tokyo is still Sunday 15 November in Fremont.
    _review(session, 5, datetime(2026, 11, 16, 1, tzinfo=ZoneInfo("Asia/Tokyo")))
    fremont = review_analytics(session, ZONE, weeks=2, now=NOW)
    tokyo = review_analytics(session, "Asia/Tokyo", weeks=2, now=NOW)
    assert [week.reviews for week in fremont.weeks] == [1, 0]
    assert [week.reviews for week in tokyo.weeks] == [0, 1]


def test_the_number_of_weeks_is_bounded(session: Session) -> None:
    for weeks in (0, 105):
        with pytest.raises(ValueError, match="weeks must be between 1 and 104"):
            review_analytics(session, ZONE, weeks=weeks, now=NOW)
