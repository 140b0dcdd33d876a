"""Eligibility: does the person live in LLR, and are they an adult of working age?

Checked at intake and shown to staff; never applied silently. A referral that is out
of area or out of the age band is still recorded, and is declined with reasons and
signposting (or routed to the right team) by a person.
"""

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from crisis_care.core.presenters import age_on
from crisis_care.people.validators import normalise_postcode, postcode_district

from .models import AgeCheck, AreaCheck, Pathway, PostcodeLocalAuthority

DISTRICTS_FILE = Path(__file__).parent / "data" / "llr_postcode_districts.csv"

# ONS local authority (district-level) codes for Leicester, Rutland and Leicestershire's
# seven districts, as the ONS Postcode Directory's `oslaua` column gives them.
LLR_LOCAL_AUTHORITY_CODES = frozenset(
    {
        "E06000016",  # Leicester
        "E06000017",  # Rutland
        "E07000129",  # Blaby
        "E07000130",  # Charnwood
        "E07000131",  # Harborough
        "E07000132",  # Hinckley and Bosworth
        "E07000133",  # Melton
        "E07000134",  # North West Leicestershire
        "E07000135",  # Oadby and Wigston
    }
)


@dataclass(frozen=True)
class District:
    district: str
    in_llr: bool  # False means it straddles the boundary
    areas: str
    latitude: float
    longitude: float


@cache
def llr_districts() -> dict[str, District]:
    with DISTRICTS_FILE.open(newline="") as handle:
        return {
            row["district"]: District(
                district=row["district"],
                in_llr=row["in_llr"] == "yes",
                areas=row["areas"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
            )
            for row in csv.DictReader(handle)
        }


@dataclass(frozen=True)
class AreaResult:
    check: AreaCheck
    explanation: str


def check_area(postcode: str) -> AreaResult:
    if not postcode:
        return AreaResult(AreaCheck.UNKNOWN, "No postcode given: ask where the person lives.")
    postcode = normalise_postcode(postcode)
    exact = PostcodeLocalAuthority.objects.filter(postcode=postcode).first()
    if exact is not None and not exact.terminated:
        if exact.local_authority_code in LLR_LOCAL_AUTHORITY_CODES:
            return AreaResult(AreaCheck.IN_AREA, f"{postcode} is in LLR (ONS Postcode Directory).")
        return AreaResult(
            AreaCheck.OUT_OF_AREA,
            f"{postcode} is outside LLR (local authority {exact.local_authority_code}, ONS Postcode Directory).",
        )
    district = llr_districts().get(postcode_district(postcode))
    if district is None:
        return AreaResult(
            AreaCheck.OUT_OF_AREA,
            f"{postcode} is not in a Leicester, Leicestershire or Rutland district.",
        )
    if district.in_llr:
        return AreaResult(AreaCheck.IN_AREA, f"{district.district} is in LLR ({district.areas}).")
    return AreaResult(
        AreaCheck.CHECK,
        f"{district.district} crosses the LLR boundary ({district.areas}): confirm the address.",
    )


def check_age(
    date_of_birth: dt.date | None, on: dt.date, *, pathway: str = Pathway.MENTAL_HEALTH
) -> AgeCheck:
    """The adult crisis team serves 18 to 65; the council's crisis response serves all adults."""
    age = age_on(date_of_birth, on)
    if age is None:
        return AgeCheck.UNKNOWN
    rules = settings.CRISIS_CARE
    if age < rules["ADULT_MIN_AGE"]:
        return AgeCheck.CAMHS
    if pathway == Pathway.MENTAL_HEALTH and age > rules["ADULT_MAX_AGE"]:
        return AgeCheck.OLDER_PEOPLE
    return AgeCheck.IN_RANGE


def locality(postcode: str) -> str:
    """The area a postcode's district mostly lies in (the first listed), for filtering a
    caseload by locality; blank when the district is unknown."""
    if not postcode:
        return ""
    district = llr_districts().get(postcode_district(normalise_postcode(postcode)))
    return district.areas.split(";")[0].strip() if district is not None else ""
