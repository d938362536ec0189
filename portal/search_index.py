"""Wagtail's database search backend (what the admin's search reads), without its
per-save pass over the whole index.

The backend keeps, for each entry, a ``title_norm`` (the average title length over
this title's length, for ranking). After every saved page or document it recomputes
the average over all entries and rewrites the entries still at the default: work in
proportion to the size of the index on every save. With the city's documents that is
quadratic in a bulk load (the demo city took 14 minutes to load on PostgreSQL inside
one transaction) and tens of milliseconds on every publish at 200,000 documents.

Here new entries keep the default norm (1.0: ranked as a title of average length) and
the norms of the whole index are recomputed by the worker once a night
(``portal.refresh_search_norms``), and by ``manage.py update_index`` as before.
"""

from modelsearch.backends.database import SearchBackend as _vendor_backend


def SearchBackend(params):  # noqa: N802 - Wagtail calls the backend's class by this name
    backend = _vendor_backend(params)
    backend.index_class = _without_per_save_norms(backend.index_class)
    return backend


_CLASSES = {}


def _without_per_save_norms(index_class):
    if not hasattr(index_class, "_refresh_title_norms"):
        return index_class  # the fallback backend keeps no norms
    if index_class not in _CLASSES:

        class Index(index_class):
            def _refresh_title_norms(self, full=False):
                if full:
                    super()._refresh_title_norms(full=True)

        Index.__name__ = Index.__qualname__ = index_class.__name__
        _CLASSES[index_class] = Index
    return _CLASSES[index_class]


def title_norms_refresh():
    """Recompute every entry's title norm (what the backend did after each save)."""
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    index = backend.index_class(backend)
    if hasattr(index, "_refresh_title_norms"):
        index._refresh_title_norms(full=True)
        return True
    return False
