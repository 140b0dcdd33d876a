from django.urls import path

from .views import decision

app_name = "treatment"
urlpatterns = [
    # The decision after an assessment: this stage opens what follows (an episode or admission).
    path("decide/<uuid:assessment_pk>/", decision.decide, name="decide"),
    path("decisions/<uuid:pk>/letter/", decision.decision_letter, name="decision_letter"),
    path(
        "decisions/<uuid:pk>/letter.pdf", decision.decision_letter_pdf, name="decision_letter_pdf"
    ),
    path("episodes/<uuid:pk>/", decision.episode_detail, name="episode"),
]
