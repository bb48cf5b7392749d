import pytest


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """Accounts are made by the dozen here; real password hashing would only make the tests slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
