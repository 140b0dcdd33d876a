"""Plan runs for the daily visit planner: a request to plan a team's day, its progress, the
assignments it produced (one row per visit and member of staff, so a paired visit has two),
and the visits it could not place, with why and what would make them fit."""

from django.conf import settings
from django.db import models

from crisis_care.core.models import BaseModel
from crisis_care.treatment.models import Visit
from crisis_care.workforce.models import StaffMember, Team


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Planning"
    DONE = "done", "Planned"
    FAILED = "failed", "Could not plan"


class StaffHome(BaseModel):
    """Where a member of staff starts and ends their working day when not at the team base
    (a home postcode, given by them for planning)."""

    staff = models.OneToOneField(StaffMember, on_delete=models.CASCADE, related_name="home")
    postcode = models.CharField(max_length=8)


class PlanRun(BaseModel):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="plan_runs")
    day = models.DateField()
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.FloatField(default=0.0)  # 0..1 of the time limit
    seconds_limit = models.FloatField(default=30.0)
    seconds = models.FloatField(null=True, blank=True)  # time the run took
    # Figures of the stored plan (from the independent check, not the solver).
    travel_minutes = models.FloatField(null=True, blank=True)
    travel_km = models.FloatField(null=True, blank=True)
    windows_missed = models.PositiveIntegerField(null=True, blank=True)
    minutes_late = models.FloatField(null=True, blank=True)
    visits_planned = models.PositiveIntegerField(null=True, blank=True)
    visits_unplanned = models.PositiveIntegerField(null=True, blank=True)
    new_faces = models.PositiveIntegerField(null=True, blank=True)
    objective = models.FloatField(null=True, blank=True)
    problems = models.JSONField(default=list, blank=True)  # rule breaks found by the check
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    publish_refusals = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["team", "day"], name="plan_run_team_day")]


class PlanAssignment(BaseModel):
    run = models.ForeignKey(PlanRun, on_delete=models.CASCADE, related_name="assignments")
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    planned_start = models.DateTimeField()
    order = models.PositiveSmallIntegerField()  # place in this member of staff's run
    pinned = models.BooleanField(default=False)  # done or checked in: kept where it is
    minutes_late = models.FloatField(default=0.0)
    travel_minutes = models.FloatField(default=0.0)  # from the previous place in the run
    note = models.CharField(max_length=400, blank=True)  # why late, and what would help

    class Meta:
        ordering = ["staff", "order"]
        constraints = [
            models.UniqueConstraint(fields=["run", "visit", "staff"], name="plan_visit_staff_once")
        ]


class UnplannedVisit(BaseModel):
    run = models.ForeignKey(PlanRun, on_delete=models.CASCADE, related_name="unplanned")
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=400)
    suggestion = models.CharField(max_length=400, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "visit"], name="unplanned_visit_once")
        ]
