from django.urls import include, path

from crisis_care.core import views as core_views

urlpatterns = [
    path("", core_views.root, name="root"),
    path("", include("crisis_care.core.urls")),
    path("", include("crisis_care.workforce.urls")),
    path("people/", include("crisis_care.people.urls")),
]

handler403 = "crisis_care.core.views.permission_denied"
handler404 = "crisis_care.core.views.page_not_found"
handler500 = "crisis_care.core.views.server_error"
