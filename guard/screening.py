"""Machine screening: match every lexicon term against a text in one pass.

One Aho-Corasick automaton holds all active terms; it is rebuilt only when the
lexicon changes, which one aggregate query (row count and latest edit) tells.
The publishing review, the mailbox and the supervision crawler all call
:func:`screen`.
"""

import html
import re
import threading
from dataclasses import dataclass

import ahocorasick
from django.db.models import Count, Max

from .models import LexiconTerm, TermKind

_TAG_RE = re.compile(r"<[^>]+>")
_lock = threading.Lock()
_state = {"version": None, "automaton": None}


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

    @property
    def kind_label(self):
        return TermKind(self.kind).label

    def describe(self):
        where = f"「{self.field}」第 {self.start + 1} 个字起"
        text = f"{where}出现「{self.term}」({self.kind_label}):{self.reason}"
        if self.correct_form:
            text += f";应为「{self.correct_form}」"
        return text + f"。上下文:…{self.context}…"


def _current_version():
    row = LexiconTerm.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    return (row["n"], row["latest"])


def _automaton():
    version = _current_version()
    if _state["version"] == version and _state["automaton"] is not None:
        return _state["automaton"]
    with _lock:
        automaton = ahocorasick.Automaton()
        rows = LexiconTerm.objects.filter(active=True).values_list("term", "kind", "reason", "correct_form")
        for term, kind, reason, correct_form in rows:
            automaton.add_word(term, (term, kind, reason, correct_form))
        if len(automaton):
            automaton.make_automaton()
        _state.update(version=version, automaton=automaton)
        return automaton


def plain_text(value):
    """Text as a reader sees it: tags removed, entities decoded."""
    return html.unescape(_TAG_RE.sub("", value or ""))


def screen(fields):
    """Screen ``{field label: text}``; return every hit, in reading order."""
    automaton = _automaton()
    hits = []
    if not len(automaton):
        return hits
    for label, raw in fields.items():
        text = plain_text(raw)
        for end, (term, kind, reason, correct_form) in automaton.iter(text):
            start = end - len(term) + 1
            context = text[max(0, start - 12) : end + 13]
            hits.append(Hit(label, term, kind, start, end + 1, reason, correct_form, context))
    hits.sort(key=lambda h: (list(fields).index(h.field), h.start))
    return hits
