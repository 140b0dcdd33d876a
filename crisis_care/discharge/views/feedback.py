"""(Being built: placeholder routes so other pages can link to them.)"""

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path


def _placeholder(request: HttpRequest, pk: uuid.UUID | None = None) -> HttpResponse:
    raise Http404("Being built")


urlpatterns: list[URLPattern] = [
    path("feedback/", _placeholder, name="feedback_report"),
    path("feedback.csv", _placeholder, name="feedback_csv"),
]
public_urlpatterns: list[URLPattern] = [
    path("<uuid:team_pk>/", _placeholder, name="form"),
    path("thanks/", _placeholder, name="thanks"),
]
