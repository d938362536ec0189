"""Machine screening: one service that checks any text against the lexicons.

Public API (callers use only these; letters, pages, the publish API, site
migration and, later, crawled pages all go through them):

``screen_text(fields) -> list[Hit]``
    ``{field label: plain text}``. Plain text is screened *as written*: nothing
    is stripped, so ``<赌博>`` or ``a<b>赌博`` in a letter or a title is found.
    Use it for letters, replies, titles, summaries and every other field that is
    not HTML.
``screen_html(fields) -> list[Hit]``
    ``{field label: HTML}``. The text a reader sees is extracted first (tags
    removed, entities decoded, ``<script>``/``<style>`` dropped, block ends kept
    as line breaks, image ``alt`` text kept); positions are in that text.
``screen_page(page, *, values=None, labels=None, extra=None) -> list[Hit]``
    The fields a page type declares in ``screened_fields``: rich-text fields go
    through the HTML path, the others through the plain-text path. ``values``
    overrides the page's own values (the admin form's cleaned data), ``labels``
    the field labels; ``extra`` adds ``{label: plain text}`` after the fields.
``html_text(value) -> str``
    The visible text of an HTML fragment (what ``screen_html`` screens).
``normalise(text) -> str``
    The folded form both lexicon terms and texts are matched in.

Each :class:`Hit` names the field, the lexicon term, where it is *in the
original text* (``text[hit.start:hit.end]`` is the span as written, evasions
included) and why it is a hit. Hits come in field order, then reading order.

How matching works. Every character is folded on its own (so a term folds to the
same string wherever it stands): NFKC (full-width and compatibility forms),
case folding, accents dropped, traditional to simplified with OpenCC ``t2s``
applied per character, and punctuation, symbols, whitespace, control and
zero-width/format characters removed. One Aho-Corasick automaton over the folded
terms then runs over the folded text; an offset map, built only for a text that
has a candidate hit, leads each hit back to the original span. A term that
begins or ends with a Latin letter or digit must not be glued to another one in
the original at that edge, so that removing spaces does not make ``this extra``
a hit for ``sex``.

Lawful contexts. A term may carry context phrases (``LexiconTerm.lawful_contexts``,
one a line, with ``*`` standing for the term: ``打击*`` before it, ``*犯罪`` after
it, a phrase without ``*`` on either side) and a window in folded characters. An
occurrence with such a phrase close enough is not a hit: a notice announcing a
campaign against gambling names gambling. The window stops at the previous and
next occurrence of the same term, so one "打击" cannot excuse an advertisement
that follows it.

The automaton is rebuilt only when the lexicon changes, which one aggregate query
(row count and latest edit) tells, so an edit in the admin takes effect at once
in every process.
"""

import threading
from dataclasses import dataclass
from html.parser import HTMLParser

import ahocorasick
from django.db.models import Count, Max

from .folding import FOLD, normalise, offset_map, parse_contexts
from .models import LexiconTerm, TermKind

__all__ = ["Hit", "html_text", "normalise", "parse_contexts", "screen_html", "screen_page", "screen_text"]

CONTEXT_CHARS = 12  # characters of context either side of a hit, for the reader

_lock = threading.Lock()
_state = {"version": None, "automaton": None}


# --- Matching helpers ---------------------------------------------------------------

def _is_latin_alnum(ch):
    return ch.isascii() and ch.isalnum()


# --- HTML -----------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr "
    "li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
_HIDDEN_TAGS = frozenset({"script", "style", "template"})


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.hidden = 0

    def _break(self):
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN_TAGS:
            self.hidden += 1
        elif tag in _BLOCK_TAGS:
            self._break()
        if tag in ("img", "embed") and not self.hidden:
            alt = dict(attrs).get("alt")
            if alt and alt.strip():
                self._break()
                self.parts.append(alt.strip())
                self._break()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in _HIDDEN_TAGS:
            self.hidden -= 1

    def handle_endtag(self, tag):
        if tag in _HIDDEN_TAGS:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def html_text(value):
    """The text a reader sees in an HTML fragment: tags removed, entities decoded."""
    parser = _TextExtractor()
    parser.feed(value or "")
    parser.close()
    return "".join(parser.parts).strip("\n")


# --- The automaton ------------------------------------------------------------------

@dataclass(frozen=True)
class _Entry:
    term: str
    kind: str
    reason: str
    correct_form: str
    contexts: tuple
    window: int


def _current_version():
    row = LexiconTerm.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    return (row["n"], row["latest"])


def _automaton():
    version = _current_version()
    if _state["version"] == version and _state["automaton"] is not None:
        return _state["automaton"]
    with _lock:
        by_key = {}
        rows = LexiconTerm.objects.filter(active=True).order_by("kind", "term").values_list(
            "term", "kind", "reason", "correct_form", "lawful_contexts", "lawful_window"
        )
        for term, kind, reason, correct_form, contexts, window in rows:
            key = normalise(term)
            if not key:
                continue
            try:
                parsed = tuple(context for _line, context in parse_contexts(contexts))
            except ValueError:
                parsed = ()  # refused by the model's clean(); a row written around it screens strictly
            by_key.setdefault(key, []).append(_Entry(term, kind, reason, correct_form, parsed, window))
        automaton = ahocorasick.Automaton()
        for key, entries in by_key.items():
            automaton.add_word(key, (key, tuple(entries)))
        if len(automaton):
            automaton.make_automaton()
        _state.update(version=version, automaton=automaton)
        return automaton


# --- Screening ------------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    field: str
    term: str
    kind: str
    start: int
    end: int
    reason: str
    correct_form: str
    context: str
    found: str = ""  # the span as written, when it differs from the term

    @property
    def kind_label(self):
        return TermKind(self.kind).label

    def describe(self):
        where = f"「{self.field}」第 {self.start + 1} 个字起"
        shown = f"「{self.term}」" if not self.found or self.found == self.term else f"「{self.found}」(即「{self.term}」)"
        text = f"{where}出现{shown}({self.kind_label}):{self.reason}"
        if self.correct_form:
            text += f";应为「{self.correct_form}」"
        return text + f"。上下文:…{self.context}…"


def _lawful(entry, folded, start, end, previous_end, next_start):
    window = entry.window
    before = folded[max(0, start - window, previous_end):start]
    after = folded[end:min(end + window, next_start)]
    around = before + folded[start:end] + after
    for context in entry.contexts:
        if context.anchored:
            if (not context.before or context.before in before) and (not context.after or context.after in after):
                return True
        elif context.before in around:
            return True
    return False


def _screen_one(automaton, label, text):
    folded = normalise(text)
    found = list(automaton.iter(folded))
    if not found:
        return []
    origin = offset_map(text)
    occurrences = {}
    for last, (key, entries) in found:
        occurrences.setdefault(key, []).append((last - len(key) + 1, last + 1, entries))
    hits = []
    for key, spans in occurrences.items():
        spans.sort(key=lambda span: span[0])
        for i, (start, end, entries) in enumerate(spans):
            orig_start, orig_end = origin[start], origin[end - 1] + 1
            if _is_latin_alnum(key[0]) and orig_start > 0 and _glued(text[orig_start - 1], first=False):
                continue
            if _is_latin_alnum(key[-1]) and orig_end < len(text) and _glued(text[orig_end], first=True):
                continue
            previous_end = spans[i - 1][1] if i else 0
            next_start = spans[i + 1][0] if i + 1 < len(spans) else len(folded)
            entry = next((e for e in entries if not _lawful(e, folded, start, end, previous_end, next_start)), None)
            if entry is None:
                continue
            context = text[max(0, orig_start - CONTEXT_CHARS):orig_end + CONTEXT_CHARS]
            written = text[orig_start:orig_end]
            hits.append(Hit(label, entry.term, entry.kind, orig_start, orig_end, entry.reason, entry.correct_form,
                            context, "" if written == entry.term else written))
    return hits


def _glued(ch, *, first):
    folded = FOLD[ord(ch)]
    return bool(folded) and _is_latin_alnum(folded[0] if first else folded[-1])


def _screen(items):
    """``items``: ``[(label, text, is_html)]`` in the order hits are reported."""
    automaton = _automaton()
    if not len(automaton):
        return []
    hits = []
    for label, value, is_html in items:
        text = html_text(value) if is_html else (value or "")
        hits.extend(sorted(_screen_one(automaton, label, text), key=lambda h: (h.start, h.end)))
    return hits


def screen_text(fields):
    """Screen ``{field label: plain text}`` as written; return every hit, in reading order."""
    return _screen([(label, text, False) for label, text in fields.items()])


def screen_html(fields):
    """Screen ``{field label: HTML}`` by the text a reader sees; return every hit, in reading order."""
    return _screen([(label, text, True) for label, text in fields.items()])


def _is_rich_text(model, name):
    from wagtail.fields import RichTextField

    try:
        return isinstance(model._meta.get_field(name), RichTextField)
    except Exception:  # not a model field (a property, a form-only field): plain text
        return False


def screen_page(page, *, values=None, labels=None, extra=None):
    """Screen the fields ``page`` declares in ``screened_fields`` (default: the title).

    Rich-text fields are screened as HTML, every other text field as written.
    ``values`` (``{field name: value}``) replaces the page's own values, e.g. an
    admin form's cleaned data; ``labels`` (``{field name: label}``) the model's
    verbose names; ``extra`` (``{label: plain text}``) is screened after the fields.
    """
    items = []
    for name in getattr(page, "screened_fields", ("title",)):
        value = values.get(name) if values is not None else getattr(page, name, "")
        if not isinstance(value, str):
            continue
        if labels and name in labels:
            label = str(labels[name])
        else:
            try:
                label = str(page._meta.get_field(name).verbose_name)
            except Exception:
                label = name
        items.append((label, value, _is_rich_text(type(page), name)))
    items.extend((label, text or "", False) for label, text in (extra or {}).items())
    return _screen(items)
