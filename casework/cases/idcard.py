"""居民身份证号 (GB 11643-1999): 18 characters, the last a mod-11 check character.

Pure functions over strings and dates: testable without a database (STYLE.md).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


class IdNumberError(ValueError):
    """Why an ID number is not valid, in words the officer can act on."""


@dataclass(frozen=True)
class IdFacts:
    number: str
    birth_date: date
    gender: str  # "M" or "F": the 17th digit is odd for men


def normalize(raw: str) -> str:
    """Full-width digits and a lower-case x, as typed on Chinese keyboards, become canonical."""
    return unicodedata.normalize("NFKC", raw).strip().replace(" ", "").upper()


def check_character(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def parse(raw: str, *, today: date) -> IdFacts:
    """Validate an ID number and read the birth date and gender it encodes."""
    number = normalize(raw)
    if len(number) != 18:
        raise IdNumberError(f"应为 18 位,实际 {len(number)} 位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberError("前 17 位应为数字,末位为数字或 X")
    if number[0] not in "12345678":
        raise IdNumberError("地区码无效")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("出生日期无效") from None
    if born > today or born.year < 1900:
        raise IdNumberError("出生日期无效")
    if check_character(number[:17]) != number[17]:
        raise IdNumberError("校验码错误")
    return IdFacts(number=number, birth_date=born, gender="M" if int(number[16]) % 2 else "F")


def age_on(birth_date: date, day: date) -> int:
    """Full years of age on `day` (a birthday counts from that day on)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
