"""Discharge and aftercare URLs. Each view module lists its own routes: aftercare planning
(involved services, referrals on, the meeting), the plans (relapse prevention, the written
discharge plan), the discharge itself (summary to the GP, outcome, addendums, follow-up),
and the staff side of feedback. The public feedback form is in `public_urlpatterns`."""

from .views import aftercare, discharges, feedback, plans

app_name = "discharge"
urlpatterns = [
    *aftercare.urlpatterns,
    *plans.urlpatterns,
    *discharges.urlpatterns,
    *feedback.urlpatterns,
]

# Mounted at /feedback/ without login: anonymous "How did we do?" (views/feedback.py).
public_urlpatterns = [*feedback.public_urlpatterns]
