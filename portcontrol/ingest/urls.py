from django.urls import path

from . import views

urlpatterns = [
    path("", views.upload, name="intake"),
    path("jobs/<int:pk>/", views.job_detail, name="intake_job"),
    path("stowage/", views.stowage, name="intake_stowage"),
    path("stowage.csv", views.stowage_csv, name="intake_stowage_csv"),
    path("quarantine/", views.quarantine_list, name="intake_quarantine"),
    path("quarantine/<int:pk>/", views.quarantine_detail, name="intake_record"),
    path("quarantine/<int:pk>/replay", views.quarantine_replay, name="intake_replay"),
    path("quarantine/<int:pk>/discard", views.quarantine_discard, name="intake_discard"),
]
