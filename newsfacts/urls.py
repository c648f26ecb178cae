from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "NewsFacts administration"
admin.site.site_title = "NewsFacts"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("claims.urls")),
]
