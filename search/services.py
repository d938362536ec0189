"""Every change of the search index: one item's entries made true again, the
rebuild, and the dictionary of government terms.

The index is derived data: each operation reads the item's current state from the
app that owns it (``search.sources``) and writes what it finds, so running one twice,
late or out of order leaves the same index. The tasks (``search.tasks``) call these
after the publication's transaction commits.
"""

from django.db import transaction
from django.utils import timezone

from guard import audit

from . import engine, sources
from .models import Entry, RebuildState, Term
from .text import MAX_TEXT_CHARS, normalise


def _index_text(item):
    meta = " ".join(str(v) for k, v in item.meta.items() if k not in ("type_label", "page_url"))
    return "\n".join(normalise(part) for part in (item.title, meta, item.text[:MAX_TEXT_CHARS]) if part)


def _write(items, *, prefix_keys=()):
    """Store ``items`` and drop the other entries under ``prefix_keys`` (key prefixes)."""
    keep = {item.key for item in items}
    stale = Entry.objects.none()
    for prefix in prefix_keys:
        stale = stale | Entry.objects.filter(key=prefix.rstrip(":")) | Entry.objects.filter(key__startswith=prefix)
    stale_ids = [pk for pk, key in stale.values_list("pk", "key") if key not in keep]
    if stale_ids:
        engine.chunks_delete(stale_ids)
        Entry.objects.filter(pk__in=stale_ids).delete()
    for item in items:
        entry, _ = Entry.objects.update_or_create(key=item.key, defaults={
            "kind": item.kind, "object_id": item.object_id, "site_id": item.site_id,
            "column_kind": item.column_kind, "content_type": item.content_type, "title": item.title[:500],
            "title_norm": normalise(item.title)[:500], "text": item.text[:MAX_TEXT_CHARS], "meta": item.meta,
            "date": item.date, "validity": item.validity, "url": item.url[:1000], "initials": item.initials[:200],
        })
        engine.chunks_write(entry.pk, _index_text(item))
    return len(items)


def page_index(*, page_id):
    """Make the entries of page ``page_id`` (and its attachments) follow its state:
    written when it is live and public, removed otherwise. Returns the entries kept."""
    with transaction.atomic():
        items = sources.page_items(page_id)
        return _write(items, prefix_keys=(f"page:{page_id}:", f"attachment:{page_id}:"))


def page_subtree_index(*, page_id):
    """``page_index`` for a page and every page below it (a move changes their
    addresses; unpublishing a column hides what is under it)."""
    from wagtail.models import Page

    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return page_forget(page_id=page_id)
    subtree = Page.objects.descendant_of(page, inclusive=True).values("pk")
    # Content pages (now searchable or not) and pages with entries; columns and homes have none.
    wanted = set(sources.searchable_page_ids(live_only=False).filter(pk__in=subtree))
    wanted |= set(Entry.objects.filter(kind__in=["article", "document", "guide"], object_id__in=subtree)
                  .values_list("object_id", flat=True))
    count = 0
    for pk in sorted(wanted):
        count += page_index(page_id=pk)
    return count


def page_forget(*, page_id):
    with transaction.atomic():
        return _write([], prefix_keys=(f"page:{page_id}:", f"attachment:{page_id}:"))


def letter_index(*, letter_id):
    """Make the entry of letter ``letter_id`` follow its publication."""
    with transaction.atomic():
        item = sources.letter_item(letter_id)
        return _write([item] if item else [], prefix_keys=(f"letter:{letter_id}:",))


REBUILD = "rebuild"


def rebuild(*, resume=True, progress=None, batch=200):
    """Index every searchable item again, then drop entries whose item is gone.

    Work goes page by page in id order, then letter by letter; the state row records
    the last key done after each batch, so a rebuild that was stopped resumes there
    (``resume=False`` starts over). Safe to run at any time and again."""
    now = timezone.now()
    state, _ = RebuildState.objects.get_or_create(name=REBUILD)
    if not resume or state.finished_at is not None or state.started_at is None:
        state.last_key, state.done, state.started_at, state.finished_at = "", 0, now, None
    page_ids = list(sources.searchable_page_ids())
    letter_ids = sources.published_letter_ids()
    # Keys that sort in the order of the work: pages first, then letters.
    keys = [f"1:page:{pk:012d}" for pk in page_ids] + [f"2:letter:{pk:012d}" for pk in letter_ids]
    state.total = len(keys)
    state.save()
    todo = [k for k in keys if k > state.last_key] if state.last_key else keys
    state.done = len(keys) - len(todo)
    for start in range(0, len(todo), batch):
        with transaction.atomic():
            for key in todo[start:start + batch]:
                _, kind, pk = key.split(":")
                if kind == "page":
                    page_index(page_id=int(pk))
                else:
                    letter_index(letter_id=int(pk))
            state.last_key = todo[min(start + batch, len(todo)) - 1]
            state.done += len(todo[start:start + batch])
            state.save(update_fields=["last_key", "done"])
        if progress:
            progress(state.done, state.total)
    # Entries not refreshed during this rebuild belong to items no longer searchable.
    stale = list(Entry.objects.filter(indexed_at__lt=state.started_at).values_list("pk", flat=True))
    for start in range(0, len(stale), 500):
        with transaction.atomic():
            ids = stale[start:start + 500]
            engine.chunks_delete(ids)
            Entry.objects.filter(pk__in=ids).delete()
    state.finished_at = timezone.now()
    state.save(update_fields=["finished_at"])
    return {"indexed": state.done, "total": state.total, "removed": len(stale)}


# --- The dictionary --------------------------------------------------------------------

TERM_FIELDS = ("word", "frequency", "note", "active")


def term_save(*, actor, word, frequency=None, note="", active=True, instance=None):
    """Create or change a term of the search dictionary (the management centre only);
    the next search and indexing use the changed dictionary, no restart needed."""
    from orgs.errors import DomainError
    from orgs.queries import sees_every_unit

    if actor is not None and not (getattr(actor, "is_superuser", False) or sees_every_unit(actor)):
        raise DomainError("只有门户网站管理中心可以修改搜索词典。", code="forbidden")
    word = normalise(word)
    if not 2 <= len(word) <= 40:
        raise DomainError("词语须为2至40个字,且不含空格。", field="word")
    try:
        frequency = int(frequency) if frequency not in (None, "") else None
    except (TypeError, ValueError):
        raise DomainError("词频须为正整数。", field="frequency") from None
    if frequency is not None and not 1 <= frequency <= 10**7:
        raise DomainError("词频须在1到10000000之间。", field="frequency")
    with transaction.atomic():
        term = Term.objects.select_for_update().get(pk=instance.pk) if instance else Term()
        if Term.objects.filter(word=word).exclude(pk=term.pk).exists():
            raise DomainError(f"词典中已有“{word}”。", field="word")
        before = {"word": term.word, "frequency": term.frequency, "note": term.note, "active": term.active}
        term.word, term.frequency, term.note, term.active = word, frequency, (note or "")[:200], bool(active)
        term.save()
        audit.record(term, "search.term.edit" if instance else "search.term.create", actor=actor,
                     before=before if instance else None,
                     after={"word": word, "frequency": frequency, "note": term.note, "active": term.active})
    return term
