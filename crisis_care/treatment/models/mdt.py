"""The daily multidisciplinary review (CORE items 29, 31e, 33): the meeting and who attended,
each person's review, the team's risk rating, actions with an owner and a due time, and the
shift handover. Ratings, reviews and handovers are immutable history."""

from django.conf import settings
from django.db import models

from crisis_care.core.models import BaseModel, VersionedModel
from crisis_care.workforce.models import StaffMember, Team

from .episodes import Episode


class MdtMeeting(BaseModel):
    """One review meeting of a team (usually each morning)."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="mdt_meetings")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    chair = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    attendees = models.ManyToManyField(
        StaffMember, through="MdtAttendance", related_name="mdt_meetings"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["team", "started_at"], name="mdt_team_started")]


class MdtAttendance(BaseModel):
    """Who attended, with their profession as it was that day (CORE item 29 counts the
    professions that give the team dedicated time)."""

    meeting = models.ForeignKey(MdtMeeting, on_delete=models.CASCADE, related_name="attendance")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    profession = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "staff"], name="mdt_attendance_unique")
        ]


class Rating(models.TextChoices):
    """A team judgement set by a clinician, never a computed score (NICE NG225)."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class RiskRating(BaseModel):
    """The team's current view of risk for a person, in its own words, with a red/amber/green
    rating set by a clinician. Immutable: a change is a new row with its reason."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="risk_ratings")
    rating = models.CharField(max_length=10, choices=Rating.choices)
    summary = models.TextField()
    reason = models.TextField(blank=True)
    meeting = models.ForeignKey(
        MdtMeeting, null=True, blank=True, on_delete=models.PROTECT, related_name="ratings"
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["set_at", "created_at"]
        indexes = [models.Index(fields=["episode", "set_at"], name="rating_episode_set")]


class DischargeReadiness(models.TextChoices):
    NOT_YET = "not_yet", "Not yet"
    PLANNING = "planning", "Start planning discharge"
    READY = "ready", "Ready for discharge"


class MdtReview(BaseModel):
    """The team's review of one person at a meeting (immutable)."""

    meeting = models.ForeignKey(MdtMeeting, on_delete=models.PROTECT, related_name="reviews")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="mdt_reviews")
    decision = models.TextField()
    discharge_readiness = models.CharField(
        max_length=20, choices=DischargeReadiness.choices, default=DischargeReadiness.NOT_YET
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ["reviewed_at", "created_at"]
        indexes = [models.Index(fields=["episode", "reviewed_at"], name="mdtreview_episode_at")]


class ActionStatus(models.TextChoices):
    OPEN = "open", "To do"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Action(VersionedModel):
    """Something to do for a person, with an owner and a due time; on the owner's task list
    and the board until done. `status` is kept in step with ActionStatusChange."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="actions")
    review = models.ForeignKey(
        MdtReview, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    description = models.TextField()
    owner = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="actions")
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["owner", "status", "due_at"], name="action_owner_open"),
            models.Index(fields=["episode", "status"], name="action_episode_status"),
        ]


class ActionStatusChange(BaseModel):
    """Immutable history of an action's status."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="status_history")
    status = models.CharField(max_length=10, choices=ActionStatus.choices)
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "created_at"]


class Handover(BaseModel):
    """A shift handover given and received (CORE item 33a-b). Keeps the summary as it was
    handed over, so it can be read later exactly as given."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="handovers")
    shift = models.ForeignKey(
        "workforce.Shift", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    given_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    received_by = models.ManyToManyField(StaffMember, related_name="handovers_received")
    given_at = models.DateTimeField()
    summary_html = models.TextField()
    # The people the summary names (their ids, as text), so that each later reading of the
    # stored summary is audited against them.
    person_ids = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-given_at"]
