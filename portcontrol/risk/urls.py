from django.urls import path

from . import views, views_models, views_outcomes, views_reports, views_watchlists

urlpatterns = [
    path("targets/", views.targets, name="targets"),
    path("targets/settings/", views.selection_settings, name="selection_settings"),
    # Rules: drafted, backtested, approved by a second person, retired.
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_edit, name="rule_new"),
    path("rules/<int:pk>/", views.rule_detail, name="rule_detail"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/backtest", views.rule_backtest, name="rule_backtest"),
    path("rules/<int:pk>/submit", views.rule_submit, name="rule_submit"),
    path("rules/<int:pk>/decide", views.rule_decide, name="rule_decide"),
    path("rules/<int:pk>/retire", views.rule_retire, name="rule_retire"),
    # Watchlists: uploaded, replaced, browsed, deleted.
    path("watchlists/", views_watchlists.watchlist_list, name="watchlists"),
    path("watchlists/upload", views_watchlists.watchlist_upload, name="watchlist_upload"),
    path("watchlists/<int:pk>/", views_watchlists.watchlist_detail, name="watchlist_detail"),
    path("watchlists/<int:pk>/replace", views_watchlists.watchlist_replace,
         name="watchlist_replace"),
    path("watchlists/<int:pk>/delete", views_watchlists.watchlist_delete,
         name="watchlist_delete"),
    # Reports.
    path("reports/hit-rate/", views_reports.report_hit_rate, name="report_hit_rate"),
    path("reports/hit-rate.csv", views_reports.report_hit_rate_csv,
         name="report_hit_rate_csv"),
    # Learned-model versions: training, comparison and the four-eyes life cycle.
    path("models/", views_models.model_list, name="model_versions"),
    path("models/train", views_models.model_train, name="model_train"),
    path("models/<int:pk>/", views_models.model_detail, name="model_version"),
    path("models/<int:pk>/submit", views_models.model_submit, name="model_submit"),
    path("models/<int:pk>/decide", views_models.model_decide, name="model_decide"),
    path("models/<int:pk>/retire", views_models.model_retire, name="model_retire"),
    path("models/<int:pk>/compare", views_models.model_compare, name="model_compare"),
    # The inspection outcomes they learn from, with past ones imported from a file.
    path("models/history/", views_outcomes.outcome_history, name="outcome_history"),
    path("models/history/upload", views_outcomes.outcome_upload, name="outcome_upload"),
    path("models/history.csv", views_outcomes.outcome_history_csv, name="outcome_history_csv"),
]
