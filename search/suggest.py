"""“Did you mean”: a near-miss query (a wrong character, one too many or too few, a
homophone typed through a pinyin input method) answered with a query that finds
something.

The vocabulary is the dictionary of government terms, the names of the matters and
the jieba words of the newest titles in the index, kept in the cache for an hour
(and rebuilt at once when the index has grown or changed since).
"""

from collections import Counter

from django.core.cache import cache

from .models import Entry, Kind, Term
from .text import normalise, pinyin_full

VOCABULARY_TITLES = 5000
CACHE_SECONDS = 3600
MAX_LENGTH = 20


def _version():
    latest = Entry.objects.order_by("-indexed_at").values_list("indexed_at", flat=True).first()
    stamp = latest.timestamp() if latest else 0
    return f"search-vocab-{Entry.objects.count()}-{stamp}-{Term.objects.count()}"


def _build():
    from .queries import load_terms, terms_version
    from .text import jieba_terms

    version = terms_version()
    counts = Counter()
    for word in Term.objects.values_list("word", flat=True):
        counts[normalise(word)] += 5
    for title in Entry.objects.filter(kind=Kind.GUIDE).values_list("title", flat=True)[:VOCABULARY_TITLES]:
        counts[normalise(title)] += 3
    for title in Entry.objects.order_by("-date").values_list("title", flat=True)[:VOCABULARY_TITLES]:
        for word in jieba_terms(title, terms_version=version, load_terms=load_terms, for_search=True):
            counts[word] += 1
    words = {w: n for w, n in counts.items() if 2 <= len(w) <= MAX_LENGTH}
    deletes, sounds = {}, {}
    for word in words:
        for variant in _deletes(word) | {word}:
            deletes.setdefault(variant, []).append(word)
        sounds.setdefault(pinyin_full(word), []).append(word)
    return {"words": words, "deletes": deletes, "sounds": sounds}


def _deletes(word):
    return {word[:i] + word[i + 1:] for i in range(len(word))} if len(word) > 2 else set()


def vocabulary():
    key = _version()
    value = cache.get(key)
    if value is None:
        value = _build()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _near(word, vocab):
    """Vocabulary words one edit (or one homophone) away from ``word``, most used first."""
    words = vocab["words"]
    found = set(vocab["sounds"].get(pinyin_full(word), [])) if len(word) >= 2 else set()
    for variant in _deletes(word) | {word}:
        found.update(vocab["deletes"].get(variant, []))
    found.discard(word)
    return sorted(found, key=lambda w: (-(len(w) == len(word)), -words.get(w, 0), w))


def suggestion(q, *, filters=None):
    """A query close to ``q`` that finds something under ``filters``, or ''."""
    from .queries import count_matches, query_terms

    whole = normalise(q)
    if not 2 <= len(whole) <= MAX_LENGTH:
        return ""
    vocab = vocabulary()
    candidates = _near(whole, vocab)[:5]
    if not candidates:
        # A stretch of the query that sounds like a known word (a homophone typed
        # through a pinyin input method), longest stretches first.
        for length in range(min(len(whole), 8), 1, -1):
            for i in range(len(whole) - length + 1):
                window = whole[i:i + length]
                for near in vocab["sounds"].get(pinyin_full(window), []):
                    if near != window:
                        candidates.append(whole[:i] + near + whole[i + length:])
            if len(candidates) >= 6:
                break
    if not candidates:
        # One word of the query at a time: the first that has a near word is replaced.
        for word in query_terms(whole) or [whole]:
            for near in _near(word, vocab)[:3]:
                candidates.append(whole.replace(word, near, 1))
            if candidates:
                break
    for candidate in candidates[:6]:
        if candidate != whole and count_matches([candidate], filters):
            return candidate
    return ""
