"""Where a US or Canadian number probably is: its area code's state and time zone.

Mobile numbers travel with their owners, so this is a guess; the send rules only use it to be
*more* careful (a text must suit both this zone and the business's own).
"""

from __future__ import annotations

from dataclasses import dataclass

_EASTERN = "America/New_York"
_CENTRAL = "America/Chicago"
_MOUNTAIN = "America/Denver"
_ARIZONA = "America/Phoenix"
_PACIFIC = "America/Los_Angeles"
_ALASKA = "America/Anchorage"
_HAWAII = "Pacific/Honolulu"

# state: (its main time zone, area codes)
_BY_STATE: dict[str, tuple[str, str]] = {
    "AL": (_CENTRAL, "205 251 256 334 659 938"),
    "AK": (_ALASKA, "907"),
    "AZ": (_ARIZONA, "480 520 602 623 928"),
    "AR": (_CENTRAL, "327 479 501 870"),
    "CA": (
        _PACIFIC,
        "209 213 279 310 323 341 350 369 408 415 424 442 510 530 559 562 619 626 628 650 657 "
        "661 669 707 714 747 760 805 818 820 831 840 858 909 916 925 949 951",
    ),
    "CO": (_MOUNTAIN, "303 719 720 970 983"),
    "CT": (_EASTERN, "203 475 860 959"),
    "DE": (_EASTERN, "302"),
    "DC": (_EASTERN, "202 771"),
    "FL": (
        _EASTERN,
        "239 305 321 324 352 386 407 448 561 645 656 689 727 728 754 772 786 813 850 863 904 "
        "941 954",
    ),
    "GA": (_EASTERN, "229 404 470 478 678 706 762 770 912 943"),
    "HI": (_HAWAII, "808"),
    "ID": (_MOUNTAIN, "208 986"),
    "IL": (_CENTRAL, "217 224 309 312 331 447 464 618 630 708 730 773 779 815 847 861 872"),
    "IN": (_EASTERN, "219 260 317 463 574 765 812 930"),
    "IA": (_CENTRAL, "319 515 563 641 712"),
    "KS": (_CENTRAL, "316 620 785 913"),
    "KY": (_EASTERN, "270 364 502 606 859"),
    "LA": (_CENTRAL, "225 318 337 504 985"),
    "ME": (_EASTERN, "207"),
    "MD": (_EASTERN, "227 240 301 410 443 667"),
    "MA": (_EASTERN, "339 351 413 508 617 774 781 857 978"),
    "MI": (_EASTERN, "231 248 269 313 517 586 616 679 734 810 906 947 989"),
    "MN": (_CENTRAL, "218 320 507 612 651 763 924 952"),
    "MS": (_CENTRAL, "228 601 662 769"),
    "MO": (_CENTRAL, "235 314 417 557 573 636 660 816 975"),
    "MT": (_MOUNTAIN, "406"),
    "NE": (_CENTRAL, "308 402 531"),
    "NV": (_PACIFIC, "702 725 775"),
    "NH": (_EASTERN, "603"),
    "NJ": (_EASTERN, "201 551 609 640 732 848 856 862 908 973"),
    "NM": (_MOUNTAIN, "505 575"),
    "NY": (
        _EASTERN,
        "212 315 329 332 347 363 516 518 585 607 624 631 646 680 716 718 838 845 914 917 929 934",
    ),
    "NC": (_EASTERN, "252 336 472 704 743 828 910 919 980 984"),
    "ND": (_CENTRAL, "701"),
    "OH": (_EASTERN, "216 220 234 283 326 330 380 419 436 440 513 567 614 740 937"),
    "OK": (_CENTRAL, "405 539 572 580 918"),
    "OR": (_PACIFIC, "458 503 541 971"),
    "PA": (_EASTERN, "215 223 267 272 412 445 484 570 582 610 717 724 814 835 878"),
    "RI": (_EASTERN, "401"),
    "SC": (_EASTERN, "803 839 843 854 864"),
    "SD": (_CENTRAL, "605"),
    "TN": (_CENTRAL, "423 615 629 731 865 901 931"),
    "TX": (
        _CENTRAL,
        "210 214 254 281 325 346 361 409 430 432 469 512 682 713 726 737 806 817 830 832 903 "
        "915 936 940 945 956 972 979",
    ),
    "UT": (_MOUNTAIN, "385 435 801"),
    "VT": (_EASTERN, "802"),
    "VA": (_EASTERN, "276 434 540 571 686 703 757 804 826 948"),
    "WA": (_PACIFIC, "206 253 360 425 509 564"),
    "WV": (_EASTERN, "304 681"),
    "WI": (_CENTRAL, "262 274 353 414 534 608 715 920"),
    "WY": (_MOUNTAIN, "307"),
    "PR": ("America/Puerto_Rico", "787 939"),
}

# Area codes in a state's other time zone.
_ZONE_EXCEPTIONS = {
    "850": _CENTRAL,  # Florida panhandle
    "915": _MOUNTAIN,  # El Paso
    "208": _MOUNTAIN,  # southern Idaho (the north is Pacific; the stricter guess is not needed)
    "219": _CENTRAL,  # north-west Indiana
    "812": _EASTERN,
    "270": _CENTRAL,  # western Kentucky
    "364": _CENTRAL,
    "906": _EASTERN,
    "423": _EASTERN,  # east Tennessee
    "865": _EASTERN,
    "541": _PACIFIC,
    "308": _CENTRAL,
    "605": _CENTRAL,
    "701": _CENTRAL,
}


@dataclass(frozen=True)
class NumberPlace:
    state: str
    timezone: str


_PLACES: dict[str, NumberPlace] = {
    code: NumberPlace(state, _ZONE_EXCEPTIONS.get(code, zone))
    for state, (zone, codes) in _BY_STATE.items()
    for code in codes.split()
}


def place_of(e164: str) -> NumberPlace | None:
    """The state and time zone of a +1 number's area code; None for other countries or codes."""
    if not e164.startswith("+1") or len(e164) != 12:
        return None
    return _PLACES.get(e164[2:5])
