import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

application = get_wsgi_application()

# Everything loaded so far (Django, the URL map, templates, models) lives as long as the process: move
# it out of the garbage collector's sight, so its collections stop walking those objects on every
# request (they caused the slowest requests' pauses under load).
gc.collect()
gc.freeze()
