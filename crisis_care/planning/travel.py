"""Travel between places for the visit planner, behind an interface (`TravelModel`) so that a
road-network router can be plugged in later.

The default (`CoordinateTravel`) works from coordinates: the straight-line (haversine) distance
between two places, times a road factor, at a speed that depends on the London time of day.
Places are postcode district centroids (the referrals app's table of LLR districts; full
postcodes are not needed for a day's plan at this accuracy).

Assumptions (figures to revisit when real journey times are available):

- ROAD_FACTOR 1.3: roads are about 30 % longer than the straight line in a mixed
  city/county area (a common rule of thumb for UK road networks);
- 25 km/h in the urban peaks (07:30–09:30 and 16:00–18:30, London time), 35 km/h otherwise
  (door to door, including parking);
- every trip between two different places takes at least MIN_TRIP_MINUTES (5): parking,
  finding the door; a trip within the same district counts as 2 km;
- a place we cannot locate (no postcode, or a district outside the table) is put at the team
  base, so it costs the minimum trip rather than stopping the plan; selectors say so.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Protocol

from crisis_care.people.validators import postcode_district
from crisis_care.referrals.eligibility import llr_districts

ROAD_FACTOR = 1.3
PEAK_KMH = 25.0
OFF_PEAK_KMH = 35.0
# What the solver plans with (its travel matrix cannot depend on the time of day): about the
# mean over a visiting day of 08:00-21:00 with 4.5 hours of peaks. The stored plan's times are
# then recomputed with the speed at the time each trip sets off (services.reschedule), so the
# times shown and checked are the time-of-day ones.
TYPICAL_KMH = 31.0
PEAKS = ((dt.time(7, 30), dt.time(9, 30)), (dt.time(16, 0), dt.time(18, 30)))
MIN_TRIP_MINUTES = 5.0
SAME_DISTRICT_KM = 2.0
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Place:
    """Somewhere a run starts, ends or visits. `key` identifies it (a postcode district)."""

    key: str
    latitude: float
    longitude: float
    located: bool = True


class TravelModel(Protocol):
    def km(self, a: Place, b: Place) -> float: ...

    def minutes(self, a: Place, b: Place, at: dt.time) -> float:
        """Minutes to travel from a to b leaving at London time `at`."""
        ...

    def slowest_minutes(self, a: Place, b: Place) -> float:
        """The longest the trip takes at any time of day."""
        ...

    def typical_minutes(self, a: Place, b: Place) -> float:
        """A typical trip over the day, for the solver's matrix."""
        ...


def haversine_km(a: Place, b: Place) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def in_peak(at: dt.time) -> bool:
    return any(start <= at < end for start, end in PEAKS)


class CoordinateTravel:
    """Haversine x road factor at a speed by time of day, with a minimum per trip."""

    def km(self, a: Place, b: Place) -> float:
        if a.key == b.key:
            return 0.0
        return max(SAME_DISTRICT_KM, haversine_km(a, b)) * ROAD_FACTOR

    def _minutes_at(self, a: Place, b: Place, kmh: float) -> float:
        if a.key == b.key:
            return 0.0
        return max(MIN_TRIP_MINUTES, self.km(a, b) / kmh * 60.0)

    def minutes(self, a: Place, b: Place, at: dt.time) -> float:
        return self._minutes_at(a, b, PEAK_KMH if in_peak(at) else OFF_PEAK_KMH)

    def slowest_minutes(self, a: Place, b: Place) -> float:
        return self._minutes_at(a, b, min(PEAK_KMH, OFF_PEAK_KMH))

    def typical_minutes(self, a: Place, b: Place) -> float:
        return self._minutes_at(a, b, TYPICAL_KMH)


def place_for_postcode(postcode: str, *, fallback: Place) -> Place:
    """The centroid of the postcode's district, or `fallback` (unlocated) when unknown."""
    district = postcode_district(postcode) if postcode else ""
    found = llr_districts().get(district)
    if found is None:
        return Place(fallback.key, fallback.latitude, fallback.longitude, located=False)
    return Place(district, found.latitude, found.longitude)


# Groby Road, Leicester (LE3): where the LLR crisis team is based; used when a team has no
# base postcode recorded. A setting (PLANNER_DEFAULT_BASE_POSTCODE) can change it.
DEFAULT_BASE_POSTCODE = "LE3 9EJ"


def team_base(base_postcode: str, default_postcode: str = DEFAULT_BASE_POSTCODE) -> Place:
    district = llr_districts()[postcode_district(default_postcode)]
    default = Place(district.district, district.latitude, district.longitude)
    if not base_postcode:
        return default
    return place_for_postcode(base_postcode, fallback=default)
