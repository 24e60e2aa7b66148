from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("containers/", views.search, name="search"),
    path("containers/<int:pk>/", views.container_detail, name="container_detail"),
]
