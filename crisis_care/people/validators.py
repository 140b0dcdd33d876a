"""Identity checks: NHS number (modulus 11) and UK postcode format."""

import re

from django.core.exceptions import ValidationError

_POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]|[A-HK-Y][0-9][ABEHMNPRV-Y]) ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def normalise_nhs_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The modulus 11 check digit, or None when the nine digits can never be valid (remainder 10)."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(value: str) -> bool:
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    return nhs_number_check_digit(digits[:9]) == int(digits[9])


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError("NHS number must be 10 digits", code="nhs_number_length")
    if not is_valid_nhs_number(digits):
        raise ValidationError(
            "NHS number is not valid: check you have typed it correctly", code="nhs_number_checksum"
        )


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the inward code: 'le15ww' -> 'LE1 5WW'."""
    compact = re.sub(r"\s+", "", (value or "").upper())
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def validate_postcode(value: str) -> None:
    if not _POSTCODE.match(normalise_postcode(value)):
        raise ValidationError("Enter a real postcode, like LE1 5WW", code="postcode")


def postcode_district(value: str) -> str:
    """The outward code (district), e.g. 'LE1' from 'LE1 5WW'."""
    return normalise_postcode(value).split(" ")[0]
