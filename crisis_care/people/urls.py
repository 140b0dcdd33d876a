from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.person_register, name="register"),
    path("access-reviews/", views.access_reviews, name="access_reviews"),
    path("access-reviews/<uuid:event_pk>/", views.access_review, name="access_review"),
    path("<uuid:pk>/", views.person_detail, name="detail"),
    path("<uuid:pk>/edit/", views.person_edit, name="edit"),
    path("<uuid:pk>/break-glass/", views.break_glass, name="break_glass"),
    path("<uuid:pk>/access-log/", views.access_log, name="access_log"),
    path("<uuid:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("<uuid:pk>/contacts/<uuid:contact_pk>/edit/", views.contact_edit, name="contact_edit"),
    path(
        "<uuid:pk>/contacts/<uuid:contact_pk>/consent/", views.consent_create, name="consent_create"
    ),
]
