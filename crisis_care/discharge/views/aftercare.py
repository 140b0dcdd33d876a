"""(Being built: placeholder routes so other pages can link to them.)"""

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path


def _placeholder(request: HttpRequest, pk: uuid.UUID | None = None) -> HttpResponse:
    raise Http404("Being built")


urlpatterns: list[URLPattern] = [
    path("episodes/<uuid:pk>/", _placeholder, name="aftercare"),
    path("episodes/<uuid:pk>/involved-services/add/", _placeholder, name="involved_service_add"),
    path("involved-services/<uuid:pk>/", _placeholder, name="involved_service_edit"),
    path("episodes/<uuid:pk>/referrals-on/add/", _placeholder, name="onward_referral_add"),
    path("referrals-on/<uuid:pk>/", _placeholder, name="onward_referral_status"),
    path("episodes/<uuid:pk>/meeting/", _placeholder, name="meeting_arrange"),
    path("meetings/<uuid:pk>/record/", _placeholder, name="meeting_record"),
    path("meetings/<uuid:pk>/cancel/", _placeholder, name="meeting_cancel"),
]
