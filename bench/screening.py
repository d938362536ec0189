#!/usr/bin/env python
"""Throughput of the screening service on letter-sized texts, before and after folding.

    .venv/bin/python bench/screening.py [-n 10000] [--terms 2000] [--db /tmp/bench_screening.sqlite3]

1. Migrates a scratch SQLite database (``--db``; created if missing, kept for the
   next run) and fills the lexicon with the demo's terms, the demo's lawful
   contexts and ``--terms`` generated four-character terms (a real lexicon holds
   thousands).
2. Builds ``-n`` letters of 300 to 600 characters from the demo letters' sentences;
   one in twenty carries a lexicon term, written plainly or evasively (spaces,
   punctuation, zero-width characters, traditional characters, full-width forms).
3. Screens every letter's title and body three times and reports the best run,
   in CPU time of this process (the machine is shared):
   * **before**: the matching of commit 7348069 (tags stripped from every field,
     entities decoded, one automaton over the terms as written), copied here;
   * **after**: ``guard.screening.screen_text`` (fold, match, map offsets back,
     lawful contexts), the function letters call.
   Prints letters/second, characters/second and how many letters each found.
   Both ask the database for the lexicon's version once a call; that query is
   timed on its own and left out of the matching figures.

It reports; it never fails on a target. Nothing here is timed in a test.
"""

import argparse
import html
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(db_path):
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityplatform.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load_lexicon(extra_terms, rng):
    from demo.city import LAWFUL_CONTEXTS, LEXICON
    from guard.models import LexiconTerm
    from guard.screening import normalise

    LexiconTerm.objects.all().delete()
    rows = [LexiconTerm(term=t, kind=k, reason=r, correct_form=c, lawful_contexts="\n".join(LAWFUL_CONTEXTS.get(t, ())))
            for t, k, r, c in LEXICON]
    seen = {normalise(row.term) for row in rows}
    alphabet = [chr(c) for c in range(0x4E00, 0x9FA5)]
    while len(rows) < len(LEXICON) + extra_terms:
        term = "".join(rng.choice(alphabet) for _ in range(4))
        if normalise(term) not in seen:
            seen.add(normalise(term))
            rows.append(LexiconTerm(term=term, kind="banned", reason="生成的测试词条"))
    # Rows straight into the table: the benchmark measures matching, not the admin's history.
    LexiconTerm.objects.bulk_create(rows)
    return [t for t, *_ in LEXICON]


EVASIONS = [
    lambda t: t,
    lambda t: " ".join(t),
    lambda t: ".".join(t),
    lambda t: "\u200b".join(t),
    lambda t: t.translate(str.maketrans("开发赌博网络", "開發賭博網絡")),
    lambda t: "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in t),
]


def letters(n, terms, rng):
    from demo.city import LETTERS

    sentences = []
    for letter in LETTERS:
        body = letter[5]
        sentences += [s + "。" for s in re.split(r"[。!?]", body) if s.strip()]
    out = []
    for i in range(n):
        size = rng.randint(300, 600)
        parts = []
        while sum(map(len, parts)) < size:
            parts.append(rng.choice(sentences))
        if i % 20 == 0:
            term = rng.choice(terms)
            parts.insert(rng.randrange(len(parts)), rng.choice(EVASIONS)(term))
        out.append((rng.choice(LETTERS)[4], "".join(parts)))
    return out


# --- before: the matching of commit 7348069 -------------------------------------------

_TAG_RE = re.compile(r"<[^>]+>")


def before_automaton():
    import ahocorasick

    from guard.models import LexiconTerm

    automaton = ahocorasick.Automaton()
    for term, kind in LexiconTerm.objects.filter(active=True).values_list("term", "kind"):
        automaton.add_word(term, (term, kind))
    automaton.make_automaton()
    return automaton


def before_screen(automaton, fields):
    hits = []
    for label, raw in fields.items():
        text = html.unescape(_TAG_RE.sub("", raw or ""))
        for end, (term, kind) in automaton.iter(text):
            start = end - len(term) + 1
            hits.append((label, term, start, end + 1, text[max(0, start - 12):end + 13]))
    return hits


def run(label, screen, texts, repeat=3):
    best, found = None, 0
    for _ in range(repeat):
        started = time.process_time()  # CPU time: the machine is shared, wall time says more about the neighbours
        found = sum(1 for title, body in texts if screen({"标题": title, "内容": body}))
        elapsed = time.process_time() - started
        best = elapsed if best is None else min(best, elapsed)
    chars = sum(len(t) + len(b) for t, b in texts)
    print(f"{label:<8} {len(texts) / best:>10,.0f} letters/s {chars / best / 1e6:>8.2f} M chars/s "
          f"{best * 1000:>8.0f} ms CPU  letters with a hit: {found:,}")
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=10_000, help="letters (default 10000)")
    parser.add_argument("--terms", type=int, default=2000, help="generated terms added to the demo lexicon")
    parser.add_argument("--db", default="/tmp/bench_screening.sqlite3", help="scratch SQLite database")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    setup(args.db)
    from guard import screening

    demo_terms = load_lexicon(args.terms, rng)
    texts = letters(args.n, demo_terms, rng)
    chars = sum(len(t) + len(b) for t, b in texts)
    print(f"{len(texts):,} letters, {chars:,} characters (mean {chars // len(texts)}); "
          f"lexicon {len(demo_terms) + args.terms:,} terms; one letter in 20 carries a term, "
          f"five in six of those evasively")
    automaton = before_automaton()
    screening.screen_text({"标题": "预热"})  # build the automaton outside the timing

    # Both versions ask the database for the lexicon's version on every call; that
    # query is timed on its own, and the matching without it.
    version = screening._current_version()
    started = time.perf_counter()
    for _ in range(1000):
        screening._current_version()
    query_ms = (time.perf_counter() - started)
    print(f"lexicon version query (before and after alike): {query_ms:.2f} ms per call; not in the figures below")
    screening._current_version = lambda: version
    run("before", lambda fields: before_screen(automaton, fields), texts)
    run("after", screening.screen_text, texts)


if __name__ == "__main__":
    main()
