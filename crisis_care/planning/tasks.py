"""Background tasks of the visit planner (django_tasks; tests run them immediately)."""

import uuid

from django_tasks import task

from .services import plan_run_execute


@task()
def plan_day(run_id: str) -> None:
    """Build, check and store the plan of a PlanRun (see services.plan_run_execute)."""
    plan_run_execute(run_id=uuid.UUID(run_id))
