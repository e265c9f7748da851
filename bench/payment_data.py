"""A labelled, seeded set of bookings and incoming bank transactions for the matching engine.

Bookings carry realistic names (Anglo, Hispanic with accents and compound surnames,
Vietnamese, Indian, Chinese, Korean) and corporate customers ("Acme Robotics (Sarah Lee)").
Transactions come in both Plaid styles, the raw `original_description` (Chase, Bank of America,
Wells Fargo, Cash App, Venmo, Stripe layouts from shared/providers.md) and the cleaned `name`,
each with its truth: the booking it pays (or None) and the kind of payment.

Hard cases on purpose: a spouse paying (some approved before: `known_payers`), nicknames,
LAST FIRST, names cut by the bank, typos, tips of 5-50 %, partial payments, two bookings of the
same customer, two customers with the same surname and the same amount, cash-outs, Stripe
payouts, references, phones and emails in memos, and money that belongs to no booking.
"""

from __future__ import annotations

import csv
import random
import string
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from domain.bookings.rules import booking_reference
from domain.payments.matching.models import BankTransaction, BookingCandidate, PaymentType

FIRST: dict[str, list[str]] = {
    "anglo": [
        "James",
        "Robert",
        "John",
        "Michael",
        "William",
        "David",
        "Richard",
        "Joseph",
        "Thomas",
        "Christopher",
        "Daniel",
        "Matthew",
        "Anthony",
        "Jennifer",
        "Elizabeth",
        "Patricia",
        "Margaret",
        "Katherine",
        "Susan",
        "Jessica",
        "Sarah",
        "Karen",
        "Nancy",
        "Rebecca",
        "Samantha",
        "Jonathan",
        "Benjamin",
        "Nicholas",
        "Alexander",
        "Andrew",
        "Stephanie",
        "Victoria",
        "Allison",
        "Megan",
        "Emily",
        "Ashley",
        "Kimberly",
        "Timothy",
        "Gregory",
        "Steven",
        "Jacqueline",
        "Catherine",
        "Abigail",
        "Zachary",
        "Theodore",
        "Olivia",
        "Madison",
        "Hannah",
        "Lauren",
        "Rachel",
    ],
    "hispanic": [
        "José",
        "María",
        "Juan",
        "Luis",
        "Carlos",
        "Jesús",
        "Ana",
        "Sofía",
        "Alejandro",
        "Guadalupe",
        "Jorge",
        "Verónica",
        "Andrés",
        "Mónica",
        "Raúl",
        "Ramón",
        "Alejandra",
        "Fernando",
        "Ricardo",
        "Gabriela",
        "Isabel",
        "Francisco",
        "Javier",
        "Lucía",
        "Rocío",
        "Héctor",
        "Adrián",
        "Marisol",
        "Yolanda",
        "Esteban",
    ],
    "vietnamese": [
        "Linh",
        "Anh",
        "Minh",
        "Thanh",
        "Hương",
        "Tuấn",
        "Hoa",
        "Lan",
        "Đức",
        "Phương",
        "Quang",
        "Trang",
        "Hiếu",
        "Ngọc",
        "Bảo",
        "Khánh",
        "Thủy",
        "Long",
        "Hải",
        "Mai",
        "Dũng",
        "Hùng",
        "Nhung",
        "Vy",
    ],
    "indian": [
        "Priya",
        "Rahul",
        "Anjali",
        "Vikram",
        "Arjun",
        "Deepika",
        "Sanjay",
        "Lakshmi",
        "Ravi",
        "Sunita",
        "Aditya",
        "Kavya",
        "Rohan",
        "Neha",
        "Venkatesh",
        "Srinivas",
        "Ananya",
        "Harish",
        "Pooja",
        "Suresh",
        "Meenakshi",
        "Karthik",
    ],
    "chinese": [
        "Wei",
        "Jing",
        "Hao",
        "Xin",
        "Yan",
        "Mei",
        "Jun",
        "Ying",
        "Lei",
        "Xiaoming",
        "Jian",
        "Fang",
        "Tao",
        "Yue",
        "Qiang",
        "Hui",
    ],
    "korean": [
        "Ji-hoon",
        "Min-jun",
        "Seo-yeon",
        "Ji-woo",
        "Hyun-woo",
        "Soo-jin",
        "Eun-ji",
        "Jae-won",
        "Young-ho",
        "Min-seo",
        "Dong-hyun",
        "Hye-jin",
    ],
}
LAST: dict[str, list[str]] = {
    "anglo": [
        "Smith",
        "Johnson",
        "Williams",
        "Brown",
        "Jones",
        "Miller",
        "Davis",
        "Wilson",
        "Anderson",
        "Taylor",
        "Thomas",
        "Moore",
        "Jackson",
        "Martin",
        "Thompson",
        "White",
        "Harris",
        "Clark",
        "Lewis",
        "Robinson",
        "Walker",
        "Young",
        "Allen",
        "King",
        "Wright",
        "Scott",
        "Hill",
        "Green",
        "Adams",
        "Baker",
        "Nelson",
        "Carter",
        "Mitchell",
        "Roberts",
        "Turner",
        "Phillips",
        "Campbell",
        "Parker",
        "Evans",
        "Edwards",
        "Collins",
        "Stewart",
        "Morris",
        "Murphy",
        "Cook",
        "Rogers",
        "Morgan",
        "Peterson",
        "Cooper",
        "Reed",
        "Bailey",
        "Bell",
        "Kelly",
        "Howard",
        "Ward",
        "Cox",
        "Richardson",
        "Wood",
        "Watson",
        "Brooks",
        "Bennett",
        "Gray",
        "Hughes",
        "Price",
        "Sanders",
        "Myers",
        "Long",
        "Ross",
        "Foster",
        "Williamson",
        "Fitzgerald",
        "Montgomery",
        "Harrington",
        "Blackwell",
        "O'Connor",
        "McAllister",
        "Vanderberg",
        "Sutherland",
        "Whitfield",
        "Pemberton",
    ],
    "hispanic": [
        "García",
        "Rodríguez",
        "Martínez",
        "Hernández",
        "López",
        "González",
        "Pérez",
        "Sánchez",
        "Ramírez",
        "Torres",
        "Flores",
        "Rivera",
        "Gómez",
        "Díaz",
        "Reyes",
        "Morales",
        "Cruz",
        "Ortiz",
        "Gutiérrez",
        "Chávez",
        "Ramos",
        "Ruiz",
        "Peña",
        "Muñoz",
        "Castillo",
        "Jiménez",
        "Vásquez",
        "Mendoza",
        "Álvarez",
        "Romero",
        "Domínguez",
        "Castañeda",
        "Villaseñor",
        "Zúñiga",
    ],
    "vietnamese": [
        "Nguyễn",
        "Trần",
        "Lê",
        "Phạm",
        "Hoàng",
        "Huỳnh",
        "Phan",
        "Vũ",
        "Võ",
        "Đặng",
        "Bùi",
        "Đỗ",
        "Hồ",
        "Ngô",
        "Dương",
        "Lý",
        "Trương",
        "Đinh",
    ],
    "indian": [
        "Patel",
        "Sharma",
        "Singh",
        "Kumar",
        "Gupta",
        "Reddy",
        "Iyer",
        "Nair",
        "Rao",
        "Shah",
        "Mehta",
        "Desai",
        "Krishnamurthy",
        "Venkataraman",
        "Subramanian",
        "Chatterjee",
        "Banerjee",
        "Agarwal",
        "Malhotra",
        "Chaudhary",
        "Pillai",
        "Joshi",
    ],
    "chinese": [
        "Wang",
        "Li",
        "Zhang",
        "Liu",
        "Chen",
        "Yang",
        "Huang",
        "Zhao",
        "Wu",
        "Zhou",
        "Xu",
        "Sun",
        "Ma",
        "Zhu",
        "Hu",
        "Lin",
        "Chan",
        "Wong",
        "Leung",
        "Guo",
        "He",
        "Luo",
        "Tang",
        "Cheung",
    ],
    "korean": [
        "Kim",
        "Lee",
        "Park",
        "Choi",
        "Jung",
        "Kang",
        "Cho",
        "Yoon",
        "Jang",
        "Lim",
        "Han",
        "Shin",
        "Seo",
        "Kwon",
    ],
}
ORIGINS = ["anglo", "hispanic", "vietnamese", "indian", "chinese", "korean"]
ORIGIN_WEIGHTS = [40, 22, 12, 10, 9, 7]
NICKNAMES = {
    "Robert": ["Bob", "Rob", "Bobby"],
    "William": ["Bill", "Will", "Billy"],
    "Michael": ["Mike", "Mikey"],
    "James": ["Jim", "Jimmy"],
    "Richard": ["Rick", "Dick", "Rich"],
    "Joseph": ["Joe", "Joey"],
    "Thomas": ["Tom", "Tommy"],
    "Christopher": ["Chris"],
    "Daniel": ["Dan", "Danny"],
    "Matthew": ["Matt"],
    "Anthony": ["Tony"],
    "Jennifer": ["Jenny", "Jen"],
    "Elizabeth": ["Liz", "Beth", "Betty"],
    "Patricia": ["Pat", "Patty", "Trish"],
    "Margaret": ["Peggy", "Maggie", "Meg"],
    "Katherine": ["Kate", "Kathy", "Katie"],
    "Susan": ["Sue", "Susie"],
    "Jessica": ["Jess"],
    "Rebecca": ["Becky"],
    "Samantha": ["Sam"],
    "Jonathan": ["Jon"],
    "Benjamin": ["Ben"],
    "Nicholas": ["Nick"],
    "Alexander": ["Alex"],
    "Andrew": ["Andy", "Drew"],
    "Timothy": ["Tim"],
    "Gregory": ["Greg"],
    "Steven": ["Steve"],
    "Abigail": ["Abby"],
    "Zachary": ["Zach"],
    "Theodore": ["Ted", "Teddy"],
    "Catherine": ["Cathy", "Kate"],
}
COMPANY_FIRST = [
    "Acme",
    "Bright",
    "Summit",
    "Pacific",
    "Redwood",
    "Northstar",
    "Cascade",
    "Apex",
    "Pinnacle",
    "Horizon",
    "Evergreen",
    "Silverline",
    "Bluewater",
    "Ironwood",
    "Granite",
    "Sequoia",
    "Meridian",
    "Lumen",
    "Vertex",
    "Quantum",
]
COMPANY_SECOND = [
    "Robotics",
    "Dental",
    "Realty",
    "Labs",
    "Software",
    "Logistics",
    "Construction",
    "Partners",
    "Health",
    "Solutions",
    "Analytics",
    "Biotech",
    "Engineering",
    "Ventures",
    "Systems",
    "Foods",
]
MEMOS = ["hibachi party", "deposit", "thank you!", "dinner", "hibachi", "party", "balance", ""]
NOISE = [
    ("ONLINE TRANSFER FROM CHK ...{n} TRANSACTION#: {code}", None, "other"),
    ("INTEREST PAYMENT", None, "other"),
    ("RESTAURANT DEPOT REFUND {code}", "Restaurant Depot", "other"),
    ("AMAZON.COM REFUND {code}", "Amazon", "other"),
    ("MOBILE DEPOSIT REF NUMBER :{n}", None, "check"),
    ("IRS TREAS 310 TAX REF", "IRS", "other"),
]


@dataclass(frozen=True)
class LabelledTransaction:
    tx: BankTransaction
    booking_id: int | None  # the booking it pays, None when it pays no booking
    payment_type: PaymentType
    case: str  # what kind of case it is, for reading the figures


@dataclass(frozen=True)
class Dataset:
    bookings: list[BookingCandidate]
    transactions: list[LabelledTransaction]


def _strip_accents(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class _Generator:
    def __init__(self, seed: int, start: date, days: int) -> None:
        self.rng = random.Random(seed)
        self.start = start
        self.days = days

    # names -------------------------------------------------------------------------------
    def person(self, origin: str | None = None) -> tuple[str, str, str]:
        rng = self.rng
        origin = origin or rng.choices(ORIGINS, ORIGIN_WEIGHTS)[0]
        first = rng.choice(FIRST[origin])
        last = rng.choice(LAST[origin])
        if origin == "hispanic" and rng.random() < 0.3:
            last = f"{last} {rng.choice(LAST['hispanic'])}"
        if origin == "vietnamese" and rng.random() < 0.25:
            return origin, first, f"{rng.choice(['Văn', 'Thị', 'Minh'])} {last}"
        return origin, first, last

    def company(self) -> str:
        return f"{self.rng.choice(COMPANY_FIRST)} {self.rng.choice(COMPANY_SECOND)}"

    # bookings ----------------------------------------------------------------------------
    def booking(
        self, booking_id: int, name: str, paid_state: str | None = None
    ) -> BookingCandidate:
        rng = self.rng
        event = self.start + timedelta(days=rng.randrange(self.days))
        lead = min(int(rng.expovariate(1 / 35)) + 2, 300)
        guests = rng.randint(10, 60)
        total = guests * rng.choice([5500, 6000, 6500, 7000]) + rng.choice([0, 0, 2500, 4000])
        total += rng.choice([0, 0, 0, rng.randrange(100, 9000)])  # tax, add-ons, travel
        deposit = (total * rng.choice([20, 25, 30]) + 50) // 100
        state = paid_state or rng.choices(["none", "deposit", "more"], [35, 55, 10])[0]
        paid = {"none": 0, "deposit": deposit, "more": deposit + rng.randrange(5000, 20000)}[state]
        paid = min(paid, total - 1000)
        slug = _strip_accents(name.split(" (")[0]).lower().replace(" ", ".").replace("'", "")
        return BookingCandidate(
            booking_id=booking_id,
            customer_name=name,
            phone=f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
            if rng.random() < 0.9
            else None,
            email=f"{slug}{rng.randint(1, 99)}@example.com" if rng.random() < 0.8 else None,
            event_date=event,
            booked_on=event - timedelta(days=lead),
            total_cents=total,
            deposit_cents=deposit,
            paid_cents=paid,
        )

    # descriptors -------------------------------------------------------------------------
    def code(self, length: int, alphabet: str = string.ascii_uppercase + string.digits) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def describe(
        self, payer: str | None, memo: str, on: date, rail: str, memo_style: str | None = None
    ) -> tuple[str, str | None, str | None]:
        """(description, counterparty_name, channel): raw `original_description` or `name`."""
        rng = self.rng
        raw = rng.random() < 0.6 or memo_style is not None
        channel = rail if rng.random() < 0.7 else None
        if rail == "cashapp":
            shown = _strip_accents(payer or "").upper()
            return f"CASH APP*{shown}", None if raw else payer, channel
        if rail == "check":
            return f"MOBILE DEPOSIT CHECK {rng.randint(1000, 9999)}", payer, channel
        assert payer is not None
        plain = _strip_accents(payer)
        upper = plain.upper()
        if not raw:
            name = rng.choice([plain, upper, plain.title()])
            text = rng.choice([f"Zelle payment from {name}", f"Zelle from {name}", name])
            return text, rng.choice(["Zelle", None, name]), channel
        style = memo_style or rng.choice(["chase", "bofa", "bofa_old", "wells", "generic"])
        if style == "chase":
            code = "BAC" + self.code(9, string.ascii_letters + string.digits)
            return f"Zelle payment from {upper} {code}", None, channel
        if style == "bofa":
            memo_part = f' for "{memo}"' if memo else ""
            return (
                f"Zelle payment from {upper}{memo_part}; Conf# {self.code(9).lower()}",
                None,
                channel,
            )
        if style == "bofa_old":
            return f"Zelle Transfer Conf# {self.code(9).lower()}; {plain}", None, channel
        if style == "wells":
            ref = "WFCT" + self.code(8)
            return (
                f"ZELLE FROM {upper} ON {on:%m/%d} REF # {ref} {memo.upper()}".strip(),
                None,
                channel,
            )
        return f"ZELLE FROM {upper}", None, channel


_CASES = [
    ("clean", 44),
    ("last_first", 7),
    ("truncated", 5),
    ("typo", 4),
    ("nickname", 5),
    ("middle_initial", 3),
    ("corporate", 4),
    ("reference", 5),
    ("contact", 2),
    ("spouse", 2),
    ("spouse_known", 2),
    ("partial", 3),
    ("same_customer", 2),
    ("same_surname", 2),
    ("cashout_match", 2),
    ("cashout_lump", 2),
    ("stripe", 3),
    ("noise", 4),
    ("stranger", 2),
]


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def generate(bookings: int = 100_000, transactions: int = 10_000, seed: int = 7) -> Dataset:
    """Bookings over three years; each transaction pays one booking (or none), per its case."""
    gen = _Generator(seed, date(2023, 1, 1), 3 * 365)
    rng = gen.rng
    people: list[tuple[str, str, str, str | None]] = []  # origin, first, last, company
    booking_list: list[BookingCandidate] = []
    for booking_id in range(1, bookings + 1):
        if rng.random() < 0.06:
            origin, first, last = gen.person()
            company = gen.company()
            name = f"{company} ({first} {last})"
        else:
            origin, first, last = gen.person()
            company = None
            name = f"{first} {last}"
        people.append((origin, first, last, company))
        booking_list.append(gen.booking(booking_id, name))

    labelled: list[LabelledTransaction] = []
    used: set[int] = set()
    cases = [c for c, _ in _CASES]
    weights = [w for _, w in _CASES]
    for number in range(transactions):
        case = rng.choices(cases, weights)[0]
        tx_id = f"tx-{number:06d}"
        item = _make(gen, case, tx_id, booking_list, people, used)
        labelled.append(item)
    return Dataset(booking_list, labelled)


def _pick(gen: _Generator, bookings: list[BookingCandidate], used: set[int]) -> int:
    while True:
        index = gen.rng.randrange(len(bookings))
        if index not in used and bookings[index].owed_cents > 0:
            used.add(index)
            return index


def _payment(
    gen: _Generator, booking: BookingCandidate, partial: bool = False
) -> tuple[int, date, PaymentType]:
    """What the customer pays given the ledger, and when."""
    rng = gen.rng
    owed = booking.owed_cents
    if partial:
        amount = rng.randrange(owed // 5, owed * 4 // 5) // 100 * 100
        on = booking.booked_on + timedelta(days=rng.randint(0, 10))
        on = min(on, booking.event_date + timedelta(days=2))
        if rng.random() < 0.5:
            on = booking.event_date + timedelta(days=rng.randint(-1, 3))
        return amount, on, "partial"
    if booking.paid_cents == 0:
        if rng.random() < 0.75:
            on = booking.booked_on + timedelta(days=rng.choice([0, 0, 1, 1, 2, 3, 5, 7]))
            return booking.deposit_cents, min(on, booking.event_date), "deposit"
        on = booking.event_date + timedelta(days=rng.randint(-1, 3))
        return _maybe_tip(rng, booking.total_cents), on, "full"
    on = booking.event_date + timedelta(days=rng.choice([-1, 0, 0, 0, 1, 1, 2, 3, 4]))
    amount = _maybe_tip(rng, owed)
    return amount, on, "balance" if amount == owed else "balance_with_tip"


def _maybe_tip(rng: random.Random, base: int) -> int:
    if rng.random() < 0.3:
        percent = rng.choice([5, 8, 10, 12, 15, 15, 18, 20, 20, 25, 30, 40, 50])
        tip = base * percent // 100
        if rng.random() < 0.5:
            tip = (tip + 999) // 1000 * 1000  # a round tip, in dollars
            if tip > base // 2:
                tip = base // 2
        return base + tip
    return base


def _payer_variant(gen: _Generator, case: str, first: str, last: str) -> str:
    rng = gen.rng
    if case == "last_first":
        return rng.choice([f"{last} {first}", f"{last}, {first}"])
    if case == "truncated":
        full = _strip_accents(f"{first} {last}").upper()
        return full[: max(12, min(len(full) - 2, rng.choice([15, 16, 18, 20])))]
    if case == "typo":
        words = f"{first} {last}".split()
        index = rng.randrange(len(words))
        words[index] = _typo(rng, words[index])
        return " ".join(words)
    if case == "nickname" and first in NICKNAMES:
        return f"{rng.choice(NICKNAMES[first])} {last}"
    if case == "middle_initial":
        return f"{first} {rng.choice(string.ascii_uppercase)} {last}"
    return f"{first} {last}"


def _make(
    gen: _Generator,
    case: str,
    tx_id: str,
    bookings: list[BookingCandidate],
    people: list[tuple[str, str, str, str | None]],
    used: set[int],
) -> LabelledTransaction:
    rng = gen.rng
    on_any = gen.start + timedelta(days=rng.randrange(gen.days))
    if case == "stripe":
        trace = "ST-" + gen.code(10)
        text = rng.choice(
            [
                f"STRIPE TRANSFER {trace}",
                f"STRIPE TRANSFER {trace} TEPPAN HIBACHI LLC",
                f"STRIPE DES:TRANSFER ID:{trace} INDN:TEPPAN HIBACHI LLC CO ID:1800948598 CCD",
                f"ORIG CO NAME:STRIPE ORIG ID:1800948598 DESC DATE:{on_any:%y%m%d} CO ENTRY "
                f"DESCR:TRANSFER SEC:CCD TRACE#:{rng.randint(10**14, 10**15)} IND ID:{trace}",
                "Stripe",
            ]
        )
        amount = rng.randrange(20000, 900000)
        tx = BankTransaction(tx_id, on_any, amount, text, "Stripe", rng.choice(["stripe", None]))
        return LabelledTransaction(tx, None, "unknown", case)
    if case == "cashout_lump":
        text = rng.choice(
            [
                f"VENMO CASHOUT PPD ID: {rng.randint(10**9, 10**10)}",
                f"VENMO DES:CASHOUT ID:{gen.code(9)} INDN:KENJI TANAKA CO ID:{gen.code(10)} PPD",
                f"Square Inc DES:* Cash App ID:T{rng.randint(10**11, 10**12)} INDN:KENJI TANAKA "
                f"CO ID:{gen.code(10)} CCD",
                "CASH APP*CASH OUT 8774174551 CA",
            ]
        )
        tx = BankTransaction(tx_id, on_any, rng.randrange(30000, 400000), text, None, None)
        return LabelledTransaction(tx, None, "unknown", case)
    if case == "noise":
        template, noise_counterparty, noise_channel = rng.choice(NOISE)
        text = template.format(n=rng.randint(1000, 9999), code=gen.code(10))
        tx = BankTransaction(
            tx_id, on_any, rng.randrange(500, 300000), text, noise_counterparty, noise_channel
        )
        return LabelledTransaction(tx, None, "unknown", case)
    if case == "stranger":
        _, first, last = gen.person()
        payer = f"{first} {last}"
        text, counterparty, channel = gen.describe(payer, rng.choice(MEMOS), on_any, "zelle")
        amount = rng.randrange(5000, 250000)
        tx = BankTransaction(tx_id, on_any, amount, text, counterparty, channel)
        return LabelledTransaction(tx, None, "unknown", case)

    index = _pick(gen, bookings, used)
    booking = bookings[index]
    origin, first, last, company = people[index]
    partial = case == "partial"
    if case == "spouse_known":
        _, spouse_first, _ = gen.person(origin)
        spouse = f"{spouse_first} {last}"
        booking = replace(booking, known_payers=(spouse,))
        bookings[index] = booking
    if case == "same_customer":
        # The same customer has a second booking, a few weeks apart, not paid the same way.
        twin = gen.booking(len(bookings) + 1, booking.customer_name)
        twin = replace(
            twin,
            event_date=booking.event_date + timedelta(days=rng.choice([-40, -21, 14, 30, 60])),
        )
        twin = replace(twin, booked_on=min(twin.booked_on, twin.event_date - timedelta(days=3)))
        bookings.append(twin)
        people.append(people[index])
    amount, on, kind = _payment(gen, booking, partial)
    if case == "same_surname":
        # Another customer, same surname, same amount, same days.
        _, other_first, _ = gen.person(origin)
        other = replace(
            booking,
            booking_id=len(bookings) + 1,
            customer_name=f"{other_first} {last}",
            phone=None,
            email=None,
        )
        bookings.append(other)
        people.append((origin, other_first, last, None))

    memo = rng.choice(MEMOS)
    payer = _payer_variant(gen, case, first, last)
    if case == "corporate" and company is not None:
        payer = f"{company} {rng.choice(['INC', 'LLC', 'CORP', ''])}".strip()
    elif case == "corporate":
        case = "clean"
    label = case  # what the case is called in the figures
    if case in ("spouse", "spouse_known"):
        payer = (
            booking.known_payers[0] if booking.known_payers else f"{gen.person(origin)[1]} {last}"
        )
    if case == "reference":
        reference = booking.reference or booking_reference(booking.booking_id)
        memo = rng.choice(
            [reference, reference.replace("-", ""), f"booking {reference}", f"{reference} {memo}"]
        )
        if rng.random() < 0.4:
            payer = f"{gen.person()[1]} {gen.person()[2]}"  # an assistant or a friend pays
    if case == "contact":
        if booking.phone and (rng.random() < 0.5 or not booking.email):
            memo = f"hibachi {booking.phone}"
        elif booking.email:
            memo = f"party {booking.email}"
        else:
            label = "spouse"  # no phone or email to write: a relative paying, nothing more
        payer = f"{gen.person()[1]} {last}"
    rail = "zelle"
    if case == "cashout_match":
        text = rng.choice(
            [
                f"VENMO CASHOUT PPD ID: {rng.randint(10**9, 10**10)}",
                f"VENMO DES:CASHOUT ID:{gen.code(9)} INDN:KENJI TANAKA CO ID:{gen.code(10)} PPD",
                "Cash App*Cash Out Visa Direct CA",
            ]
        )
        tx = BankTransaction(
            tx_id, on + timedelta(days=rng.randint(0, 2)), amount, text, None, None
        )
        return LabelledTransaction(tx, booking.booking_id, kind, case)
    if case == "clean" and rng.random() < 0.1:
        rail = "cashapp"
    if case == "clean" and rng.random() < 0.03:
        rail = "check"
    # A memo reaches the statement only where the bank shows it (BofA, Wells Fargo).
    memo_style = rng.choice(["bofa", "wells"]) if case in ("reference", "contact") else None
    text, counterparty, channel = gen.describe(payer, memo, on, rail, memo_style)
    tx = BankTransaction(tx_id, on, amount, text, counterparty, channel)
    return LabelledTransaction(tx, booking.booking_id, kind, label)


# CSV files of the contract (`teppan payments match`) -------------------------------------------

BOOKING_COLUMNS = [
    "booking_id",
    "customer_name",
    "phone",
    "email",
    "event_date",
    "booked_on",
    "total_cents",
    "deposit_cents",
    "paid_cents",
    "known_payers",
]
TRANSACTION_COLUMNS = [
    "transaction_id",
    "date",
    "amount_cents",
    "description",
    "counterparty_name",
    "channel",
]


def _booking_rows(bookings: list[BookingCandidate]) -> Iterator[list[str]]:
    for b in bookings:
        yield [
            str(b.booking_id),
            b.customer_name,
            b.phone or "",
            b.email or "",
            b.event_date.isoformat(),
            b.booked_on.isoformat(),
            str(b.total_cents),
            str(b.deposit_cents),
            str(b.paid_cents),
            "|".join(b.known_payers),
        ]


def write_csv(dataset: Dataset, folder: Path) -> tuple[Path, Path, Path]:
    """bookings.csv, transactions.csv (the contract's inputs) and truth.csv (the labels)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = (folder / "bookings.csv", folder / "transactions.csv", folder / "truth.csv")
    with paths[0].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(BOOKING_COLUMNS)
        writer.writerows(_booking_rows(dataset.bookings))
    with paths[1].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(TRANSACTION_COLUMNS)
        for item in dataset.transactions:
            tx = item.tx
            writer.writerow(
                [
                    tx.transaction_id,
                    tx.date.isoformat(),
                    str(tx.amount_cents),
                    tx.description,
                    tx.counterparty_name or "",
                    tx.channel or "",
                ]
            )
    with paths[2].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["transaction_id", "booking_id", "payment_type", "case"])
        for item in dataset.transactions:
            writer.writerow(
                [item.tx.transaction_id, item.booking_id or "", item.payment_type, item.case]
            )
    return paths
