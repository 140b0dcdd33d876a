"""Eligibility checks: shown to staff, never applied silently."""

import datetime as dt

import pytest
from django.core.management import call_command

from crisis_care.nonprod import factories
from crisis_care.referrals.eligibility import check_age, check_area
from crisis_care.referrals.models import AgeCheck, AreaCheck, Pathway, PostcodeLocalAuthority

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("postcode", "expected"),
    [
        ("LE1 5WW", AreaCheck.IN_AREA),
        ("le11 3ab", AreaCheck.IN_AREA),
        ("LE16 7AB", AreaCheck.CHECK),
        ("DE74 2SA", AreaCheck.CHECK),
        ("NG1 1AA", AreaCheck.OUT_OF_AREA),
        ("", AreaCheck.UNKNOWN),
    ],
)
def test_the_district_table_decides_when_no_full_postcode_is_loaded(postcode, expected):
    assert check_area(postcode).check == expected


def test_a_loaded_ons_postcode_settles_a_boundary_district(tmp_path):
    onspd = tmp_path / "ONSPD_extract.csv"
    onspd.write_text(
        "pcd,pcd2,pcds,dointr,doterm,oslaua,osward\n"
        "LE167AB,LE16 7AB,LE16 7AB,199801,,E07000131,E05005555\n"
        "LE167XY,LE16 7XY,LE16 7XY,199801,,E06000061,E05009999\n"
        "NG1 1AA,NG1 1AA,NG1 1AA,199801,,E06000018,E05008888\n"
    )

    call_command("load_onspd", str(onspd), "--prefix", "LE")

    assert PostcodeLocalAuthority.objects.count() == 2
    assert check_area("LE16 7AB").check == AreaCheck.IN_AREA  # Harborough
    assert check_area("LE16 7XY").check == AreaCheck.OUT_OF_AREA  # North Northamptonshire
    assert check_area("LE16 7ZZ").check == AreaCheck.CHECK  # not in the file: back to the table


def test_loading_twice_updates_rather_than_duplicates(tmp_path):
    onspd = tmp_path / "onspd.csv"
    onspd.write_text("pcds,oslaua,doterm\nLE1 5WW,E06000016,\n")
    call_command("load_onspd", str(onspd))
    onspd.write_text("pcds,oslaua,doterm\nLE1 5WW,E06000016,202301\n")
    call_command("load_onspd", str(onspd))

    row = PostcodeLocalAuthority.objects.get()
    assert row.terminated


def test_a_file_without_onspd_columns_is_refused(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("postcode,district\nLE1 5WW,LE1\n")
    with pytest.raises(Exception, match="Not an ONSPD file"):
        call_command("load_onspd", str(other))


def test_age_bands_route_younger_and_older_people():
    on = dt.date(2026, 11, 22)
    assert check_age(dt.date(2009, 11, 23), on) == AgeCheck.CAMHS  # 16, a day short of 17
    assert check_age(dt.date(2008, 11, 22), on) == AgeCheck.IN_RANGE  # 18 today
    assert check_age(dt.date(1960, 11, 22), on) == AgeCheck.OLDER_PEOPLE  # 66
    assert check_age(None, on) == AgeCheck.UNKNOWN


def test_the_council_pathway_has_no_upper_age_limit():
    on = dt.date(2026, 11, 22)
    assert check_age(dt.date(1940, 1, 1), on, pathway=Pathway.COUNCIL_CRS) == AgeCheck.IN_RANGE


def test_where_someone_lives_decides_not_where_they_are_now(make_referral):
    resident = factories.PersonFactory(postcode="LE2 1AB")
    visitor = factories.PersonFactory(postcode="NG1 1AA")

    at_ed = make_referral(
        person=resident, current_postcode="NG7 2UH", current_location="Queen's Medical Centre ED"
    )
    visiting = make_referral(person=visitor, current_postcode="LE1 5WW")

    assert at_ed.area_check == AreaCheck.IN_AREA
    assert visiting.area_check == AreaCheck.OUT_OF_AREA
