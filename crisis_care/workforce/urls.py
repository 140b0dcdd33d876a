from django.urls import path

from . import views

app_name = "workforce"
urlpatterns = [
    path("home/", views.home, name="home"),
    path("on-now/", views.on_now, name="on_now"),
    path("rota/", views.rota, name="rota"),
    path("rota/<uuid:shift_type_pk>/<str:day>/assign/", views.rota_assign, name="rota_assign"),
    path("rota/<uuid:shift_pk>/remove/<uuid:staff_pk>/", views.rota_remove, name="rota_remove"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<uuid:pk>/", views.staff_detail, name="staff_detail"),
]
