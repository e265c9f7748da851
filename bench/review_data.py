"""A labelled, seeded set of bookings and Google reviews for review verification.

Bookings: a business's history over three years (20,000 or 100,000 events), customers drawn
from name distributions shaped like the US population's: common names far more frequent than
rare ones (Zipf-like weights over each list, most frequent first), a long tail of surnames,
Vietnamese and Korean surnames as concentrated as they really are (Nguyễn ~38 % of Vietnamese,
Kim ~21 % of Koreans), Hispanic compound surnames and accents, hyphenated Korean given names,
companies booking for a person. Some customers book again (same name, phone and email).

Reviews, each with its truth:
- customers reviewing one of their events, mostly days after it, some weeks or months later,
  under display names as people set them: the full name, upper or lower case, accents dropped,
  "First L.", the first name only, a nickname, a middle initial, "S. Johnson", "The Johnson
  Family", family name first, typos, handles and "A Google User"; some write their phone or
  email in the text;
- guests of a recent event (not the customer; half of them the host's family, with the host's
  surname);
- strangers: people drawn from the same population (so natural namesakes happen at the rate
  they happen), strangers bearing a recent customer's first name, surname, or first name and
  surname initial, namesakes of past customers, and strangers writing a phone number.
"""

from __future__ import annotations

import csv
import random
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from domain.payments.matching.models import BookingCandidate
from domain.reviews.verification import ReviewFacts


def _names(text: str) -> list[str]:
    return text.split()


FIRST: dict[str, list[str]] = {
    "anglo": _names(
        "James Michael John Robert David William Mary Jennifer Linda Elizabeth Patricia Richard "
        "Joseph Thomas Christopher Charles Daniel Matthew Jessica Sarah Karen Nancy Lisa Betty "
        "Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ashley "
        "Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie Rebecca Sharon Laura "
        "Cynthia Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen "
        "Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond "
        "Kathleen Amy Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha Katherine "
        "Christine Debra Rachel Carolyn Janet Catherine Maria Heather Diane Ruth Julie Olivia "
        "Joyce Virginia Victoria Kelly Lauren Christina Joan Evelyn Judith Megan Andrea Cheryl "
        "Hannah Jacqueline Martha Gloria Teresa Ann Sara Madison Frances Kathryn Janice Jean "
        "Abigail Alice Judy Sophia Grace Denise Amber Doris Marilyn Danielle Beverly Isabella "
        "Theresa Diana Natalie Brittany Charlotte Marie Kayla Alexis Lori Tyler Aaron Jose Adam "
        "Nathan Henry Zachary Douglas Peter Kyle Noah Ethan Jeremy Walter Christian Keith Roger "
        "Terry Austin Sean Gerald Carl Harold Dylan Arthur Lawrence Jordan Jesse Bryan Billy "
        "Bruce Gabriel Joe Logan Alan Juan Albert Willie Elijah Wayne Randy Vincent Mason Roy "
        "Ralph Bobby Russell Bradley Philip Eugene Delaney Quinn Harper Rowan Everett Declan "
        "Sloane Imogen Thaddeus Cordelia Ainsley Percival Marisa Leland Winifred Tobias Rosalind"
    ),
    "hispanic": _names(
        "José María Juan Luis Carlos Jesús Ana Guadalupe Jorge Sofía Alejandro Francisco "
        "Miguel Antonio Rosa Manuel Verónica Pedro Andrés Mónica Raúl Ramón Alejandra Fernando "
        "Ricardo Gabriela Isabel Javier Lucía Rocío Héctor Adrián Marisol Yolanda Esteban "
        "Diego Valentina Camila Mateo Santiago Ximena Emilio Paola Arturo Beatriz Catalina "
        "Leticia Ignacio Rodrigo Teresa Eduardo Silvia Patricio Graciela Octavio Inés"
    ),
    "vietnamese": _names(
        "Linh Anh Minh Thanh Hương Tuấn Hoa Lan Đức Phương Quang Trang Hiếu Ngọc Bảo Khánh "
        "Thủy Long Hải Mai Dũng Hùng Nhung Vy Thảo Hạnh Nam Phúc Tâm Huy Trung Yến Duy Loan "
        "Khoa Tiến Diễm Thư"
    ),
    "indian": _names(
        "Priya Rahul Anjali Vikram Arjun Deepika Sanjay Lakshmi Ravi Sunita Aditya Kavya Rohan "
        "Neha Venkatesh Srinivas Ananya Harish Pooja Suresh Meenakshi Karthik Amit Divya Nikhil "
        "Shreya Rajesh Swati Manish Aarti Vivek Sneha Gaurav Ishaan Tanvi Prakash Revathi Sandeep "
        "Madhuri Arvind Nandini Kiran Varun Jyoti"
    ),
    "chinese": _names(
        "Wei Jing Hao Xin Yan Mei Jun Ying Lei Xiaoming Jian Fang Tao Yue Qiang Hui Ming Li "
        "Jie Lin Yun Ping Hong Xiaoyu Zhiwei Yiming Shu Kai Bo Ning Rui Chen Xiu Dan Lan Yu"
    ),
    "korean": _names(
        "Ji-hoon Min-jun Seo-yeon Ji-woo Hyun-woo Soo-jin Eun-ji Jae-won Young-ho Min-seo "
        "Dong-hyun Hye-jin Sung-min Ha-eun Jin-woo Yu-na Seung-ho Da-eun Tae-yang Ji-min "
        "Sang-woo Eun-young Kyung-soo Mi-rae Joon-ho So-yeon"
    ),
}
LAST: dict[str, list[str]] = {
    "anglo": _names(
        "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore "
        "Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King "
        "Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips "
        "Campbell Parker Evans Edwards Collins Stewart Morris Murphy Cook Rogers Morgan "
        "Peterson Cooper Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks "
        "Bennett Gray James Hughes Price Sanders Myers Long Ross Foster Powell Jenkins Perry "
        "Russell Sullivan Butler Barnes Fisher Henderson Coleman Simmons Patterson Jordan "
        "Reynolds Hamilton Graham Wallace West Cole Hayes Bryant Gibson Ellis Stevens Murray "
        "Ford Marshall Owens McDonald Harrison Kennedy Wells Alexander Griffin Hunt Palmer "
        "Black Holmes Stone Meyer Boyd Mills Warren Fox Rose Rice Moreno Schmidt Knight Hudson "
        "Hunter Spencer Gardner Payne Pierce Berry Matthews Arnold Wagner Willis Ray Watkins "
        "Olson Carroll Duncan Snyder Hart Cunningham Bradley Lane Andrews Ruiz Harper Fox "
        "Riley Armstrong Carpenter Weaver Greene Lawrence Elliott Chavez Sims Austin Peters "
        "Kelley Franklin Lawson Fields Ryan Schneider O'Connor McAllister Fitzgerald Sutherland"
    ),
    "hispanic": _names(
        "García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres "
        "Flores Rivera Gómez Díaz Reyes Morales Cruz Ortiz Gutiérrez Chávez Ramos Ruiz Peña "
        "Muñoz Castillo Jiménez Vásquez Mendoza Álvarez Romero Domínguez Castañeda Herrera "
        "Medina Aguilar Vargas Guzmán Salazar Delgado Contreras Figueroa Espinoza Sandoval "
        "Navarro Cortés Fuentes Valdez Ibarra Cabrera Villaseñor Zúñiga Orozco Bautista "
        "Velázquez Carrillo Montoya Rosales Serrano Luna Cervantes Estrada Maldonado"
    ),
    "vietnamese": _names(
        "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Trương Đinh"
    ),
    "indian": _names(
        "Patel Shah Sharma Singh Kumar Gupta Reddy Rao Iyer Nair Mehta Desai Joshi Agarwal "
        "Malhotra Chaudhary Pillai Krishnamurthy Venkataraman Subramanian Chatterjee Banerjee "
        "Mukherjee Bhat Kulkarni Menon Naidu Kapoor Verma Saxena Trivedi Pandey Mishra Bose "
        "Ghosh Das Sinha Chopra Arora Bhatt Parikh Thakur Jain Srinivasan Raman Hegde"
    ),
    "chinese": _names(
        "Li Wang Zhang Liu Chen Yang Zhao Huang Zhou Wu Xu Sun Hu Zhu Gao Lin He Guo Ma Luo "
        "Chan Wong Leung Cheung Lau Ng Tang Liang Song Zheng Xie Han Feng Deng Cao Peng Zeng"
    ),
    "korean": _names(
        "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Shin Seo Kwon Oh Hwang Song Ahn Yoo "
        "Hong Jeon Ko Moon Yang Son Bae Baek"
    ),
}
# Real shares of the most frequent surnames; the rest of each list shares what is left.
_SURNAME_SHARES = {
    "vietnamese": [38, 11, 9.5, 7, 5, 5, 4.5, 3.9, 3.9, 2.1, 2, 1.4, 1.3, 1.3, 1, 0.5, 0.5, 0.5],
    "korean": [21.5, 14.7, 8.4, 4.7, 4.3, 2.3, 2.1, 2.1, 2, 1.7, 1.5, 1.5, 1.5, 1.4, 1.4, 1.4],
}
# The long tail of surnames (most of a real population's): built from parts, as many names are.
_TAIL_HEADS = _names(
    "Ash Black Brad Bram Brook Cal Chad Craw Dun Ed Ell Fair Fen Gold Green Hal Hart Haw Hol "
    "Kings Lang Lind Mar Mel Mor Nor Oak Pen Ral Red Ros Rut Shel Stan Stock Stan Thorn Wad "
    "Wel Whit Win Wood Al Birch Bur Carl Crom Dal Em Fern Gar Gil Har Kirk Lock Mad Pem Rad "
    "Sel Sher Sut Tal Ux Wal Wes York Bex Cran Dray Fal Glen Hed Ives Jar Kel Lyn"
)
_TAIL_TAILS = _names(
    "ford ley ton wood field well worth by man more ridge stead wick ham land dale er berg "
    "stein wright brook cott shaw burn"
)
_TAIL_SHARE = 0.55  # of Anglo surnames
ORIGINS = ["anglo", "hispanic", "vietnamese", "indian", "chinese", "korean"]
ORIGIN_WEIGHTS = [45, 22, 7, 9, 10, 7]
NICKNAMES = {
    "Robert": ["Bob", "Rob", "Bobby"],
    "William": ["Bill", "Will", "Billy"],
    "Michael": ["Mike"],
    "James": ["Jim", "Jimmy"],
    "Richard": ["Rick", "Rich"],
    "Joseph": ["Joe", "Joey"],
    "Thomas": ["Tom", "Tommy"],
    "Christopher": ["Chris"],
    "Daniel": ["Dan", "Danny"],
    "Matthew": ["Matt"],
    "Anthony": ["Tony"],
    "Jennifer": ["Jenny", "Jen"],
    "Elizabeth": ["Liz", "Beth"],
    "Patricia": ["Pat", "Patty", "Trish"],
    "Katherine": ["Kate", "Kathy", "Katie"],
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
    "Edward": ["Ed", "Eddie"],
    "Kenneth": ["Ken", "Kenny"],
    "Deborah": ["Debbie", "Deb"],
    "Victoria": ["Vicky", "Tori"],
    "Francisco": ["Paco", "Pancho"],
    "Guadalupe": ["Lupe"],
    "Alejandro": ["Alex"],
}
COMPANIES = _names(
    "Acme Summit Pacific Redwood Northstar Cascade Apex Pinnacle Horizon Evergreen Bluewater"
)
COMPANY_KINDS = _names("Robotics Dental Realty Labs Software Logistics Partners Health Systems")
COMMENTS_GOOD = [
    "Amazing food and the chef was so much fun!",
    "Everything was perfect, on time and delicious.",
    "La comida estuvo deliciosa y el chef muy divertido.",
    "Great party, highly recommend.",
    "",
]
COMMENTS_BAD = [
    "The chef was an hour late and the food was cold.",
    "Overpriced and the communication was terrible.",
    "Llegaron tarde y la comida estaba fría.",
    "Never again.",
    "",
]


@dataclass(frozen=True)
class Person:
    origin: str
    first: str
    last: str  # may hold two surnames, or a middle name first ("Thị Nguyễn")

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class LabelledReview:
    review: ReviewFacts
    booking_id: int | None  # the booking reviewed; None: not a customer's review
    customer: int | None  # the customer (their bookings share it), for a customer's review
    group: str  # "customer", "guest" or "stranger"
    case: str  # the display-name style or the kind of stranger
    carries_surname: bool  # the display name holds the full surname


@dataclass(frozen=True)
class Dataset:
    bookings: list[BookingCandidate]
    customer_of: dict[int, int]  # booking id -> customer number
    reviews: list[LabelledReview]


def strip_accents(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _zipf(count: int, exponent: float) -> list[float]:
    return [1 / (rank + 1) ** exponent for rank in range(count)]


class _Population:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.first_weights = {o: _zipf(len(names), 0.5) for o, names in FIRST.items()}
        self.last_weights: dict[str, list[float]] = {}
        for origin, names in LAST.items():
            shares = _SURNAME_SHARES.get(origin)
            if shares:
                rest = (100 - sum(shares)) / max(len(names) - len(shares), 1)
                self.last_weights[origin] = shares + [rest] * (len(names) - len(shares))
            else:
                self.last_weights[origin] = _zipf(len(names), 0.6)
        self.tail = [h + t for h in _TAIL_HEADS for t in _TAIL_TAILS]

    def surname(self, origin: str) -> str:
        rng = self.rng
        if origin == "anglo" and rng.random() < _TAIL_SHARE:
            return rng.choice(self.tail)
        return rng.choices(LAST[origin], self.last_weights[origin])[0]

    def person(self, origin: str | None = None) -> Person:
        rng = self.rng
        origin = origin or rng.choices(ORIGINS, ORIGIN_WEIGHTS)[0]
        first = rng.choices(FIRST[origin], self.first_weights[origin])[0]
        last = self.surname(origin)
        if origin == "hispanic" and rng.random() < 0.3:
            last = f"{last} {self.surname(origin)}"
        if origin == "vietnamese" and rng.random() < 0.3:
            last = f"{rng.choice(['Văn', 'Thị', 'Minh', 'Ngọc'])} {last}"
        return Person(origin, first, last)


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


# Display-name styles of customers: (style, weight, carries the full surname)
CUSTOMER_STYLES = [
    ("full", 34, True),
    ("upper", 3, True),
    ("lower", 4, True),
    ("first_initial", 18, False),
    ("first_only", 15, False),
    ("nickname", 5, True),
    ("middle_initial", 2, True),
    ("initial_surname", 2, True),
    ("family", 2, True),
    ("typo", 5, True),
    ("family_name_first", 3, True),
    ("handle", 3, False),
    ("anonymous", 1, False),
]
_SURNAME_STYLES = {style for style, _, carries in CUSTOMER_STYLES if carries}


def display_name(rng: random.Random, person: Person, style: str) -> str:
    first, last = person.first, person.last
    surname = last.split()[-1] if person.origin == "vietnamese" else last.split()[0]
    if rng.random() < 0.5:  # people often type their name without accents
        first, last, surname = strip_accents(first), strip_accents(last), strip_accents(surname)
    if style == "upper":
        return f"{first} {last}".upper()
    if style == "lower":
        return f"{first} {last}".lower()
    if style == "first_initial":
        return f"{first} {strip_accents(surname)[0]}{rng.choice(['.', '', '.'])}"
    if style == "first_only":
        return first
    if style == "nickname" and person.first in NICKNAMES:
        return f"{rng.choice(NICKNAMES[person.first])} {last}"
    if style == "middle_initial":
        return f"{first} {rng.choice('ABCDEJKLMRS')}. {last}"
    if style == "initial_surname":
        return f"{strip_accents(first)[0]}. {surname}"
    if style == "family":
        return rng.choice([f"The {surname} Family", f"{surname} Family", f"Familia {surname}"])
    if style == "typo":
        words = f"{first} {last}".split()
        index = rng.randrange(len(words))
        words[index] = _typo(rng, words[index])
        return " ".join(words)
    if style == "family_name_first":
        return f"{surname} {first}"
    if style == "handle":
        return rng.choice(
            [
                f"{strip_accents(first).lower()}{rng.randint(1, 99)}",
                f"{strip_accents(first + surname).lower()}_{rng.randint(1, 9)}",
                "foodie_" + str(rng.randint(100, 999)),
            ]
        )
    if style == "anonymous":
        return "A Google User"
    return f"{first} {last}"


class _History:
    """The business's bookings over three years."""

    def __init__(self, rng: random.Random, population: _Population, size: int, start: date):
        self.rng, self.population, self.start = rng, population, start
        self.days = 3 * 365
        self.bookings: list[BookingCandidate] = []
        self.people: list[Person] = []  # per customer number
        self.customer_of: dict[int, int] = {}
        self.of_customer: dict[int, list[BookingCandidate]] = {}
        while len(self.bookings) < size:
            self._customer(size)
        self.bookings.sort(key=lambda b: b.booking_id)

    def _customer(self, size: int) -> None:
        rng = self.rng
        person = self.population.person()
        number = len(self.people)
        self.people.append(person)
        name = person.full
        if rng.random() < 0.04:
            name = f"{rng.choice(COMPANIES)} {rng.choice(COMPANY_KINDS)} ({person.full})"
        slug = strip_accents(person.full).lower().replace(" ", ".").replace("'", "")
        phone = (
            f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
            if rng.random() < 0.92
            else None
        )
        email = f"{slug}{rng.randint(1, 99)}@example.com" if rng.random() < 0.8 else None
        repeat = rng.choices([1, 2, 3, 4], [85, 10, 3, 2])[0]
        for _ in range(min(repeat, size - len(self.bookings))):
            booking_id = len(self.bookings) + 1
            event = self.start + timedelta(days=rng.randrange(self.days))
            total = rng.randint(10, 60) * rng.choice([5500, 6000, 6500]) + rng.choice([0, 2500])
            booking = BookingCandidate(
                booking_id=booking_id,
                customer_name=name,
                phone=phone,
                email=email,
                event_date=event,
                booked_on=event - timedelta(days=min(int(rng.expovariate(1 / 35)) + 2, 300)),
                total_cents=total,
                deposit_cents=total // 4,
                paid_cents=total,
            )
            self.bookings.append(booking)
            self.customer_of[booking_id] = number
            self.of_customer.setdefault(number, []).append(booking)


def _created(rng: random.Random, day: date) -> datetime:
    # The evening after an event, Pacific time, is the next morning in UTC: either may be seen.
    return datetime.combine(day, time(rng.randint(14, 23), rng.randint(0, 59)), tzinfo=UTC)


def _review_delay(rng: random.Random) -> int:
    bucket = rng.choices(["days", "weeks", "month", "late"], [60, 25, 10, 5])[0]
    if bucket == "days":
        return rng.randint(0, 7)
    if bucket == "weeks":
        return rng.randint(8, 30)
    if bucket == "month":
        return rng.randint(31, 45)
    return rng.randint(46, 150)


def _contact_comment(rng: random.Random, phone: str | None, email: str | None) -> str | None:
    if phone and (rng.random() < 0.6 or not email):
        return f"Please call me back at {phone}, nobody answered."
    if email:
        return f"You can reach me at {email}."
    return None


_STRANGER_CASES = [
    ("population", 50),
    ("first_name_collider", 20),
    ("surname_collider", 15),
    ("first_initial_collider", 10),
    ("old_namesake", 5),
]


def generate(
    bookings: int = 20_000, reviews: int = 4_000, seed: int = 11, customer_share: float = 0.6
) -> Dataset:
    """`customer_share` of the reviews are customers'; of the rest, a quarter guests', the rest
    strangers'."""
    rng = random.Random(seed)
    population = _Population(rng)
    start = date(2023, 1, 1)
    history = _History(rng, population, bookings, start)
    by_day: dict[date, list[BookingCandidate]] = {}
    for booking in history.bookings:
        by_day.setdefault(booking.event_date, []).append(booking)
    first_review_day = start + timedelta(days=2 * 365)
    last_day = start + timedelta(days=history.days - 1)
    labelled: list[LabelledReview] = []
    styles = [s for s, _, _ in CUSTOMER_STYLES]
    style_weights = [w for _, w, _ in CUSTOMER_STYLES]
    for number in range(reviews):
        review_id = f"rev-{number:06d}"
        draw = rng.random()
        if draw < customer_share:
            item = _customer_review(rng, history, review_id, first_review_day, last_day, styles,
                                    style_weights)  # fmt: skip
        elif draw < customer_share + (1 - customer_share) / 4:
            item = _guest_review(rng, history, population, review_id, first_review_day, last_day)
        else:
            item = _stranger_review(
                rng, history, population, by_day, review_id, first_review_day, last_day, styles,
                style_weights,
            )  # fmt: skip
        labelled.append(item)
    return Dataset(history.bookings, history.customer_of, labelled)


def _reviewed_booking(
    rng: random.Random, history: _History, first_day: date, last_day: date
) -> tuple[BookingCandidate, date]:
    while True:
        booking = rng.choice(history.bookings)
        day = booking.event_date + timedelta(days=_review_delay(rng))
        if first_day <= day <= last_day:
            return booking, day


def _customer_review(
    rng: random.Random,
    history: _History,
    review_id: str,
    first_day: date,
    last_day: date,
    styles: list[str],
    weights: list[int],
) -> LabelledReview:
    booking, day = _reviewed_booking(rng, history, first_day, last_day)
    customer = history.customer_of[booking.booking_id]
    person = history.people[customer]
    style = rng.choices(styles, weights)[0]
    if style == "nickname" and person.first not in NICKNAMES:
        style = "full"
    name = display_name(rng, person, style)
    bad = rng.random() < 0.35
    comment = rng.choice(COMMENTS_BAD if bad else COMMENTS_GOOD)
    case = style
    if rng.random() < 0.03:
        contact = _contact_comment(rng, booking.phone, booking.email)
        if contact:
            comment, case = f"{comment} {contact}".strip(), f"{style}+contact"
    stars = rng.choice([1, 2, 3]) if bad else rng.choice([4, 5, 5])
    review = ReviewFacts(review_id, name, stars, comment, _created(rng, day))
    return LabelledReview(
        review, booking.booking_id, customer, "customer", case, style in _SURNAME_STYLES
    )


def _guest_review(
    rng: random.Random,
    history: _History,
    population: _Population,
    review_id: str,
    first_day: date,
    last_day: date,
) -> LabelledReview:
    booking, day = _reviewed_booking(rng, history, first_day, last_day)
    host = history.people[history.customer_of[booking.booking_id]]
    guest = population.person(host.origin)
    case = "guest"
    if rng.random() < 0.5:
        guest, case = Person(host.origin, guest.first, host.last), "guest_family"
    style = rng.choices(["full", "first_initial", "first_only"], [60, 25, 15])[0]
    name = display_name(rng, guest, style)
    review = ReviewFacts(review_id, name, rng.randint(1, 5), rng.choice(COMMENTS_GOOD),
                         _created(rng, day))  # fmt: skip
    return LabelledReview(review, None, None, "guest", f"{case}:{style}", False)


def _recent_customer(
    rng: random.Random, history: _History, by_day: dict[date, list[BookingCandidate]], day: date
) -> Person | None:
    for _ in range(20):
        event = day - timedelta(days=rng.randint(0, 45))
        found = by_day.get(event)
        if found:
            return history.people[history.customer_of[rng.choice(found).booking_id]]
    return None


def _stranger_review(
    rng: random.Random,
    history: _History,
    population: _Population,
    by_day: dict[date, list[BookingCandidate]],
    review_id: str,
    first_day: date,
    last_day: date,
    styles: list[str],
    weights: list[int],
) -> LabelledReview:
    day = first_day + timedelta(days=rng.randrange((last_day - first_day).days + 1))
    case = rng.choices([c for c, _ in _STRANGER_CASES], [w for _, w in _STRANGER_CASES])[0]
    stranger = population.person()
    style = rng.choices(styles, weights)[0]
    recent = _recent_customer(rng, history, by_day, day)
    if case == "first_name_collider" and recent is not None:
        stranger = Person(recent.origin, recent.first, population.person(recent.origin).last)
        style = rng.choice(["full", "first_only", "full"])
    elif case == "surname_collider" and recent is not None:
        stranger = Person(recent.origin, population.person(recent.origin).first, recent.last)
        style = rng.choice(["full", "family", "full"])
    elif case == "first_initial_collider" and recent is not None:
        initial = strip_accents(recent.last)[0]
        stranger = Person(recent.origin, recent.first, f"{initial}.")
        style = "first_initial"
    elif case == "old_namesake":
        old = rng.choice(history.bookings)
        customer = history.customer_of[old.booking_id]
        # A past customer's namesake: that customer had no event in the weeks before.
        if (
            all(not 0 <= (day - b.event_date).days <= 60 for b in history.of_customer[customer])
            and (day - old.event_date).days > 60
        ):
            stranger = history.people[customer]
            style = "full"
        else:
            case = "population"
    else:
        case = "population"
    if style == "nickname":
        style = "full"
    name = (
        f"{stranger.first} {stranger.last}"
        if case == "first_initial_collider"
        else display_name(rng, stranger, style)
    )
    comment = rng.choice(COMMENTS_BAD + COMMENTS_GOOD)
    if rng.random() < 0.03:
        phone = f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
        comment, case = f"{comment} Call me at {phone}.".strip(), f"{case}+phone"
    review = ReviewFacts(review_id, name, rng.randint(1, 5), comment, _created(rng, day))
    return LabelledReview(review, None, None, "stranger", f"{case}:{style}", False)


# CSV files of the contract (`teppan reviews verify`) ----------------------------------------------

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
]
REVIEW_COLUMNS = ["review_id", "reviewer_name", "star_rating", "comment", "create_time"]


def write_csv(dataset: Dataset, folder: Path) -> tuple[Path, Path, Path]:
    """bookings.csv and reviews.csv (the contract's inputs) and truth.csv (the labels)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = (folder / "bookings.csv", folder / "reviews.csv", folder / "truth.csv")
    with paths[0].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(BOOKING_COLUMNS)
        for b in dataset.bookings:
            writer.writerow(
                [
                    b.booking_id,
                    b.customer_name,
                    b.phone or "",
                    b.email or "",
                    b.event_date.isoformat(),
                    b.booked_on.isoformat(),
                    b.total_cents,
                    b.deposit_cents,
                    b.paid_cents,
                ]
            )
    with paths[1].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(REVIEW_COLUMNS)
        for item in dataset.reviews:
            r = item.review
            created = r.created_at.isoformat().replace("+00:00", "Z")
            writer.writerow([r.review_id, r.reviewer_name, r.star_rating, r.comment, created])
    with paths[2].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["review_id", "booking_id", "customer", "group", "case", "carries_surname"])
        for item in dataset.reviews:
            writer.writerow(
                [
                    item.review.review_id,
                    item.booking_id or "",
                    "" if item.customer is None else item.customer,
                    item.group,
                    item.case,
                    int(item.carries_surname),
                ]
            )
    return paths
