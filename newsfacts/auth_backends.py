"""A user's permissions in one query instead of Django's two.

``ModelBackend`` reads a user's own permissions and their groups' permissions in two
queries, each built by the ORM, on every signed-in request that checks a role: about a
millisecond and a round trip of every desk page (docs/benchmarks.md, "Load"). This backend
reads the same set in one query and leaves it where ``ModelBackend`` keeps it
(``user._perm_cache``), so ``ModelBackend``, listed after it in AUTHENTICATION_BACKENDS,
answers from that set without a query of its own.

It authenticates no one and loads no user: sign-in and the session's user stay
``ModelBackend``'s, so sessions signed in before this backend existed stay valid. The rules
are ``ModelBackend``'s: an inactive or anonymous user has no permissions, nor does anyone
on a single object; a superuser has every permission.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection


def _permissions_sql() -> str:
    # Table and column names from the models, so a renamed table cannot go stale here.
    User = get_user_model()
    user_perms = User._meta.get_field("user_permissions").remote_field.through._meta
    user_groups = User._meta.get_field("groups").remote_field.through._meta
    group_perms = Group._meta.get_field("permissions").remote_field.through._meta
    qn = connection.ops.quote_name

    def column(meta, model) -> str:
        # The through table's foreign key to ``model``.
        field = next(f for f in meta.fields if f.is_relation and f.related_model is model)
        return qn(field.column)

    user_column = column(user_perms, User)
    return (
        f"SELECT ct.{qn('app_label')}, p.{qn('codename')}"
        f" FROM {qn(Permission._meta.db_table)} p"
        f" JOIN {qn(ContentType._meta.db_table)} ct ON ct.{qn('id')} = p.{qn('content_type_id')}"
        f" WHERE p.{qn('id')} IN ("
        f"SELECT {column(user_perms, Permission)} FROM {qn(user_perms.db_table)}"
        f" WHERE {user_column} = %s"
        f" UNION SELECT gp.{column(group_perms, Permission)}"
        f" FROM {qn(group_perms.db_table)} gp"
        f" JOIN {qn(user_groups.db_table)} ug"
        f" ON ug.{column(user_groups, Group)} = gp.{column(group_perms, Group)}"
        f" WHERE ug.{column(user_groups, User)} = %s)"
    )


class OneQueryPermissionBackend:
    """``ModelBackend``'s permissions, read in one query (see the module's docstring).

    Not a ``BaseBackend``: a backend with ``get_user`` would be the one the test client's
    ``force_login`` records in the session, and this one loads no user."""

    _sql: str | None = None

    def authenticate(self, request, **credentials):
        return None  # ModelBackend's work (Django asks every backend)

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                perms = Permission.objects.values_list("content_type__app_label", "codename")
            else:
                if OneQueryPermissionBackend._sql is None:
                    OneQueryPermissionBackend._sql = _permissions_sql()
                with connection.cursor() as cursor:
                    cursor.execute(self._sql, [user_obj.pk, user_obj.pk])
                    perms = cursor.fetchall()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in perms}
        return user_obj._perm_cache

    def has_perm(self, user_obj, perm, obj=None):
        return user_obj.is_active and perm in self.get_all_permissions(user_obj, obj=obj)
