"""(Being built: see the home treatment issue.)"""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
