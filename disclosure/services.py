"""Disclosure's services as other apps call them.

Government documents' 索引号 (index numbers) are handed out here, per unit and year;
the other parts (unit profiles, service guides, online forms, the catalogue,
applications for disclosure) keep their services in a module each and are named
here when another app needs them.
"""

from django.db import transaction
from django.db.models import F

from guard import audit

from .catalogue import annual_report_draft, catalogue_ensure  # noqa: F401 (other apps call them from here)
from .guides import (  # noqa: F401 (other apps call the guides' services from here)
    catch_all_phrase_save, life_event_save, services_column_ensure, theme_save,
)
from .models import IndexCounter
from .profiles import profile_sections_ensure  # noqa: F401 (unit profiles: the 机构概况 column of every site)


def index_number_assign(*, page, parent):
    """Give a new government document its 索引号, from the unit of the site it is
    created in (``parent``'s), unless it has one. Runs for every way a document is
    created (the editor, ``page_create`` for the API, the demo and migrations)
    through portal's before-page-create hook."""
    if page.index_number:
        return page.index_number
    home = parent.specific.home
    if home is not None:
        # The number is taken when the document is created, by its creator (the page's owner).
        page.index_number = index_number_allocate(unit=home.unit, year=page.date_written.year, actor=page.owner)
    return page.index_number


def document_copy_renumber(*, page):
    """A copy of a government document is a new document: its own 索引号, and no claim
    to amend or replace what the original did. The copy's page row and its latest
    revision (what its editor opens and what publishing it would make live) both
    change. The number is taken by the copy's owner (Wagtail makes the person who
    copies it the owner)."""
    page.index_number = ""
    page.supersedes = None
    index_number_assign(page=page, parent=page.get_parent())
    page.save(update_fields=["index_number", "supersedes"])
    revision = page.latest_revision
    if revision is not None:
        revision.content = {**revision.content, "index_number": page.index_number, "supersedes": None}
        revision.save(update_fields=["content"])
    return page


def index_number_allocate(*, unit, year, actor=None):
    """Hand out the next 索引号 of ``unit`` for ``year``: ``<credit code or unit code>/<year>-<seq>``.

    The counter row is locked for the increment, so two editors saving at once
    never get the same number. The allocation is an entry of the audit trail on
    the unit (the document has no id yet when its number is taken).
    """
    with transaction.atomic():
        counter, _ = IndexCounter.objects.select_for_update().get_or_create(unit=unit, year=year)
        IndexCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
        counter.refresh_from_db(fields=["last"])
        prefix = unit.credit_code or unit.code.upper()
        number = f"{prefix}/{year}-{counter.last:05d}"
        audit.record(unit, "disclosure.index_number.allocate", actor=actor, before={"last": counter.last - 1},
                     after={"last": counter.last}, year=year, index_number=number)
    return number


def site_sections_ensure(*, home, actor=None):
    """The disclosure and service columns every hosted site has (N-2.4a), made with
    the site by ``hosting.sites.site_create`` and kept if they exist: each part of
    disclosure adds its columns here. Idempotent, so it can also bring an existing
    site up to date."""
    for ensure in SECTION_BUILDERS:
        ensure(home=home, actor=actor)


# Each part's ``(*, home, actor)`` function that makes its columns on a site.
SECTION_BUILDERS = [profile_sections_ensure, services_column_ensure, catalogue_ensure]
