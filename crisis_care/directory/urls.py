from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.service_list, name="list"),
    path("new/", views.service_create, name="create"),
    path("export.json", views.export_json, name="export"),
    path("<uuid:pk>/", views.service_detail, name="detail"),
    path("<uuid:pk>/edit/", views.service_edit, name="edit"),
]
