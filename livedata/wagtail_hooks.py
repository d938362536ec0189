from wagtail import hooks

from portal.hooks import HOME_CONTEXT

# The admin's 实时数据 section: its hooks live in admin.py (admin_views.py has the pages).
from . import admin  # noqa: F401
from .home import live_section

hooks.register(HOME_CONTEXT, live_section)
