from django.urls import path

from . import views

app_name = "workforce"
urlpatterns = [
    path("home/", views.home, name="home"),
    path("on-now/", views.on_now, name="on_now"),
    path("rota/", views.rota, name="rota"),
    path("staff/", views.staff_list, name="staff_list"),
]
