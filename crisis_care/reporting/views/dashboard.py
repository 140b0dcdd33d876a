"""(Being built: placeholder routes so other pages can link to them.)"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path


def _placeholder(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Being built")


urlpatterns: list[URLPattern] = [
    path("", _placeholder, name="dashboard"),
    path("dashboard.csv", _placeholder, name="dashboard_csv"),
    path("figures/<str:key>/", _placeholder, name="figure"),
    path("figures/<str:key>.csv", _placeholder, name="figure_csv"),
]
