from django.urls import path

from . import views

urlpatterns = [
    path("targets/", views.targets, name="targets"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_edit, name="rule_new"),
    path("rules/<int:pk>/", views.rule_detail, name="rule_detail"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/backtest", views.rule_backtest, name="rule_backtest"),
    path("rules/<int:pk>/submit", views.rule_submit, name="rule_submit"),
    path("rules/<int:pk>/decide", views.rule_decide, name="rule_decide"),
    path("rules/<int:pk>/retire", views.rule_retire, name="rule_retire"),
]
