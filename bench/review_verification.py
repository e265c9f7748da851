"""Review verification: accuracy on a labelled synthetic set, and speed against 100,000 bookings.

Accuracy (bench/review_data.py, seeded), for a business of 20,000 events over three years and
one of 100,000: the precision of "verified" (the customer verified is the reviewer), the share
of customers' reviews whose display name carries the surname that are verified or get the
reviewer as the first candidate, and the share of strangers (and of guests) not verified.
Speed: index build and reviews per second with `ReviewVerifier`; the exhaustive scorer on a
sample, to show the index gives the same answers.

    .venv/bin/python -m bench.review_verification
    .venv/bin/python -m bench.review_verification --write-csv /tmp/reviews   # contract files
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from pathlib import Path

from bench.review_data import Dataset, LabelledReview, generate, write_csv
from domain.reviews.verification import ReviewVerifier, Verification


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:6.2f} % ({part}/{whole})" if whole else "   n/a"


def _line(label: str, part: int, whole: int, target: str = "") -> None:
    print(f"    {label:<40} {_percent(part, whole)}" + (f"   target {target}" if target else ""))


def _first_customer(dataset: Dataset, result: Verification) -> int | None:
    if not result.candidates:
        return None
    return dataset.customer_of[result.candidates[0].booking_id]


def accuracy(dataset: Dataset, results: list[Verification]) -> dict[str, float]:
    verified = verified_right = verified_booking = customers = 0
    surname = surname_found = initial = initial_found = first_only = first_only_listed = 0
    outsiders: Counter[str] = Counter()
    outsiders_verified: Counter[str] = Counter()
    by_case: dict[str, Counter[str]] = defaultdict(Counter)
    wrong: list[tuple[LabelledReview, Verification]] = []
    for item, result in zip(dataset.reviews, results, strict=True):
        by_case[f"{item.group}:{item.case}"][result.verdict] += 1
        right_first = item.customer is not None and _first_customer(dataset, result) == (
            item.customer
        )
        if result.verdict == "verified":
            verified += 1
            assert result.booking_id is not None
            if dataset.customer_of[result.booking_id] == item.customer:
                verified_right += 1
                verified_booking += result.booking_id == item.booking_id
            else:
                wrong.append((item, result))
        if item.group == "customer":
            customers += 1
            style = item.case.split("+")[0]
            if item.carries_surname:
                surname += 1
                surname_found += right_first
            elif style == "first_initial":
                initial += 1
                initial_found += right_first
            elif style == "first_only":
                first_only += 1
                first_only_listed += any(
                    dataset.customer_of[c.booking_id] == item.customer for c in result.candidates
                )
        else:
            outsiders[item.group] += 1
            outsiders_verified[item.group] += result.verdict == "verified"
    strangers_ok = outsiders["stranger"] - outsiders_verified["stranger"]
    guests_ok = outsiders["guest"] - outsiders_verified["guest"]
    print("  accuracy")
    _line("precision of verified (customer)", verified_right, verified, ">= 99 %")
    _line("  ... and the booking reviewed", verified_booking, verified)
    _line("customers verified (all styles)", verified_right, customers)
    _line("surname in the name: verified or 1st", surname_found, surname, ">= 90 %")
    _line("'First L.': verified or 1st", initial_found, initial)
    _line("first name only: among candidates", first_only_listed, first_only)
    _line("strangers not verified", strangers_ok, outsiders["stranger"], ">= 98 %")
    _line("guests (not the customer) not verified", guests_ok, outsiders["guest"])
    print("    verdicts by case:")
    for case in sorted(by_case):
        counts = by_case[case]
        line = ", ".join(
            f"{v} {counts[v]}" for v in ("verified", "uncertain", "not_found") if counts[v]
        )
        print(f"      {case:<42} {line}")
    for item, result in wrong[:12]:
        got = dataset.customer_of[result.booking_id or 0]
        print(
            f"    WRONG VERIFIED {item.group}:{item.case} {item.review.reviewer_name!r} -> booking "
            f"{result.booking_id} (customer {got}) {result.reasons}"
        )
    return {
        "precision": verified_right / verified if verified else 1.0,
        "surname_share": surname_found / surname if surname else 0.0,
        "strangers_not_verified": strangers_ok / outsiders["stranger"]
        if outsiders["stranger"]
        else 1.0,
    }


def _same(a: Verification, b: Verification) -> bool:
    return (a.verdict, a.booking_id, [c.booking_id for c in a.candidates]) == (
        b.verdict,
        b.booking_id,
        [c.booking_id for c in b.candidates],
    )


def run(size: int, reviews: int, seed: int, naive_sample: int, write: Path | None) -> None:
    started = time.perf_counter()
    dataset = generate(size, reviews, seed)
    generated = time.perf_counter() - started
    groups = Counter(item.group for item in dataset.reviews)
    print(
        f"business of {len(dataset.bookings)} bookings, {len(dataset.reviews)} reviews "
        f"({', '.join(f'{g} {n}' for g, n in sorted(groups.items()))}; seed {seed}, "
        f"generated in {generated:.1f} s, not counted)"
    )
    if write is not None:
        paths = write_csv(dataset, write)
        print("  wrote " + ", ".join(str(path) for path in paths))
    started = time.perf_counter()
    verifier = ReviewVerifier(dataset.bookings)
    built = time.perf_counter() - started
    facts = [item.review for item in dataset.reviews]
    started = time.perf_counter()
    results = [verifier.verify(review) for review in facts]
    verified = time.perf_counter() - started
    accuracy(dataset, results)
    print("  speed")
    print(f"    index build                          {built:7.3f} s")
    print(
        f"    verify {len(facts)} reviews                {verified:7.3f} s"
        f"  ({len(facts) / verified:,.0f} reviews/s, {1e6 * verified / len(facts):.0f} us each)"
    )
    if naive_sample:
        exhaustive = ReviewVerifier(dataset.bookings, exhaustive=True)
        sample = list(range(0, len(facts), max(1, len(facts) // naive_sample)))[:naive_sample]
        started = time.perf_counter()
        naive = [exhaustive.verify(facts[i]) for i in sample]
        seconds = time.perf_counter() - started
        same = sum(_same(a, results[i]) for a, i in zip(naive, sample, strict=True))
        each = 1000 * seconds / len(sample)
        print(
            f"    exhaustive scorer: {len(sample)} reviews in {seconds:.1f} s ({each:.0f} ms "
            f"each); the index agrees on {same}/{len(sample)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="20000,100000", help="bookings, comma-separated")
    parser.add_argument("--reviews", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--naive-sample", type=int, default=40, help="reviews, exhaustive")
    parser.add_argument(
        "--write-csv", type=Path, default=None, help="the contract's files (first size)"
    )
    args = parser.parse_args()
    for n, size in enumerate(int(s) for s in args.sizes.split(",")):
        run(size, args.reviews, args.seed, args.naive_sample, args.write_csv if n == 0 else None)


if __name__ == "__main__":
    main()
