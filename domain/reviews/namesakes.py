"""How likely a stranger's name fits a recent customer: Good-Turing over the customers' names.

A stranger reviewing under the name of a customer of the last weeks would be taken for that
customer; how often that happens depends on how common the name is around the business. Its
customers are a sample of the people around it: a name that r customers bear has a probability
of about (r + 1) N[r+1] / (N[r] N), N[r] being the number of names borne by r customers and N
the number of customers (Good-Turing: a name seen once is rarer than 1 / N, since most names
seen once belong to the long tail). Times the number of recent events, that is how many recent
customers bear the name by chance; weighed against a reviewer being one of those recent
customers, it gives the risk that the reviewer is a stranger.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from collections.abc import Set as AbstractSet

_GOOD_TURING_UP_TO = 5  # above it N[r] is too thin: the plain share r / N
# People around a business bear names of their own far more often than not: a thousand of them
# are counted before its customers, each with a name borne once, so that a young business, two
# of whose three customers are named alike, is not told every name is common.
PRIOR_PEOPLE = 1000


class NameFrequencies:
    """How common a name is among the customers, from the keys each customer's name gives."""

    def __init__(self, keys_per_customer: Iterable[AbstractSet[str]]) -> None:
        counts: Counter[str] = Counter()
        customers = 0
        for keys in keys_per_customer:
            customers += 1
            counts.update(keys)  # each key once per customer: a set
        self.customers = customers + PRIOR_PEOPLE
        self.names_borne_by = Counter(counts.values())  # r -> N[r]
        self.names_borne_by[1] += PRIOR_PEOPLE

    def probability(self, bearers: int) -> float:
        """That a person around the business bears a name `bearers` customers bear."""
        bearers = max(bearers, 1)
        now = self.names_borne_by[bearers]
        if bearers <= _GOOD_TURING_UP_TO and now:
            # A small business may have no name borne by r + 1 customers yet: count one, or
            # its customers' names would look far more common than names are.
            more = max(self.names_borne_by[bearers + 1], 1)
            return (bearers + 1) * more / (now * self.customers)
        return bearers / self.customers


def stranger_risk(likelihood_ratio: float, stranger_odds: float) -> float:
    """The chance the reviewer is a stranger bearing the name, not the customer.

    `likelihood_ratio`: how much likelier the review is from a stranger bearing the name than
    from the customer; `stranger_odds`: how many strangers review for each customer who does.
    """
    weight = stranger_odds * likelihood_ratio
    return weight / (weight + 1.0)


class NameParts:
    """How common a first name is among the bearers of a surname.

    A full name borne once says little about how common it is: "James Taylor" or a Korean
    name borne once here are still far likelier than a rare name borne once. The surname's
    share of the customers, times the share of its bearers with that first name (drawn towards
    the first name's share of everyone by `PRIOR_WEIGHT` customers' worth, since a surname
    borne a few times says little about its first names), estimates the name from its parts.
    """

    PRIOR_WEIGHT = 20

    def __init__(self, names_per_customer: Iterable[tuple[str, AbstractSet[str]]]) -> None:
        self.firsts: Counter[str] = Counter()
        self.surnames: Counter[str] = Counter()
        self.pairs: Counter[tuple[str, str]] = Counter()
        customers = 0
        for first, surnames in names_per_customer:
            customers += 1
            self.firsts[first] += 1
            for surname in surnames:
                self.surnames[surname] += 1
                self.pairs[(first, surname)] += 1
        self.customers = customers + PRIOR_PEOPLE

    def probability(self, first: str, surnames: Iterable[str]) -> float:
        """That a person around the business bears this first name and one of these surnames."""
        first_share = self.firsts[first] / self.customers
        best = 0.0
        for surname in surnames:
            bearers = self.surnames[surname]
            if bearers:
                weight = self.PRIOR_WEIGHT
                among = (self.pairs[(first, surname)] + weight * first_share) / (bearers + weight)
                best = max(best, bearers / self.customers * among)
        return best
