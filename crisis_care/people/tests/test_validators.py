import pytest

from crisis_care.people.validators import is_valid_nhs_number, normalise_postcode, postcode_district


@pytest.mark.parametrize("number", ["9990000018", "999 000 0018", "943 476 5919"])
def test_valid_nhs_numbers_pass_the_modulus_11_check(number):
    assert is_valid_nhs_number(number)


@pytest.mark.parametrize(
    "number", ["9990000011", "999000001", "99900000180", "abcdefghij", "9990000026X"]
)
def test_invalid_nhs_numbers_fail(number):
    assert not is_valid_nhs_number(number)


def test_postcodes_are_normalised():
    assert normalise_postcode(" le15ww ") == "LE1 5WW"
    assert postcode_district("LE65 1AB") == "LE65"
