"""Home treatment URLs. Each view module lists its own routes, so the parts of the work
(episode and caseload, care plan, visits and contacts, lone working, medication) stay apart."""

from django.urls import path

from .views import (
    actions,
    careplan,
    carers,
    contacts,
    decision,
    episode,
    handover,
    lone_working,
    mdt,
    medication,
    visits,
)

app_name = "treatment"
urlpatterns = [
    # The decision after an assessment: this stage opens what follows (an episode or admission).
    path("decide/<uuid:assessment_pk>/", decision.decide, name="decide"),
    path("decisions/<uuid:pk>/letter/", decision.decision_letter, name="decision_letter"),
    path(
        "decisions/<uuid:pk>/letter.pdf", decision.decision_letter_pdf, name="decision_letter_pdf"
    ),
    # The caseload and the episode (treatment:caseload, treatment:episode and its changes).
    *episode.urlpatterns,
    *careplan.urlpatterns,
    *visits.urlpatterns,
    *contacts.urlpatterns,
    *lone_working.urlpatterns,
    *medication.urlpatterns,
    *mdt.urlpatterns,
    *actions.urlpatterns,
    *handover.urlpatterns,
    *carers.urlpatterns,
]
