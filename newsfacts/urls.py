from django.contrib import admin
from django.urls import include, path

from claims.api import api

admin.site.site_header = "NewsFacts administration"
admin.site.site_title = "NewsFacts"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", api.urls),
    path("", include("claims.urls")),
]
