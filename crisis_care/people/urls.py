from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.search, name="search"),
    path("access-reviews/", views.access_reviews, name="access_reviews"),
]
