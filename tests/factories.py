"""factory_boy factories. Tenant-owned factories write through the unscoped manager so
tests can build data for any institution without activating it first."""

import factory
from factory.django import DjangoModelFactory

from wpl.models import Institution, Membership, Role, User


class TenantFactory(DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        return model_class.all_tenants


class InstitutionFactory(DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Institution {n}")
    slug = factory.Sequence(lambda n: f"inst{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="nl_BE")
    last_name = factory.Faker("last_name", locale="nl_BE")
    password = factory.PostGenerationMethodCall("set_password", "pw-123456")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(TenantFactory):
    class Meta:
        model = Membership

    institution = factory.SubFactory(InstitutionFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.STUDENT
