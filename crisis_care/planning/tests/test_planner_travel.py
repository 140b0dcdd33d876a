"""Travel times from postcode district centroids: road factor, speeds by time of day, a
minimum per trip, and the team base as a place."""

import datetime as dt

import pytest

from crisis_care.planning.travel import (
    MIN_TRIP_MINUTES,
    ROAD_FACTOR,
    CoordinateTravel,
    haversine_km,
    place_for_postcode,
    team_base,
)

BASE = team_base("LE3 9EJ")


def test_the_team_base_is_its_postcode_district() -> None:
    assert BASE.key == "LE3"
    assert BASE.located


def test_a_team_without_a_base_postcode_uses_the_default_base() -> None:
    assert team_base("").key == "LE3"
    assert team_base("", "LE11 1AA").key == "LE11"


def test_a_person_without_a_known_district_is_put_at_the_base_and_flagged() -> None:
    place = place_for_postcode("ZZ9 9ZZ", fallback=BASE)
    assert place.key == "LE3"
    assert not place.located
    assert not place_for_postcode("", fallback=BASE).located


def test_distance_is_the_straight_line_times_the_road_factor() -> None:
    city, loughborough = (
        place_for_postcode("LE1 5WW", fallback=BASE),
        place_for_postcode("LE11 3AB", fallback=BASE),
    )
    straight = haversine_km(city, loughborough)
    assert 14 < straight < 19  # Leicester to Loughborough is about 16 km as the crow flies
    assert CoordinateTravel().km(city, loughborough) == pytest.approx(straight * ROAD_FACTOR)


def test_the_peaks_are_slower_than_the_middle_of_the_day() -> None:
    travel = CoordinateTravel()
    city, melton = (
        place_for_postcode("LE1 5WW", fallback=BASE),
        place_for_postcode("LE13 0AA", fallback=BASE),
    )
    peak = travel.minutes(city, melton, dt.time(8, 15))
    evening_peak = travel.minutes(city, melton, dt.time(17, 0))
    midday = travel.minutes(city, melton, dt.time(12, 0))
    assert peak == evening_peak > midday
    assert travel.slowest_minutes(city, melton) == peak
    # 35 km/h off-peak: minutes = km / 35 * 60
    assert midday == pytest.approx(travel.km(city, melton) / 35 * 60)


def test_every_trip_takes_a_minimum_and_staying_put_takes_nothing() -> None:
    travel = CoordinateTravel()
    le2, le18 = (
        place_for_postcode("LE2 1AA", fallback=BASE),
        place_for_postcode("LE18 1AA", fallback=BASE),
    )
    assert travel.minutes(le2, le18, dt.time(12)) >= MIN_TRIP_MINUTES
    assert travel.minutes(le2, le2, dt.time(12)) == 0
    assert travel.km(le2, le2) == 0
