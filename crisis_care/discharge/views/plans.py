"""(Being built: placeholder routes so other pages can link to them.)"""

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path


def _placeholder(request: HttpRequest, pk: uuid.UUID | None = None) -> HttpResponse:
    raise Http404("Being built")


urlpatterns: list[URLPattern] = [
    path("episodes/<uuid:pk>/relapse-prevention-plan/", _placeholder, name="relapse_plan"),
    path(
        "episodes/<uuid:pk>/relapse-prevention-plan/edit/", _placeholder, name="relapse_plan_edit"
    ),
    path("episodes/<uuid:pk>/discharge-plan/", _placeholder, name="discharge_plan"),
    path("episodes/<uuid:pk>/discharge-plan.pdf", _placeholder, name="discharge_plan_pdf"),
    path("episodes/<uuid:pk>/discharge-plan/given/", _placeholder, name="discharge_plan_given"),
    path("episodes/<uuid:pk>/crisis-help.pdf", _placeholder, name="crisis_card_pdf"),
]
