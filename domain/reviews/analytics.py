"""How the business's reviews are going: average rating week by week, how many got a reply, how
fast, and how many drafts wait for a manager.

Weeks run Monday to Sunday in the business's time zone, like the payments report, so a review
written on a Sunday evening counts in the week the owner saw it. The reply figures cover the
reviews written in the same weeks; a reply posted before Teppan was connected counts as a reply
but has no known time, so it is left out of the median.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.timeutil import to_local, utcnow
from domain.reviews.models import ReplyStatus, Review

WEEK = timedelta(days=7)
DEFAULT_WEEKS = 12
MAX_WEEKS = 104


@dataclass(frozen=True)
class WeekRating:
    monday: date
    reviews: int
    average_stars: float | None  # None: no review that week


@dataclass(frozen=True)
class ReviewAnalytics:
    timezone: str
    weeks: list[WeekRating]  # oldest first, ending with the current week
    reviews: int  # written in those weeks
    average_stars: float | None
    replied: int  # of those, answered on Google (our reply, or one posted before Teppan)
    median_time_to_reply: timedelta | None
    awaiting_approval: int  # drafts waiting for a manager now, whenever written

    @property
    def share_replied(self) -> float | None:
        return self.replied / self.reviews if self.reviews else None

    @property
    def first_monday(self) -> date:
        return self.weeks[0].monday


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def awaiting_approval(session: Session) -> int:
    """Drafts a manager still has to approve or skip: the menu's badge."""
    count = session.exec(
        select(func.count())
        .select_from(Review)
        .where(Review.reply_status == ReplyStatus.AWAITING_APPROVAL)
    ).one()
    return int(count)


def review_analytics(
    session: Session,
    timezone: str,
    weeks: int = DEFAULT_WEEKS,
    now: datetime | None = None,
) -> ReviewAnalytics:
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be between 1 and {MAX_WEEKS}, not {weeks}")
    zone = ZoneInfo(timezone)
    this_monday = monday_of(to_local(now or utcnow(), timezone).date())
    mondays = [this_monday - WEEK * back for back in range(weeks - 1, -1, -1)]
    start = datetime.combine(mondays[0], time(0), zone)
    end = datetime.combine(this_monday + WEEK, time(0), zone)
    rows = session.exec(
        select(
            Review.star_rating, Review.created_on_google_at, Review.reply_status, Review.replied_at
        ).where(col(Review.created_on_google_at) >= start, col(Review.created_on_google_at) < end)
    ).all()

    stars_by_week: dict[date, list[int]] = {monday: [] for monday in mondays}
    waits: list[float] = []
    replied = 0
    for stars, created, status, replied_at in rows:
        stars_by_week[monday_of(to_local(created, timezone).date())].append(stars)
        if status == ReplyStatus.POSTED:
            replied += 1
            if replied_at is not None and replied_at >= created:
                waits.append((replied_at - created).total_seconds())
    every_star = [stars for week in stars_by_week.values() for stars in week]
    return ReviewAnalytics(
        timezone=timezone,
        weeks=[
            WeekRating(monday, len(stars), _average(stars))
            for monday, stars in stars_by_week.items()
        ],
        reviews=len(every_star),
        average_stars=_average(every_star),
        replied=replied,
        median_time_to_reply=timedelta(seconds=median(waits)) if waits else None,
        awaiting_approval=awaiting_approval(session),
    )


def _average(stars: list[int]) -> float | None:
    return sum(stars) / len(stars) if stars else None
