from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.urls import include, path

from claims.api import api
from newsfacts.favicon import favicon


def _only_with_mail(view):
    """The password-reset pages exist only when the desk can send mail (NEWSFACTS_EMAIL_HOST)."""

    def wrapped(request, *args, **kwargs):
        if not settings.NEWSFACTS_PASSWORD_RESET:
            raise Http404("Password reset is not set up on this desk.")
        return view(request, *args, **kwargs)

    return wrapped


# Django's own names, ahead of django.contrib.auth.urls so these win.
password_reset = [
    path(
        "accounts/password_reset/",
        _only_with_mail(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "accounts/password_reset/done/",
        _only_with_mail(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        _only_with_mail(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        _only_with_mail(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]

admin.site.site_header = "NewsFacts administration"
admin.site.site_title = "NewsFacts"

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    *password_reset,
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", api.urls),
    path("", include("claims.urls")),
]
