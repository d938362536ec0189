import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityplatform.settings")
django_application = get_wsgi_application()

# Baked pages are answered from the publish root before Django (delivery/wsgi.py).
from delivery.wsgi import BakedTree  # noqa: E402 - needs the apps loaded

application = BakedTree(django_application)
