from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from epicommand.core.idnumbers import check_char, make_id_number, parse_id_number
from epicommand.core.masking import mask_id_number, mask_phone

REGIONS = st.sampled_from(["130102", "130109", "110101", "440305", "652901", "130181"])
BIRTH_DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31))
SEXES = st.sampled_from(["M", "F"])
id_numbers = st.builds(make_id_number, REGIONS, BIRTH_DATES, st.integers(0, 499), SEXES)


@given(REGIONS, BIRTH_DATES, st.integers(0, 499), SEXES)
def test_valid_numbers_pass_and_reveal_birth_date_and_sex(region, born, seq, sex):
    facts = parse_id_number(make_id_number(region, born, seq, sex))
    assert (facts.region_code, facts.birth_date, facts.sex) == (region, born, sex)


@given(id_numbers, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_every_single_character_change_fails(number, position, replacement):
    if number[position] == replacement:
        return  # not a change
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(ValidationError):
        parse_id_number(changed)


def test_the_lower_case_x_check_character_is_accepted():
    first17 = next(
        f"13010919800517{n:03d}" for n in range(1000) if check_char(f"13010919800517{n:03d}") == "X"
    )
    assert parse_id_number(first17 + "x").birth_date == date(1980, 5, 17)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("13010919800517123", "must be 18 characters"),
        ("1301091980051712345", "must be 18 characters"),
        ("13010919800230123", "must be 18 characters"),
        ("130109A98005171238", "17 digits"),
    ],
)
def test_wrong_lengths_and_characters_are_refused_with_a_reason(number, reason):
    with pytest.raises(ValidationError, match=reason):
        parse_id_number(number)


@pytest.mark.parametrize("birth", ["19990230", "20210431", "18000101", "20991231", "19991301"])
def test_impossible_birth_dates_are_refused(birth):
    first17 = f"130109{birth}123"
    with pytest.raises(ValidationError, match="impossible birth date"):
        parse_id_number(first17 + check_char(first17))


@pytest.mark.parametrize("prefix", ["990101", "000000", "130001", "190101"])
def test_unknown_region_prefixes_are_refused(prefix):
    first17 = f"{prefix}19800517123"
    with pytest.raises(ValidationError, match="unknown region prefix"):
        parse_id_number(first17 + check_char(first17))


def test_masks_show_the_first_six_and_last_four_id_digits_and_hide_the_middle_of_phones():
    assert mask_id_number("130109198005171238") == "130109********1238"
    assert mask_phone("13812345678") == "138****5678"
