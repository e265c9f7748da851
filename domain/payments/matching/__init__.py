"""Matching incoming bank payments to open bookings: pure, no database, no network."""

from domain.payments.matching.descriptors import ParsedDescriptor, parse_descriptor
from domain.payments.matching.index import MatchingIndex, naive_match
from domain.payments.matching.models import (
    BankTransaction,
    BookingCandidate,
    CandidateScore,
    Decision,
    MatchResult,
    MatchSettings,
    PaymentType,
)
from domain.payments.matching.names import NameMatch, name_similarity
from domain.payments.matching.scoring import BookingProfile, BookingTable

__all__ = [
    "BankTransaction",
    "BookingCandidate",
    "BookingProfile",
    "BookingTable",
    "CandidateScore",
    "Decision",
    "MatchResult",
    "MatchSettings",
    "MatchingIndex",
    "NameMatch",
    "ParsedDescriptor",
    "PaymentType",
    "match_all",
    "naive_match",
    "name_similarity",
    "parse_descriptor",
]


def match_all(
    bookings: "list[BookingCandidate]",
    transactions: "list[BankTransaction]",
    settings: MatchSettings | None = None,
) -> list[MatchResult]:
    """Builds the index once and matches each transaction in turn."""
    index = MatchingIndex(bookings, settings or MatchSettings())
    return [index.match(tx) for tx in transactions]
