from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from claims.models import Article, Claim, ExtractionJob
from claims.services import claim_fingerprint
from claims.uploads import body_hash


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    body = factory.Sequence(lambda n: f"Officials said 1,{n:03d} people attended on Monday.")
    outlet = "Test Wire"
    body_hash = factory.LazyAttribute(lambda a: body_hash(a.body))


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExtractionJob

    article = factory.SubFactory(ArticleFactory)


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    article = factory.SubFactory(ArticleFactory)
    text = factory.LazyAttribute(lambda c: c.article.body)
    start = 0
    end = factory.LazyAttribute(lambda c: len(c.text))
    type = Claim.Type.STATISTIC
    summary = factory.LazyAttribute(lambda c: c.text[:60])
    score = 0.7
    fingerprint = factory.LazyAttribute(lambda c: claim_fingerprint(c.text))


# The desk's memory tests' fact-check: the figure the Syria claims are matched, and found
# to conflict, against. Imported through the service, as `import_factchecks` does.
SYRIA_FACT_CHECK = {
    "id": "fc-1",
    "text": "More than 80,000 people have died in Syria since March 2011.",
    "rating": "True",
    "publisher": "Checker",
    "url": "https://checker.example.org/syria",
    "date": "2013-05-20",
}


def import_syria_fact_check() -> None:
    import json

    from claims.services.factchecks import fact_checks_import

    fact_checks_import(data=json.dumps(SYRIA_FACT_CHECK).encode())
