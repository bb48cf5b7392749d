import pytest
from django.test import Client


@pytest.fixture
def api():
    """A partner's client: JSON answers, failures reported as responses rather than raised."""
    return Client(raise_request_exception=False)


@pytest.fixture(autouse=True)
def generous_rates(settings):
    # Tests about content make many requests; the rate tests set their own limits.
    settings.API_RATE_ANONYMOUS = "10000/m"
    settings.API_RATE_KEYED = "20000/m"
