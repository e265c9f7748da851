"""Call-triage accuracy of the built-in classifier on labelled caller utterances.

Each file in `bench/data/` holds one `{"text", "intent", "escalate"}` object a line (optional
`"staff_names"`; otherwise the demo business's staff are the names a caller may ask for). For
each set: intent accuracy overall and per intent, escalation recall (callers who should reach
a person and were escalated) and precision, the misses grouped by (expected → got), and the
time per call (p50/p95).

The sets, and how far to trust each (targets: intent accuracy ≥ 90 %, escalation recall
100 %, on wording the classifier has not seen):
- `triage_cases.jsonl` (234): written before the first classifier, whose phrase tables were
  then developed looking at it. In-sample: optimistic.
- `triage_holdout.jsonl` (115): written after the first version (65 % on it); the tables were
  then broadened after seeing its misses. No longer held out: optimistic.
- `triage_fresh.jsonl` (79): written after the phrase-table version was frozen, which scored
  65.8 % intent accuracy and 66.7 % escalation recall on it. The rework that added the word
  model (`domain/calls/triage_model.py`) used it as development data: its misses were read,
  the escalation phrase families were broadened knowing its wording, and thresholds were
  chosen with its figures in view. Optimistic now too.
- `triage_blind.jsonl` (150): written without seeing the classifier; its first measurement
  was 84.7 % intent accuracy and 92.7 % escalation recall. Then used for tuning: its misses
  were read, and phrase families and training examples were added knowing its wording and
  its labelling rules. Optimistic now too.
- `triage_blind2.jsonl` (150): second blind set, written without seeing the classifier. Its
  blind measurement: 91.3 % intent accuracy, 97.9 % escalation recall (47/48). Its one
  escalation miss ("can i talk to anna about booking…": a staff name one letter off, four
  letters long) was then fixed in general (names of four letters may be one edit off); nothing
  else was tuned against it.
- `triage_blind3.jsonl` (150): third blind set, written without seeing the classifier after
  that fix, never tuned against. The honest estimate.

The word model trains on `domain/calls/triage_training.jsonl`, examples written for it by
someone who had read the three development sets: no sentence is copied from them (a unit
test checks exact copies), but their topics and style were known. `--folds K` gives a
second, harsher estimate of unseen wording: the classifier is trained on all but one K-th of
those examples and scored on the K-th it did not see, K times.

    .venv/bin/python -m bench.triage_accuracy [--cases PATH ...] [--show-misses] [--folds K]
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

from domain.calls.triage import Intent, TriageClassifier, TriageResult, classify
from domain.calls.triage_model import TRAINING_PATH, load_examples

DATA = Path(__file__).parent / "data"
DEFAULT_SETS = (
    (DATA / "triage_cases.jsonl", "development set, in-sample"),
    (DATA / "triage_holdout.jsonl", "second set, tuned after its misses"),
    (DATA / "triage_fresh.jsonl", "third set, used as development data by the rework"),
    (
        DATA / "triage_blind.jsonl",
        "blind set, used for tuning after its first measurement (84.7 % / 92.7 %)",
    ),
    (
        DATA / "triage_blind2.jsonl",
        "second blind set: blind 91.3 % / 97.9 %, then one fix after its escalation miss",
    ),
    (
        DATA / "triage_blind3.jsonl",
        "third blind set, written without seeing the classifier, never tuned against",
    ),
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
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=Path, nargs="+", help="default: the five sets")
    parser.add_argument("--show-misses", action="store_true", help="print every missed case")
    parser.add_argument(
        "--folds", type=int, metavar="K", help="also cross-validate on the training examples"
    )
    args = parser.parse_args()
    sets = [(path, "") for path in args.cases] if args.cases else list(DEFAULT_SETS)
    for path, label in sets:
        if not path.exists():
            print(f"call triage: {path.name} ({label or 'given'}) does not exist yet; skipped")
            print()
            continue
        report(path, label, show_misses=args.show_misses)
        print()
    if args.folds:
        cross_validate(args.folds, show_misses=args.show_misses)


def cross_validate(folds: int, *, show_misses: bool) -> None:
    """Train on all but one fold of the training examples, score that fold; every fold once."""
    examples = load_examples()
    cases: list[Case] = []
    results: list[TriageResult] = []
    for fold in range(folds):
        held_out = examples[fold::folds]
        classifier = TriageClassifier([e for i, e in enumerate(examples) if i % folds != fold])
        for example in held_out:
            text = example.text.replace("STAFFNAME", "Jessica")  # a demo staff member
            intent = Intent(example.intent)
            escalate = intent in (Intent.HUMAN, Intent.COMPLAINT)
            cases.append(Case(text, intent, escalate, DEMO_STAFF))
            results.append(classifier.classify(text, DEMO_STAFF))
    label = f"{folds}-fold cross-validation on {TRAINING_PATH.name}"
    summarise(cases, results, label, show_misses=show_misses)


def report(path: Path, label: str, *, show_misses: bool) -> None:
    cases = load_cases(path)
    results: list[TriageResult] = [classify(c.text, staff_names=c.staff_names) for c in cases]
    summarise(cases, results, f"{path.name}, {label}" if label else path.name, show_misses)
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


def summarise(cases: list[Case], results: list[TriageResult], what: str, show_misses: bool) -> None:
    correct = sum(r.intent is c.intent for c, r in zip(cases, results, strict=True))
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


if __name__ == "__main__":
    main()
