"""The planning problem in general terms, shared by the benchmark and the team's own planner.

A day is a set of *visits* and a set of *staff*. A visit happens at a place inside a window and
needs one or two *services*; each service is done by one qualified staff member. A visit with
two services is a paired visit: the two staff arrive together (lags 0 and 0), or the second
starts between `min_lag` and `max_lag` after the first. Windows are soft: starting after
`window_close` is priced as tardiness; starting before `window_open` is not allowed (staff wait).

Times and travel are in minutes from the start of the day; places index the travel matrices.
Nothing here imports Django: the solver runs in a worker or a command as plain Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Service:
    """One staff member's part of a visit."""

    skill: int
    duration: float
    # Per-staff durations when they differ (index = staff); None means `duration` for everyone.
    duration_by_staff: tuple[float, ...] | None = None

    def duration_for(self, staff: int) -> float:
        if self.duration_by_staff is None:
            return self.duration
        return self.duration_by_staff[staff]


@dataclass(frozen=True)
class Visit:
    place: int
    window_open: float
    window_close: float
    services: tuple[Service, ...]
    # Between services[0] and services[1] of a paired visit: 0 and 0 means arriving together.
    min_lag: float = 0.0
    max_lag: float = 0.0
    label: str = ""

    @property
    def paired(self) -> bool:
        return len(self.services) == 2


@dataclass(frozen=True)
class Staff:
    skills: frozenset[int]
    start_place: int
    end_place: int
    shift_start: float = 0.0
    shift_end: float = math.inf
    # Extra cost of this staff member doing a visit (by visit index): continuity of care is
    # expressed as a cost on the faces a person does not know. Missing visits cost nothing.
    visit_cost: dict[int, float] = field(default_factory=dict)
    label: str = ""


@dataclass(frozen=True)
class Weights:
    """Objective: a weighted sum. The benchmark's published objective is 1/3 of each of the first three."""

    distance: float = 1.0 / 3.0
    total_tardiness: float = 1.0 / 3.0
    max_tardiness: float = 1.0 / 3.0
    # Returning after the end of a shift, per minute; high so that the search treats it as a rule.
    overtime: float = 1000.0
    preference: float = 1.0


@dataclass(frozen=True)
class Problem:
    travel_time: list[list[float]]
    distance: list[list[float]]
    visits: tuple[Visit, ...]
    staff: tuple[Staff, ...]
    weights: Weights = Weights()

    def qualified(self, service: Service) -> list[int]:
        return [k for k, s in enumerate(self.staff) if service.skill in s.skills]


@dataclass(frozen=True)
class Stop:
    """A staff member doing one service of one visit."""

    visit: int
    service: int  # index into Visit.services
    start: float


@dataclass(frozen=True)
class Plan:
    """The solver's answer: each staff member's run in order, with start times."""

    runs: tuple[tuple[Stop, ...], ...]
    objective: float  # as the solver computed it; checks recompute it independently
    iterations: int = 0
