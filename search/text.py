"""Text as the index sees it: normalised characters, overlapping bigrams as tokens,
jieba terms and pinyin initials.

Every text and every query pass through :func:`normalise` (NFKC, case folded, every
run of whitespace removed), so full-width and half-width forms, case and line breaks
do not matter. The normalised text is then indexed as its overlapping character
bigrams, each bigram encoded as one ASCII token (:func:`token`): a query of two or
more characters becomes the phrase of its own bigrams, which matches exactly the
texts that contain the normalised query as a substring, on PostgreSQL (``<->``) and on
SQLite FTS5 (a quoted phrase) alike. The encoding keeps both full-text parsers away
from Chinese punctuation, digits and operators: every token is ten lowercase letters.
"""

import re
import threading
import unicodedata

# A long text is indexed in chunks that overlap by more than the longest query, so
# that every query lies wholly in one chunk (PostgreSQL keeps token positions only
# up to 16,383 in a tsvector; a chunk stays well below it).
MAX_QUERY_CHARS = 100
CHUNK_CHARS = 3000
CHUNK_OVERLAP = MAX_QUERY_CHARS + 20
# The text kept of one item (for snippets and the index); a longer one is cut here.
MAX_TEXT_CHARS = 200_000

_SPACE = re.compile(r"\s+")
# Control characters, surrogates and unassigned code points: never part of a match
# (and NUL cannot reach PostgreSQL at all).
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufeff\u200b-\u200f\u2028-\u202e\u2060-\u2064]")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def normalise(text):
    """The form in which texts and queries are compared."""
    if not text:
        return ""
    return _SPACE.sub("", _INVISIBLE.sub("", unicodedata.normalize("NFKC", str(text)).casefold()))


def _code(char):
    """One character as five lowercase letters (26**5 > every Unicode code point)."""
    n = ord(char)
    letters = []
    for _ in range(5):
        n, r = divmod(n, 26)
        letters.append(_ALPHABET[r])
    return "".join(reversed(letters))


def token(pair):
    """The index token of a bigram (or of a single last character)."""
    return "".join(_code(c) for c in pair)


def bigram_tokens(normalised):
    """The tokens of a normalised text, in order: one per overlapping bigram, and the
    last character alone (so a one-character query can match by prefix)."""
    if not normalised:
        return []
    tokens = [token(normalised[i:i + 2]) for i in range(len(normalised) - 1)]
    tokens.append(token(normalised[-1]))
    return tokens


def chunks(normalised):
    """The overlapping pieces a long normalised text is indexed in."""
    if len(normalised) <= CHUNK_CHARS:
        return [normalised] if normalised else []
    step = CHUNK_CHARS - CHUNK_OVERLAP
    return [normalised[i:i + CHUNK_CHARS] for i in range(0, len(normalised) - CHUNK_OVERLAP, step)]


def query_parts(query):
    """The parts of a query a reader separated by spaces, each normalised; each part
    must be found (AND). Duplicates and empty parts are dropped."""
    raw = unicodedata.normalize("NFKC", query or "").split()
    parts = []
    for piece in raw:
        part = normalise(piece)
        if part and part not in parts:
            parts.append(part)
    return parts


# --- jieba, with the government terms kept as data -------------------------------------

_jieba_lock = threading.Lock()
_jieba = {"tokenizer": None, "version": None}


def _tokenizer(terms_version, load_terms):
    with _jieba_lock:
        if _jieba["tokenizer"] is None or _jieba["version"] != terms_version:
            import jieba

            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            for word, freq in load_terms():
                tokenizer.add_word(word, freq=freq or None)
            _jieba["tokenizer"], _jieba["version"] = tokenizer, terms_version
        return _jieba["tokenizer"]


def jieba_terms(text, *, terms_version=None, load_terms=lambda: (), for_search=False):
    """The words jieba finds in ``text`` (two characters or more, normalised, in order,
    each once). ``load_terms`` gives the user dictionary; it is read again whenever
    ``terms_version`` changes, so an edited dictionary applies without a restart."""
    tokenizer = _tokenizer(terms_version, load_terms)
    seen = []
    cut = tokenizer.lcut_for_search if for_search else tokenizer.lcut
    for word in cut(unicodedata.normalize("NFKC", text or "")):
        word = normalise(word)
        if len(word) >= 2 and word not in seen:
            seen.append(word)
    return seen


# --- pinyin --------------------------------------------------------------------------

def pinyin_initials(text):
    """The initials of ``text``'s Chinese characters (居民身份证 -> jmsfz); Latin
    letters and digits are kept, everything else dropped."""
    from pypinyin import Style, lazy_pinyin

    out = []
    for syllable in lazy_pinyin(normalise(text), style=Style.FIRST_LETTER, errors=lambda s: list(s)):
        for ch in syllable:
            if ch.isascii() and ch.isalnum():
                out.append(ch.lower())
    return "".join(out)


def is_initials_query(query):
    """A query that may be pinyin initials: 2 to 12 Latin letters and nothing else."""
    return bool(re.fullmatch(r"[a-z]{2,12}", normalise(query)))


def pinyin_full(text):
    from pypinyin import lazy_pinyin

    return "".join(s for s in lazy_pinyin(normalise(text), errors="ignore") if s.isascii())
