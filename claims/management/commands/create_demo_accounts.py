"""manage.py create_demo_accounts — admin, editor, reviewer and chief, for a local desk only."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

# username -> role group (None: superuser)
DEMO_ACCOUNTS = {"admin": None, "editor": "editor", "reviewer": "reviewer", "chief": "desk chief"}


class Command(BaseCommand):
    help = "Create or reset the demo accounts (refused unless NEWSFACTS_DEBUG is on)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts are refused when debug is off: they have known passwords."
            )
        password = settings.NEWSFACTS_DEMO_PASSWORD or secrets.token_urlsafe(9)
        User = get_user_model()
        for username, role in DEMO_ACCOUNTS.items():
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.is_superuser = role is None
            # Editors upload through the admin site and desk chiefs keep the desk's feeds
            # there, so they (and the admin) are staff.
            user.is_staff = role in (None, "editor", "desk chief")
            user.save()
            if role:
                user.groups.set([Group.objects.get(name=role)])
        names = ", ".join(DEMO_ACCOUNTS)
        self.stdout.write(f"Demo accounts: {names} — password: {password}")
