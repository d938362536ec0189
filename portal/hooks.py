"""Portal's extension points for the apps above it.

Portal knows no app above it: an app whose data shows on portal's pages, or that
must act when portal creates a page, registers a function under one of the names
below with Wagtail's hook registry, in its ``wagtail_hooks.py``::

    from wagtail import hooks
    from portal.hooks import COLUMN_CONTEXT

    @hooks.register(COLUMN_CONTEXT)
    def mailboxes(*, column, request):
        return {...}

Wagtail finds every app's ``wagtail_hooks`` module the first time a hook is asked
for, so the registration needs nothing in ``apps.py``.
"""

from wagtail import hooks

# fn(*, column, request) -> dict | None: more context for a column page's template.
# Called for every column page that renders, so a function does nothing (and
# queries nothing) for columns it has nothing to add to. ``column_include`` names a
# template the column page includes (disclosure: the catalogue), and
# ``column_replaces_items`` says that template lists the column's content itself.
COLUMN_CONTEXT = "portal_column_context"

# fn(*, parent, page) -> None: ``page`` is about to be added under ``parent``; it is
# valid and not in the tree yet. Called by ``portal.services.page_create`` (in its
# transaction) and by the admin page form for a new page, so every way a person,
# the API, a migration or the demo creates a page runs it once.
BEFORE_PAGE_CREATE = "portal_before_page_create"


def column_context(*, column, request):
    """What every registered app adds to ``column``'s template context."""
    extra = {}
    for fn in hooks.get_hooks(COLUMN_CONTEXT):
        extra.update(fn(column=column, request=request) or {})
    return extra


def before_page_create(*, parent, page):
    for fn in hooks.get_hooks(BEFORE_PAGE_CREATE):
        fn(parent=parent, page=page)
