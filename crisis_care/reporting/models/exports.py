"""A monthly export of the national data set (MHSDS-shaped CSV files), built in the background
with its progress and the validation report kept."""

from django.conf import settings
from django.db import models

from crisis_care.core.models import BaseModel
from crisis_care.workforce.models import Team


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Building"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class DataSetExport(BaseModel):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="data_set_exports")
    month = models.DateField()  # the first day of the reporting month
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)  # 0–100
    # {"MHS101": {"rows": n, "problems": [...]}, ...}: what the validation found.
    validation = models.JSONField(default=dict, blank=True)
    # The CSV files as built: {"MHS101.csv": "...", ...} (a month of one team is small).
    files = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
