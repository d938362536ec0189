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

# fn(*, column, request) -> dict | None: more context for a column page's template;
# its "column_includes" (a list of template names) are included after the intro.
# Called for every column page that renders, so a function does nothing (and
# queries nothing) for columns it has nothing to add to. ``column_body_template``
# names a template that lists the column's content instead of portal's own listing
# (disclosure: the matter directory, the catalogue), and ``column_replaces_items``
# says it shows the subcolumns its own way too.
COLUMN_CONTEXT = "portal_column_context"

# fn(*, home_page, columns, request) -> dict | None: sections of a site's home page,
# ``{key: section}``. A section is a dict with ``template`` (included with the
# section as ``section``), ``title``, and optionally ``claims`` (pks of menu columns it
# presents, which the home's grid of other columns then leaves out). ``columns``
# are the site's menu columns, already fetched (with their kinds): a function reads
# them instead of querying again. Each home kind shows the keys it knows in its own
# order (``SiteHomePage.section_order``); portal's own keys are "news", "columns" and
# "directory", the apps above add "disclosure", "services", "profile",
# "interaction"; "live" is kept for the window units' live boards to come. Called
# once per home page rendered; the page is kept for every reader, so nothing here
# depends on the request's user.
HOME_CONTEXT = "portal_home_context"

# fn(*, parent, page) -> None: ``page`` is about to be added under ``parent``; it is
# valid and not in the tree yet. Called by ``portal.services.page_create`` (in its
# transaction) and by the admin page form for a new page, so every way a person,
# the API, a migration or the demo creates a page runs it once.
BEFORE_PAGE_CREATE = "portal_before_page_create"


# fn(*, image) -> bool: whether an app above portal shows ``image`` on a public page
# of its own data rather than through a page's fields (disclosure: a leader's photo
# on the 领导信息 page, published when saved). Portal serves an image to everyone
# when a live page refers to it or a registered function says so; otherwise only
# to its unit's staff (portal/private_media.py).
IMAGE_IS_PUBLIC = "portal_image_is_public"


def image_is_public(image):
    return any(fn(image=image) for fn in hooks.get_hooks(IMAGE_IS_PUBLIC))


def column_context(*, column, request):
    """What every registered app adds to ``column``'s template context."""
    extra = {"column_includes": []}
    for fn in hooks.get_hooks(COLUMN_CONTEXT):
        more = dict(fn(column=column, request=request) or {})
        # Templates an app adds to the column page (included in order) add up.
        extra["column_includes"] += more.pop("column_includes", [])
        extra.update(more)
    return extra


def home_context(*, home_page, columns, request):
    """Every registered app's sections of ``home_page``, by key."""
    sections = {}
    for fn in hooks.get_hooks(HOME_CONTEXT):
        sections.update(fn(home_page=home_page, columns=columns, request=request) or {})
    return sections


def before_page_create(*, parent, page):
    for fn in hooks.get_hooks(BEFORE_PAGE_CREATE):
        fn(parent=parent, page=page)
