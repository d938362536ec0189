"""“Did you mean”: a near-miss query (a wrong character, one too many or too few, a
homophone typed through a pinyin input method) answered with a query that finds
something, and only a genuinely close one:

- a Chinese query gets a query at most ``max_edits`` characters away (1 up to five
  characters, 2 from six; a two-character query only a homophone), of about its
  length, that contains Chinese characters (never a bare number or year, never a
  Latin word);
- a query of four or more Latin letters gets a suggestion only as pinyin initials:
  the name of a matter whose initials (or their beginning) are one letter away;
- anything else (digits, codes, mixed Latin) gets none.

The vocabulary is the dictionary of government terms, the names of the matters and
the jieba words of the newest titles in the index, kept in the cache for an hour
(and rebuilt at once when the index has grown or changed since).
"""

import re
from collections import Counter

from django.core.cache import cache

from .models import Entry, Kind, Term
from .text import normalise, pinyin_full

VOCABULARY_TITLES = 5000
CACHE_SECONDS = 3600
MAX_LENGTH = 20



CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_cjk(text):
    return bool(CJK.search(text or ""))


def max_edits(length):
    """How far a suggestion may be from a query of ``length`` characters."""
    return 1 if length <= 5 else 2


def distance(a, b, limit=3):
    """The edit distance of ``a`` and ``b`` (insert, delete, replace), or ``limit``
    when it is at least that."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) >= limit:
            return limit
        previous = current
    return min(previous[-1], limit)


def _version():
    latest = Entry.objects.order_by("-indexed_at").values_list("indexed_at", flat=True).first()
    stamp = latest.timestamp() if latest else 0
    return f"search-vocab-2-{Entry.objects.count()}-{stamp}-{Term.objects.count()}"


def _build():
    from .queries import load_terms, terms_version
    from .text import jieba_terms, pinyin_initials

    version = terms_version()
    counts = Counter()
    for word in Term.objects.values_list("word", flat=True):
        counts[normalise(word)] += 5
    matters = {}
    for title in Entry.objects.filter(kind=Kind.GUIDE).values_list("title", flat=True)[:VOCABULARY_TITLES]:
        counts[normalise(title)] += 3
        initials = pinyin_initials(title)
        if initials.isalpha():
            matters.setdefault(initials, title)
    for title in Entry.objects.order_by("-date").values_list("title", flat=True)[:VOCABULARY_TITLES]:
        for word in jieba_terms(title, terms_version=version, load_terms=load_terms, for_search=True):
            counts[word] += 1
    # Only words with Chinese characters: a year, a number or a code is never offered.
    words = {w: n for w, n in counts.items() if 2 <= len(w) <= MAX_LENGTH and has_cjk(w)}
    deletes, sounds = {}, {}
    for word in words:
        for variant in _deletes(word) | {word}:
            deletes.setdefault(variant, []).append(word)
        sound = pinyin_full(word)
        if sound:
            sounds.setdefault(sound, []).append(word)
    return {"words": words, "deletes": deletes, "sounds": sounds, "matters": matters}


def _deletes(word):
    return {word[:i] + word[i + 1:] for i in range(len(word))} if len(word) > 2 else set()


def vocabulary():
    key = _version()
    value = cache.get(key)
    if value is None:
        value = _build()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _homophones(word, vocab):
    """Vocabulary words that sound like ``word`` (same length, same pinyin)."""
    sound = pinyin_full(word) if has_cjk(word) else ""
    if not sound:
        return []
    return [w for w in vocab["sounds"].get(sound, []) if w != word and len(w) == len(word)]


def _near(word, vocab):
    """Vocabulary words one edit (or one homophone) away from ``word``, most used first."""
    words = vocab["words"]
    found = set(_homophones(word, vocab))
    if len(word) >= 3:
        for variant in _deletes(word) | {word}:
            found.update(vocab["deletes"].get(variant, []))
    found.discard(word)
    found = {w for w in found if distance(w, word, 2) <= 1 or w in _homophones(word, vocab)}
    return sorted(found, key=lambda w: (-(len(w) == len(word)), -words.get(w, 0), w))


def _close(candidate, whole):
    """A candidate genuinely close to the query: Chinese, about as long, few edits away."""
    if candidate == whole or not has_cjk(candidate) or abs(len(candidate) - len(whole)) > 1:
        return False
    limit = max_edits(len(whole))
    if len(whole) <= 2:
        # Two characters: one changed is half the query; only a homophone is close.
        return len(candidate) == len(whole) and pinyin_full(candidate) == pinyin_full(whole) != ""
    return distance(candidate, whole, limit + 1) <= limit


def _initials_suggestion(whole, vocab, filters):
    """A matter whose pinyin initials are one letter away from the query."""
    from .queries import count_matches

    if len(whole) < 4:
        return ""  # one letter of three is a third of the query: nothing is close enough
    names = []
    for initials, title in vocab["matters"].items():
        head = initials[:len(whole)]
        if distance(whole, initials, 2) <= 1 or (len(initials) > len(whole) and distance(whole, head, 2) <= 1):
            names.append(title)
    for title in sorted(names)[:6]:
        if count_matches([normalise(title)], filters):
            return normalise(title)
    return ""


def suggestion(q, *, filters=None):
    """A query close to ``q`` that finds something under ``filters``, or ''."""
    from .queries import count_matches, query_terms
    from .text import is_initials_query

    whole = normalise(q)
    if not 2 <= len(whole) <= MAX_LENGTH:
        return ""
    vocab = vocabulary()
    if is_initials_query(whole):
        return _initials_suggestion(whole, vocab, filters)
    if not has_cjk(whole):
        return ""  # digits, codes, Latin words: nothing is genuinely close
    candidates = _near(whole, vocab)[:5]
    # A stretch of the query that sounds like a known word (a homophone typed
    # through a pinyin input method), longest stretches first.
    for length in range(min(len(whole), 8), 1, -1):
        for i in range(len(whole) - length + 1):
            window = whole[i:i + length]
            for near in _homophones(window, vocab):
                candidates.append(whole[:i] + near + whole[i + length:])
        if len(candidates) >= 6:
            break
    # One word of the query at a time replaced by a near word.
    for word in query_terms(whole) or [whole]:
        if len(word) >= 2 and has_cjk(word):
            for near in _near(word, vocab)[:3]:
                candidates.append(whole.replace(word, near, 1))
    seen = set()
    for candidate in candidates:
        if candidate in seen or not _close(candidate, whole):
            continue
        seen.add(candidate)
        if count_matches([candidate], filters):
            return candidate
        if len(seen) >= 8:
            break
    return ""
