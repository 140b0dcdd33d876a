"""(Being built: placeholder routes so other pages can link to them.)"""

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path


def _placeholder(request: HttpRequest, pk: uuid.UUID | None = None) -> HttpResponse:
    raise Http404("Being built")


urlpatterns: list[URLPattern] = [
    path("", _placeholder, name="discharges"),
    path("episodes/<uuid:pk>/summary/", _placeholder, name="summary"),
    path("episodes/<uuid:pk>/summary.pdf", _placeholder, name="summary_pdf"),
    path("episodes/<uuid:pk>/summary/sent/", _placeholder, name="summary_sent"),
    path("episodes/<uuid:pk>/discharge/", _placeholder, name="discharge"),
    path("episodes/<uuid:pk>/addendum/", _placeholder, name="addendum"),
    path("episodes/<uuid:pk>/re-refer/", _placeholder, name="rerefer"),
    path("follow-ups/", _placeholder, name="follow_ups"),
    path("episodes/<uuid:pk>/ward-discharge/", _placeholder, name="ward_discharge"),
    path("admissions/<uuid:pk>/follow-up-missed/", _placeholder, name="follow_up_missed"),
]
