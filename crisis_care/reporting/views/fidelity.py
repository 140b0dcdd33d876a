"""(Being built: placeholder routes so other pages can link to them.)"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path


def _placeholder(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Being built")


urlpatterns: list[URLPattern] = [
    path("fidelity/", _placeholder, name="fidelity"),
    path("fidelity/new/", _placeholder, name="fidelity_new"),
    path("fidelity/<uuid:pk>/", _placeholder, name="fidelity_review"),
]
