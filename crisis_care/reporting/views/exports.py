"""(Being built: placeholder routes so other pages can link to them.)"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path


def _placeholder(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Being built")


urlpatterns: list[URLPattern] = [
    path("data-set/", _placeholder, name="exports"),
    path("data-set/<uuid:pk>/", _placeholder, name="export_detail"),
    path("data-set/<uuid:pk>/<str:table>.csv", _placeholder, name="export_download"),
    path("data-set/<uuid:pk>/status.json", _placeholder, name="export_status"),
]
