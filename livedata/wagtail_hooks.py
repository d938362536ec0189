# The admin's 实时数据 section: its hooks live in admin.py (admin_views.py has the pages).
from . import admin  # noqa: F401
