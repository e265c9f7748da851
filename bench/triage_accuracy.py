"""Call-triage accuracy of the built-in classifier on labelled caller utterances.

Each file in `bench/data/` holds one `{"text", "intent", "escalate"}` object a line (optional
`"staff_names"`; otherwise the demo business's staff are the names a caller may ask for). For
each set: intent accuracy overall and per intent, escalation recall (callers who should reach
a person and were escalated) and precision, the misses grouped by (expected → got), and the
time per call (p50/p95).

The three sets, and how far to trust each (targets: intent accuracy ≥ 90 %, escalation
recall 100 %):
- `triage_cases.jsonl` (234): written before the classifier, then the phrase tables were
  developed looking at it. An in-sample figure: optimistic.
- `triage_holdout.jsonl` (115): written after the first version, which scored 65 % on it; the
  vocabulary was then broadened by category (synonyms, question openers, spam families) after
  seeing its misses. No longer held out.
- `triage_fresh.jsonl` (79): written after the last change to the tables and never tuned
  against. The honest estimate of accuracy on wording the tables have not seen.

    .venv/bin/python -m bench.triage_accuracy [--cases PATH ...] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.calls.triage import Intent, TriageResult, classify

DATA = Path(__file__).parent / "data"
DEFAULT_SETS = (
    (DATA / "triage_cases.jsonl", "development set, in-sample"),
    (DATA / "triage_holdout.jsonl", "second set, tuned after its misses"),
    (DATA / "triage_fresh.jsonl", "fresh set, never tuned against"),
)
# The demo business's staff (domain/demo_data.py), as `staff.names_on_extensions` returns them.
DEMO_STAFF = (
    "Ana Lopez",
    "Chef Daniel Cruz",
    "Chef Hiro Sato",
    "Chef Mei Lin",
    "Jessica Wu",
    "Kenji Tanaka",
    "Marco Rossi",
)
TIMING_ROUNDS = 20


@dataclass(frozen=True)
class Case:
    text: str
    intent: Intent
    escalate: bool
    staff_names: tuple[str, ...]


def load_cases(path: Path) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row: dict[str, Any] = json.loads(line)
        try:
            cases.append(
                Case(
                    text=str(row["text"]),
                    intent=Intent(row["intent"]),
                    escalate=bool(row["escalate"]),
                    staff_names=tuple(row.get("staff_names", DEMO_STAFF)),
                )
            )
        except (KeyError, ValueError) as error:
            raise SystemExit(f"{path}:{number}: {error}") from error
    return cases


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "  n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=Path, nargs="+", help="default: the three sets")
    parser.add_argument("--show-misses", action="store_true", help="print every missed case")
    args = parser.parse_args()
    sets = [(path, "") for path in args.cases] if args.cases else list(DEFAULT_SETS)
    for path, label in sets:
        report(path, label, show_misses=args.show_misses)
        print()


def report(path: Path, label: str, *, show_misses: bool) -> None:
    cases = load_cases(path)
    results: list[TriageResult] = [classify(c.text, staff_names=c.staff_names) for c in cases]

    correct = sum(r.intent is c.intent for c, r in zip(cases, results, strict=True))
    what = f"{path.name}, {label}" if label else path.name
    print(f"call triage, built-in classifier, {len(cases)} labelled utterances ({what})")
    print(f"  intent accuracy          {_pct(correct, len(cases))}  ({correct}/{len(cases)})")

    should = [(c, r) for c, r in zip(cases, results, strict=True) if c.escalate]
    did = [(c, r) for c, r in zip(cases, results, strict=True) if r.escalate]
    caught = sum(r.escalate for _, r in should)
    right = sum(c.escalate for c, _ in did)
    print(f"  escalation recall        {_pct(caught, len(should))}  ({caught}/{len(should)})")
    print(f"  escalation precision     {_pct(right, len(did))}  ({right}/{len(did)})")

    print("  per intent (accuracy = recall of the label; precision of the prediction):")
    by_label: dict[Intent, list[bool]] = defaultdict(list)
    predicted = Counter(r.intent for r in results)
    for c, r in zip(cases, results, strict=True):
        by_label[c.intent].append(r.intent is c.intent)
    for intent in Intent:
        hits = by_label.get(intent, [])
        good = sum(hits)
        print(
            f"    {intent.value:<15} n={len(hits):<4} accuracy {_pct(good, len(hits))}"
            f"  precision {_pct(good, predicted.get(intent, 0))}"
        )

    misses = [
        (c, r)
        for c, r in zip(cases, results, strict=True)
        if r.intent is not c.intent or r.escalate != c.escalate
    ]
    confusion = Counter((c.intent.value, r.intent.value) for c, r in misses)
    print(f"  misses ({len(misses)}), expected → got:")
    for (expected, got), count in confusion.most_common():
        examples = [
            c.text for c, r in misses if (c.intent.value, r.intent.value) == (expected, got)
        ]
        sample = "; ".join(f'"{text}"' for text in examples[: 1 if not show_misses else None])
        print(f"    {expected:>15} → {got:<15} {count:>3}   e.g. {sample}")
    missed_escalations = [c.text for c, r in should if not r.escalate]
    if missed_escalations:
        print("  NOT escalated but should have been:")
        for text in missed_escalations:
            print(f'    "{text}"')

    timings: list[float] = []
    for _ in range(TIMING_ROUNDS):
        for case in cases:
            started = time.perf_counter()
            classify(case.text, staff_names=case.staff_names)
            timings.append((time.perf_counter() - started) * 1e6)
    print(
        f"  time per call            p50 {statistics.median(timings):6.0f} µs"
        f"  p95 {percentile(timings, 0.95):6.0f} µs  max {max(timings):6.0f} µs"
        f"  ({len(timings)} calls)"
    )


if __name__ == "__main__":
    main()
