from django.urls import include, path

from crisis_care.core import views as core_views
from crisis_care.discharge.urls import public_urlpatterns as feedback_urlpatterns
from crisis_care.referrals.urls import public_urlpatterns

urlpatterns = [
    path("", core_views.root, name="root"),
    path("", include("crisis_care.core.urls")),
    path("", include("crisis_care.workforce.urls")),
    path("people/", include("crisis_care.people.urls")),
    path("directory/", include("crisis_care.directory.urls")),
    path("referrals/", include("crisis_care.referrals.urls")),
    path("assessments/", include("crisis_care.assessments.urls")),
    path("treatment/", include("crisis_care.treatment.urls")),
    path("discharge/", include("crisis_care.discharge.urls")),
    path("reporting/", include("crisis_care.reporting.urls")),
    path("self-referral/", include((public_urlpatterns, "public"))),
    path("feedback/", include((feedback_urlpatterns, "feedback"))),
]

handler403 = "crisis_care.core.views.permission_denied"
handler404 = "crisis_care.core.views.page_not_found"
handler500 = "crisis_care.core.views.server_error"
