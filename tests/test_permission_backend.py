"""newsfacts.auth_backends: the same permissions as ModelBackend, in one query."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.urls import reverse

from claims import permissions
from newsfacts.auth_backends import OneQueryPermissionBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def fresh(user):
    """The user as a new request loads it: no permission cache."""
    return User.objects.get(pk=user.pk)


def both(user) -> tuple[set[str], set[str]]:
    return (
        OneQueryPermissionBackend().get_all_permissions(fresh(user)),
        ModelBackend().get_all_permissions(fresh(user)),
    )


@pytest.mark.parametrize("role", ["editor", "reviewer", "desk chief"])
def test_every_role_has_the_permissions_model_backend_gives_it(role):
    ours, django = both(UserFactory(role=role))
    assert ours == django
    assert ours  # the roles are not empty


def test_own_permissions_and_several_groups_add_up():
    user = UserFactory(role="editor")
    user.groups.add(Group.objects.get(name="reviewer"))
    user.user_permissions.add(Permission.objects.get(codename="assign_claim"))
    ours, django = both(user)
    assert ours == django
    assert {
        permissions.ASSIGN_CLAIMS,
        permissions.REVIEW_CLAIMS,
        permissions.UPLOAD_ARTICLES,
    } <= ours


def test_no_role_inactive_anonymous_and_objects_get_nothing():
    backend = OneQueryPermissionBackend()
    assert backend.get_all_permissions(fresh(UserFactory())) == set()
    inactive = UserFactory(role="desk chief", is_active=False)
    assert backend.get_all_permissions(fresh(inactive)) == set()
    assert not fresh(inactive).has_perm(permissions.VIEW_CLAIMS)
    assert backend.get_all_permissions(AnonymousUser()) == set()
    chief = UserFactory(role="desk chief")
    assert backend.get_all_permissions(fresh(chief), obj=object()) == set()


def test_a_superuser_has_every_permission():
    ours, django = both(UserFactory(is_superuser=True))
    assert (
        ours
        == django
        == {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.all()}
    )


def test_checks_cost_one_query_per_request_and_model_backend_adds_none(
    django_assert_num_queries,
):
    user = fresh(UserFactory(role="reviewer"))
    with django_assert_num_queries(1):
        assert user.has_perm(permissions.VIEW_CLAIMS)
        assert not user.has_perm(permissions.ASSIGN_CLAIMS)  # asks ModelBackend too
        assert not user.has_perm(permissions.UPLOAD_ARTICLES)
        assert user.has_module_perms("claims")


def test_a_role_taken_away_counts_from_the_next_request(client):
    reviewer = UserFactory(role="reviewer")
    client.force_login(reviewer)
    assert client.get(reverse("claims-queue")).status_code == 200
    reviewer.groups.clear()
    assert client.get(reverse("claims-queue")).status_code == 403


def test_signing_in_stays_model_backends(client):
    UserFactory(username="rita", role="reviewer", password="a-long-pass-phrase-1")
    page = client.get(reverse("login"))
    assert page.status_code == 200
    response = client.post(
        reverse("login"), {"username": "rita", "password": "a-long-pass-phrase-1"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
    assert client.get(reverse("claims-queue")).status_code == 200
