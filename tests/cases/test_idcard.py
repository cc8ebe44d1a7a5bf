"""居民身份证号 validation, including its check character (GB 11643-1999)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.cases import idcard

TODAY = date(2026, 11, 23)


def _number(region: str, born: date, serial: str) -> str:
    first17 = f"{region}{born:%Y%m%d}{serial}"
    return first17 + idcard.check_character(first17)


def test_a_known_valid_number_with_x() -> None:
    facts = idcard.parse("11010519491231002X", today=TODAY)
    assert (facts.birth_date, facts.gender) == (date(1949, 12, 31), "F")


def test_full_width_digits_and_lower_case_x_are_accepted() -> None:
    assert (
        idcard.parse("１１０１０５１９４９１２３１００２x", today=TODAY).number
        == "11010519491231002X"
    )


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("11010519491231002", "18 位"),
        ("110105194912310021", "校验码"),
        ("11010519490231002X", "出生日期"),
        ("110105A9491231002X", "数字"),
        ("910105194912310022", "地区码"),
        (_number("370502", TODAY + timedelta(days=1), "123"), "出生日期"),
    ],
)
def test_invalid_numbers_say_why(raw: str, why: str) -> None:
    with pytest.raises(idcard.IdNumberError, match=why):
        idcard.parse(raw, today=TODAY)


regions = st.sampled_from(["110105", "370502", "371602", "440305", "650102"])
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
serials = st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")


@given(regions, births, serials)
def test_any_number_with_its_check_character_is_valid(region: str, born: date, serial: str) -> None:
    facts = idcard.parse(_number(region, born, serial), today=TODAY)
    assert facts.birth_date == born
    assert facts.gender == ("M" if int(serial[2]) % 2 else "F")


@given(regions, births, serials, st.sampled_from("0123456789X"))
def test_any_other_check_character_is_refused(
    region: str, born: date, serial: str, last: str
) -> None:
    number = _number(region, born, serial)
    if last == number[-1]:
        return
    with pytest.raises(idcard.IdNumberError, match="校验码"):
        idcard.parse(number[:17] + last, today=TODAY)


@given(regions, births, serials, st.integers(min_value=0, max_value=16), st.integers(1, 9))
def test_a_single_mistyped_digit_is_caught(
    region: str, born: date, serial: str, position: int, shift: int
) -> None:
    number = _number(region, born, serial)
    wrong = str((int(number[position]) + shift) % 10)
    typo = number[:position] + wrong + number[position + 1 :]
    with pytest.raises(idcard.IdNumberError):
        idcard.parse(typo, today=TODAY)


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(2008, 11, 23), date(2026, 11, 22), 17),
        (date(2008, 11, 23), date(2026, 11, 23), 18),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
    ],
)
def test_age_counts_full_years(born: date, day: date, age: int) -> None:
    assert idcard.age_on(born, day) == age
