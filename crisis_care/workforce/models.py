"""Staff, professions, registrations, teams and the 24/7 rota."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from crisis_care.core.models import BaseModel, VersionedModel


class Profession(models.TextChoices):
    NURSE = "nurse", "Mental health nurse"
    SOCIAL_WORKER = "social_worker", "Social worker"
    OCCUPATIONAL_THERAPIST = "occupational_therapist", "Occupational therapist"
    PSYCHOLOGIST = "psychologist", "Psychologist"
    PSYCHIATRIST = "psychiatrist", "Psychiatrist"
    NON_MEDICAL_PRESCRIBER = "non_medical_prescriber", "Non-medical prescriber"
    SUPPORT_WORKER = "support_worker", "Support worker"
    PEER_SUPPORT_WORKER = "peer_support_worker", "Peer support worker"
    PHARMACIST = "pharmacist", "Pharmacist"
    ADMINISTRATOR = "administrator", "Administrator"


class RegulatoryBody(models.TextChoices):
    NMC = "NMC", "Nursing and Midwifery Council"
    SWE = "SWE", "Social Work England"
    HCPC = "HCPC", "Health and Care Professions Council"
    GMC = "GMC", "General Medical Council"
    GPHC = "GPhC", "General Pharmaceutical Council"


class TeamType(models.TextChoices):
    # MHSDS SERVICE OR TEAM TYPE FOR MENTAL HEALTH codes (DOMAIN.md §4.2).
    CRISIS_RESOLUTION = "A02", "Crisis Resolution Team / Home Treatment Service"
    SINGLE_POINT_OF_ACCESS = "A18", "Single Point of Access"
    CRISIS_CAFE = "A21", "Crisis Café / Safe Haven / Sanctuary"
    COUNCIL_CRISIS_RESPONSE = "LA", "Council crisis response service"


class Team(BaseModel):
    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=40, unique=True)
    team_type = models.CharField(max_length=4, choices=TeamType.choices)
    phone = models.CharField(max_length=30, blank=True)
    base_address = models.CharField(max_length=300, blank=True)
    base_postcode = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffMember(VersionedModel):
    """A member of staff. Their sign-in (and role in the system) is the linked user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff"
    )
    profession = models.CharField(max_length=40, choices=Profession.choices)
    job_title = models.CharField(max_length=200)
    phone = models.CharField(max_length=30, blank=True)
    teams = models.ManyToManyField(Team, through="TeamMembership", related_name="staff")

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return str(self.user)


class Registration(BaseModel):
    """A professional registration. Lapsed registrations (expires_on past) do not count."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="registrations")
    body = models.CharField(max_length=5, choices=RegulatoryBody.choices)
    number = models.CharField(max_length=30)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="registration_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.body} {self.number}"


class TeamMembership(BaseModel):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="memberships")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "staff"],
                condition=Q(ended_on__isnull=True),
                name="membership_one_open_per_team",
            )
        ]


class ShiftType(BaseModel):
    """A team's kind of shift, such as Early 07:00–15:30. Ends before it starts = overnight."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="shift_types")
    name = models.CharField(max_length=50)
    starts = models.TimeField()
    ends = models.TimeField()
    ordering = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["team", "ordering", "starts"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="shift_type_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.starts:%H:%M}–{self.ends:%H:%M}"

    @property
    def overnight(self) -> bool:
        return self.ends <= self.starts


class Shift(BaseModel):
    """One shift on one day. starts_at/ends_at are real instants (UTC), built with
    zoneinfo, so a night shift on the night the clocks change is 1 hour longer or shorter."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="shifts")
    shift_type = models.ForeignKey(ShiftType, on_delete=models.PROTECT, related_name="shifts")
    day = models.DateField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    staff = models.ManyToManyField(StaffMember, through="ShiftAssignment", related_name="shifts")

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["shift_type", "day"], name="shift_unique_per_day"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["team", "starts_at", "ends_at"], name="shift_team_time")]

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at


class ShiftAssignment(BaseModel):
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="assignments")
    is_coordinator = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shift", "staff"], name="assignment_unique_staff")
        ]
