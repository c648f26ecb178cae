from django.contrib import admin
from django.urls import include, path

from claims.api import api
from newsfacts.favicon import favicon

admin.site.site_header = "NewsFacts administration"
admin.site.site_title = "NewsFacts"

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", api.urls),
    path("", include("claims.urls")),
]
