"""WSGI entry point (gunicorn sokket.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sokket.settings")
application = get_wsgi_application()
