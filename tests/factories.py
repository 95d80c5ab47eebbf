import factory

from apps.accounts.models import User
from apps.accounts.services import referral_code_generate

DEFAULT_PASSWORD = "Correct-Horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    """Test rows only; application code creates users through ``apps.accounts.services``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"investor{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    referral_code = factory.LazyFunction(referral_code_generate)
    is_email_verified = True
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class StaffFactory(UserFactory):
    email = factory.Sequence(lambda n: f"staff{n}@bursar.example")
    is_staff = True


class SuperuserFactory(StaffFactory):
    email = factory.Sequence(lambda n: f"admin{n}@bursar.example")
    is_superuser = True
