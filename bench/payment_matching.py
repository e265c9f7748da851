"""Payment matching: accuracy on a labelled synthetic set, and speed against 100,000 bookings.

Accuracy (bench/payment_data.py, seeded): auto-apply precision, the share of matchable payments
auto-applied, the correct booking among the top 3 candidates of review items, and payment-type
accuracy. Speed: 10,000 transactions against 100,000 bookings with `MatchingIndex`, in a fresh
process: the index build (from the `BookingCandidate` list) and the matching of every
transaction are timed apart, wall clock and CPU, and the garbage collector's share is shown
(data generation is not counted). The naive scorer (`naive_match`: the same rules on every
booking, no index) runs on a subsample, extrapolated to the same 10,000, and every sampled
result (decision, booking, confidence, type, candidates with scores and reasons) is compared
with the index's.

    .venv/bin/python -m bench.payment_matching
    .venv/bin/python -m bench.payment_matching --write-csv /tmp/matching   # the contract's files
"""

from __future__ import annotations

import argparse
import gc
import time
from collections import Counter, defaultdict
from pathlib import Path

from bench.payment_data import Dataset, LabelledTransaction, generate, write_csv
from domain.payments.matching import (
    BookingTable,
    MatchingIndex,
    MatchResult,
    MatchSettings,
    naive_match,
)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:6.2f} % ({part}/{whole})" if whole else "   n/a"


def accuracy(dataset: Dataset, results: list[MatchResult]) -> dict[str, float]:
    auto = auto_right = matchable = matchable_auto = 0
    review_known = review_top3 = typed = typed_right = 0
    wrong: list[tuple[LabelledTransaction, MatchResult]] = []
    by_case: dict[str, Counter[str]] = defaultdict(Counter)
    for item, result in zip(dataset.transactions, results, strict=True):
        by_case[item.case][result.decision] += 1
        if item.booking_id is not None:
            matchable += 1
        if result.decision == "auto":
            auto += 1
            if result.booking_id == item.booking_id:
                auto_right += 1
                if item.booking_id is not None:
                    matchable_auto += 1
            else:
                wrong.append((item, result))
        if result.decision == "review" and item.booking_id is not None:
            review_known += 1
            top3 = [candidate.booking_id for candidate in result.candidates[:3]]
            review_top3 += item.booking_id in top3
        if item.booking_id is not None and result.booking_id == item.booking_id:
            typed += 1
            typed_right += result.payment_type == item.payment_type
    print("accuracy")
    print(f"  auto-apply precision           {_percent(auto_right, auto)}   target >= 99.5 %")
    print(
        f"  matchable payments auto-applied {_percent(matchable_auto, matchable)}   target >= 85 %"
    )
    print(
        f"  review: right booking in top 3 {_percent(review_top3, review_known)}   target >= 95 %"
    )
    print(
        f"  payment type right             {_percent(typed_right, typed)}"
        "   (where the booking found is the right one)"
    )
    print("  decisions by case:")
    for case in sorted(by_case):
        counts = by_case[case]
        line = ", ".join(f"{d} {counts[d]}" for d in ("auto", "review", "unmatched") if counts[d])
        print(f"    {case:<16} {line}")
    for item, result in wrong[:10]:
        print(
            f"  WRONG AUTO {item.case}: {item.tx.description!r} {item.tx.amount_cents} "
            f"truth {item.booking_id} got {result.booking_id} {result.candidates[:2]}"
        )
    return {
        "auto_precision": auto_right / auto if auto else 1.0,
        "auto_share": matchable_auto / matchable if matchable else 0.0,
        "review_top3": review_top3 / review_known if review_known else 1.0,
        "type_accuracy": typed_right / typed if typed else 1.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--transactions", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--naive-sample", type=int, default=200, help="transactions, no index")
    parser.add_argument("--write-csv", type=Path, default=None, help="write the contract's CSVs")
    args = parser.parse_args()

    started = time.perf_counter()
    dataset = generate(args.bookings, args.transactions, args.seed)
    generated = time.perf_counter() - started
    print(
        f"data: {len(dataset.bookings)} bookings, {len(dataset.transactions)} transactions "
        f"(seed {args.seed}, generated in {generated:.1f} s, not counted)"
    )
    if args.write_csv is not None:
        paths = write_csv(dataset, args.write_csv)
        print("wrote " + ", ".join(str(path) for path in paths))

    settings = MatchSettings()
    collector = _CollectorClock()
    gc.callbacks.append(collector)
    started, cpu = time.perf_counter(), time.process_time()
    index = MatchingIndex(dataset.bookings, settings)
    built, built_cpu = time.perf_counter() - started, time.process_time() - cpu
    build_gc = collector.take()
    transactions = [item.tx for item in dataset.transactions]
    started, cpu = time.perf_counter(), time.process_time()
    results = [index.match(tx) for tx in transactions]
    matched, matched_cpu = time.perf_counter() - started, time.process_time() - cpu
    match_gc = collector.take()
    gc.callbacks.remove(collector)
    accuracy(dataset, results)

    print("speed (wall clock; CPU time of this process; of which garbage collection)")
    print(
        f"  index build ({len(dataset.bookings)} bookings)   {built:7.3f} s"
        f"   cpu {built_cpu:6.3f} s   gc {build_gc:5.3f} s"
    )
    print(
        f"  match {len(transactions)} transactions          {matched:7.3f} s"
        f"   cpu {matched_cpu:6.3f} s   gc {match_gc:5.3f} s"
        f"   ({1e6 * matched / len(transactions):.0f} us each)"
    )
    print(
        f"  engine total (build + match)       {built + matched:7.3f} s"
        f"   cpu {built_cpu + matched_cpu:6.3f} s   target < 2 s"
    )

    sample = transactions[:: max(1, len(transactions) // args.naive_sample)][: args.naive_sample]
    table = BookingTable(dataset.bookings)
    started = time.perf_counter()
    naive = [naive_match(table, tx, settings) for tx in sample]
    naive_seconds = time.perf_counter() - started
    per_tx = naive_seconds / len(sample)
    extrapolated = per_tx * len(transactions)
    same = sum(a == b for a, b in zip(naive, [index.match(tx) for tx in sample], strict=True))
    print(
        f"  naive (no index): {len(sample)} transactions in {naive_seconds:.1f} s "
        f"({1000 * per_tx:.0f} ms each; bookings read once), extrapolated to "
        f"{len(transactions)}: {extrapolated:.0f} s"
    )
    print(f"  naive / index (matching only)      {extrapolated / matched:7.0f} x")
    print(f"  index result == naive result on    {same}/{len(sample)} sampled transactions")


class _CollectorClock:
    """Adds up the time the garbage collector runs (gc.callbacks)."""

    def __init__(self) -> None:
        self.total = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._started

    def take(self) -> float:
        total, self.total = self.total, 0.0
        return total


if __name__ == "__main__":
    main()
