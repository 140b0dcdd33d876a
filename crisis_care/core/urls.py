from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("accessibility/", views.accessibility, name="accessibility"),
]
