from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("containers/", views.search, name="search"),
    path("containers/<int:pk>/", views.container_detail, name="container_detail"),
]
