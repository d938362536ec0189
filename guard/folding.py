"""Folding text for screening, and a lexicon term's lawful contexts.

Pure text functions, without the database: the lexicon's model validates a term
with them (``LexiconTerm.clean``) and the screening service matches with them
(``guard/screening.py``, whose docstring explains the folding), so neither module
imports the other. Every character is folded on its own: NFKC, case folding,
accents dropped, OpenCC ``t2s`` per character, and punctuation, symbols,
whitespace, control and zero-width characters removed.
"""

import unicodedata
from dataclasses import dataclass

import opencc
from django.utils.translation import gettext as _

# Removed wherever they stand: what an evader slips between the characters of a
# term and what separates words anyway. Marks are removed after decomposition, so
# accents and combining characters neither hide nor change a term.
_DROPPED_CATEGORIES = frozenset(
    {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me",
     "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So"}
)
_t2s = opencc.OpenCC("t2s")


def _fold_char(ch):
    folded = unicodedata.normalize("NFKC", ch).casefold()
    folded = unicodedata.normalize("NFD", folded)
    kept = [c for c in folded if unicodedata.category(c) not in _DROPPED_CATEGORIES]
    if not kept:
        return ""
    # Per character, not per phrase: OpenCC's phrase rules depend on neighbours
    # (and may change the length), which would fold a term differently alone and
    # inside a text.
    return unicodedata.normalize("NFC", "".join(_t2s.convert(c) for c in kept))


class _FoldTable(dict):
    """``str.translate`` table that folds each code point on first sight."""

    def __missing__(self, code):
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


FOLD = _FoldTable()


def normalise(text):
    """The folded form of ``text``: what lexicon terms and texts are matched in."""
    return (text or "").translate(FOLD)


def offset_map(text):
    """For each character of ``normalise(text)``, the index in ``text`` it came from."""
    origin = []
    for index, ch in enumerate(text):
        folded = FOLD[ord(ch)]
        if folded:
            origin.extend([index] * len(folded))
    return origin


@dataclass(frozen=True)
class Context:
    """A lawful context of a term, folded: text just before and/or after it."""

    before: str
    after: str
    anchored: bool  # written with "*": before and/or after the term


def parse_contexts(text):
    """``lawful_contexts`` as ``[(line, Context)]``; a line that cannot be used raises ValueError."""
    parsed = []
    for line in (text or "").splitlines():
        line = unicodedata.normalize("NFKC", line).strip()
        if not line:
            continue
        if line.count("*") > 1:
            raise ValueError(_("「%(line)s」:每行最多一个 *(代表词条本身)。") % {"line": line})
        if "*" in line:
            before, after = (normalise(part) for part in line.split("*"))
            context = Context(before, after, True)
        else:
            context = Context(normalise(line), "", False)
        if not context.before and not context.after:
            raise ValueError(_("「%(line)s」:须含有文字(标点、空格不计)。") % {"line": line})
        parsed.append((line, context))
    return parsed
