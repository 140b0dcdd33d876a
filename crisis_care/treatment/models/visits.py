"""Planned visits and recorded care contacts. A visit is a promise: a window of at most an
hour (CORE item 12d), a place (home by default, item 39), one or two staff and the skills it
needs. A care contact is what happened, planned or not (items 12e-f, 21, 33d)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from crisis_care.core.models import BaseModel, VersionedModel
from crisis_care.workforce.models import StaffMember

from .careplans import Goal, Intervention
from .episodes import Episode


class VisitLocation(models.TextChoices):
    HOME = "home", "At home"
    TEAM_BASE = "team_base", "At the team base"
    OTHER = "other", "Somewhere else"


class VisitStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ATTENDED = "attended", "Seen"
    NOT_AT_HOME = "not_at_home", "Not at home"
    DECLINED = "declined", "Declined the visit"
    CANCELLED_BY_PERSON = "cancelled_by_person", "Cancelled by the person"
    CANCELLED_BY_TEAM = "cancelled_by_team", "Cancelled by the team"


class Visit(VersionedModel):
    """A planned visit. `status` is kept in step with VisitStatusChange."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="visits")
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    # How long the visit is expected to take, for lone working and for the visit planner.
    expected_minutes = models.PositiveSmallIntegerField(default=45)
    location = models.CharField(
        max_length=20, choices=VisitLocation.choices, default=VisitLocation.HOME
    )
    location_detail = models.CharField(max_length=300, blank=True)
    staff_needed = models.PositiveSmallIntegerField(default=1)
    needs_registered_practitioner = models.BooleanField(default=False)
    needs_prescriber = models.BooleanField(default=False)
    needs_psychologist = models.BooleanField(default=False)
    purpose = models.CharField(max_length=300, blank=True)
    # Visits created together from one pattern share this, so the pattern can be shown.
    pattern_id = models.UUIDField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    staff = models.ManyToManyField(StaffMember, through="VisitStaff", related_name="visits")
    # When the person was told the window (CORE item 12c: arranged the day before).
    person_told_at = models.DateTimeField(null=True, blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["window_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gt=F("window_start")), name="visit_window_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(staff_needed__in=[1, 2]), name="visit_one_or_two_staff"
            ),
        ]
        indexes = [
            models.Index(fields=["episode", "window_start"], name="visit_episode_window"),
            models.Index(fields=["window_start", "status"], name="visit_window_status"),
        ]

    def __str__(self) -> str:
        return f"Visit {self.window_start:%Y-%m-%d %H:%M}"


class VisitStaff(BaseModel):
    """A member of staff assigned to a visit."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="staff_links")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="visit_links")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "staff"], name="visit_staff_unique")
        ]


class VisitStatusChange(BaseModel):
    """Immutable history of a visit's status."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="status_history")
    status = models.CharField(max_length=20, choices=VisitStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "created_at"]


class Medium(models.TextChoices):
    """Consultation medium, with the national data set codes (DOMAIN.md §4.4)."""

    FACE_TO_FACE = "01", "Face to face"
    TELEPHONE = "02", "Phone"
    VIDEO = "11", "Video"


class Attendance(models.TextChoices):
    ATTENDED = "attended", "Seen"
    NOT_AT_HOME = "not_at_home", "Not at home"
    DECLINED = "declined", "Declined"
    CANCELLED_BY_PERSON = "cancelled_by_person", "Cancelled by the person"
    CANCELLED_BY_TEAM = "cancelled_by_team", "Cancelled by the team"


class CareContact(VersionedModel):
    """A recorded contact with the person: a planned visit that happened (or did not), or an
    unplanned call or visit. The note can be written up after the contact; one written up on a
    later day than the contact is flagged (CORE item 33d)."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="care_contacts")
    visit = models.OneToOneField(
        Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="care_contact"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    medium = models.CharField(max_length=2, choices=Medium.choices)
    location = models.CharField(max_length=20, choices=VisitLocation.choices, blank=True)
    location_detail = models.CharField(max_length=300, blank=True)
    attendance = models.CharField(max_length=20, choices=Attendance.choices)
    staff = models.ManyToManyField(StaffMember, related_name="care_contacts")
    goals = models.ManyToManyField(Goal, blank=True, related_name="care_contacts")
    interventions = models.ManyToManyField(Intervention, blank=True, related_name="care_contacts")
    note = models.TextField(blank=True)
    note_written_at = models.DateTimeField(null=True, blank=True)
    # Against the visit's window (CORE items 12e-f): minutes after the window closed (negative:
    # before it opened; null: unplanned contact or within the window), and whether the person was
    # phoned when the team was running more than 15 minutes late.
    minutes_outside_window = models.IntegerField(null=True, blank=True)
    phoned_about_lateness = models.BooleanField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gte=F("started_at")), name="care_contact_ends_after_start"
            )
        ]
        indexes = [
            models.Index(fields=["episode", "started_at"], name="contact_episode_start"),
        ]


class CheckInStatus(models.TextChoices):
    CHECKED_IN = "checked_in", "Checked in"
    CHECKED_OUT = "checked_out", "Checked out"


class LoneWorkingCheck(BaseModel):
    """Lone working (CORE item 32a): a member of staff checks in on arrival with an expected
    duration and checks out when they leave. A check-in past its expected end with no check-out
    is an alert on the team's screen until the coordinator records what they did."""

    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="lone_checks")
    team = models.ForeignKey(
        "workforce.Team", on_delete=models.PROTECT, related_name="lone_working_checks"
    )
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="lone_checks"
    )
    location = models.CharField(max_length=300)
    # What an ad hoc check-in is for (an assessment at a house, say); a visit says it already.
    purpose = models.CharField(max_length=300, blank=True)
    checked_in_at = models.DateTimeField()
    expected_end_at = models.DateTimeField()
    checked_out_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=CheckInStatus.choices, default=CheckInStatus.CHECKED_IN
    )
    # Who checked out: the member of staff, or a coordinator on their behalf (with a note).
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    check_out_note = models.TextField(blank=True)

    class Meta:
        ordering = ["expected_end_at"]
        indexes = [
            models.Index(fields=["team", "status", "expected_end_at"], name="lone_team_open"),
        ]
        constraints = [
            # One open check-in per member of staff at a time.
            models.UniqueConstraint(
                fields=["staff"],
                condition=Q(status="checked_in"),
                name="lone_one_open_check_per_staff",
            ),
            models.CheckConstraint(
                condition=Q(expected_end_at__gt=F("checked_in_at")),
                name="lone_check_ends_after_start",
            ),
        ]


class AlertAction(models.TextChoices):
    PHONED_STAFF = "phoned_staff", "Phoned the member of staff: safe"
    EXTENDED = "extended", "Visit running on: new expected end agreed"
    ESCALATED = "escalated", "Could not reach them: escalated under the lone working policy"
    POLICE = "police", "Called the police"


class LoneWorkingAlertAction(BaseModel):
    """What the shift coordinator did about an overrunning check-in (immutable)."""

    lone_check = models.ForeignKey(
        LoneWorkingCheck, on_delete=models.PROTECT, related_name="alert_actions"
    )
    action = models.CharField(max_length=20, choices=AlertAction.choices)
    note = models.TextField(blank=True)
    # The expected end the coordinator was responding to, and (for "extended") the new one.
    was_due_at = models.DateTimeField(null=True, blank=True)
    new_expected_end_at = models.DateTimeField(null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    taken_at = models.DateTimeField()

    class Meta:
        ordering = ["taken_at", "created_at"]
