from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portcontrol.api.main import api

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("intake/", include("portcontrol.ingest.urls")),
    path("", include("portcontrol.risk.urls")),
    path("", include("portcontrol.web.urls")),
]

handler404 = "portcontrol.web.errors.not_found"
handler500 = "portcontrol.web.errors.server_error"
