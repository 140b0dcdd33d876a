"""WSGI entry point (gunicorn crisis_care.config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisis_care.config.settings.production")
application = get_wsgi_application()
