import gc
import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

# After this many requests a worker has loaded what its pages need (compiled templates, the URL map's
# caches, modules imported on first use): each time, what is still alive is frozen as well.
FREEZE_AFTER_REQUESTS = (100, 1_000, 10_000)


class FreezingApplication:
    """The WSGI application, keeping long-lived objects out of the garbage collector's sight.

    A collection of the oldest generation walks every object it tracks. Frozen objects are left out,
    so freezing what a process keeps for its whole life (Django, the URL map, templates, models)
    makes those collections cheap. Much of that is only loaded by the first requests, so it is frozen
    again after them; left unfrozen on the benchmark archive, it made one request in about seventy
    wait 8 to 15 ms for a collection.
    """

    def __init__(self, application):
        self.application = application
        self.served = 0
        self.freezes_due = list(FREEZE_AFTER_REQUESTS)
        self.lock = threading.Lock()
        self.freeze()

    @staticmethod
    def freeze() -> None:
        gc.collect()
        gc.freeze()

    def __call__(self, environ, start_response):
        # Threads may miss a request in the count: all that matters is roughly when.
        self.served += 1
        if self.freezes_due and self.served >= self.freezes_due[0]:
            with self.lock:
                if self.freezes_due and self.served >= self.freezes_due[0]:
                    self.freezes_due.pop(0)
                    self.freeze()
        return self.application(environ, start_response)


django_application = get_wsgi_application()

from .earlyreplay import StoredPageApplication  # noqa: E402  (needs the apps that get_wsgi_application loads)

application = FreezingApplication(StoredPageApplication(django_application))
