#!/usr/bin/env python
"""Load a large city for the benchmarks, on the database of DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_city \\
        python bench/load_city.py --articles 100000 --big-column 10000

1. Runs the normal demo loader (``manage.py load_demo --items-per-column 2``) when
   the demo city is not there yet.
2. Adds ``--articles`` articles spread evenly over every column of every hosted
   site, except the big column.
3. Fills one column (``--big-site`` / ``--big-column-title``, by default the
   渝中区 site's 区县动态) up to ``--big-column`` items.

Creating 100,000 Wagtail pages one by one through ``add_child`` (one revision,
one log entry, one search-index update and a dozen queries each) would take hours.
The pages are therefore written in batches, the way treebeard and Wagtail would
have written them:

* ``wagtailcore_page`` rows through ``Page.objects.bulk_create``, with the
  materialised path computed here (treebeard ``MP_Node``: steplen 4, alphabet
  0-9A-Z, a child's path is its parent's path plus the child's position in base 36
  padded to 4 characters, positions counted from 1), ``depth``, ``url_path``,
  ``live``, ``first/last_published_at``, ``content_type`` of ``portal.ArticlePage``,
  the parent's locale, ``draft_title`` and a slug unique among its siblings;
* the multi-table-inheritance rows (``portal_contentpage.page_ptr_id``,
  ``portal_articlepage.contentpage_ptr_id``) with the same batched INSERT that
  Django's ``Model.save`` uses for parent tables (``QuerySet._insert``);
* the parents' ``numchild`` recounted in the same transaction, one transaction a
  column, so an interrupted load leaves a consistent tree.

Left out on purpose (the benchmarks read public pages only): revisions, log
entries, publication-register lines and search-index entries of the added pages.

The target counts make the load idempotent: run it twice and the second run adds
nothing. Afterwards it checks the tree with treebeard's ``Page.find_problems()``
(not ``fix_tree``), checks the MTI rows, slugs and url paths in SQL, and fetches
an added article through the Django test client.
"""

import argparse
import os
import random
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityplatform.settings")

import django  # noqa: E402

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, F, Value  # noqa: E402
from django.db.models.functions import Concat  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from wagtail.models import Page  # noqa: E402

from demo import content as demo_content  # noqa: E402
from demo.loader import already_loaded  # noqa: E402
from orgs.addressing import hostname_for_slug  # noqa: E402
from orgs.models import SiteRecord  # noqa: E402
from portal.models import ArticlePage, ColumnPage, ContentPage  # noqa: E402

SLUG_PREFIX = "bench-"
STEPLEN = Page.steplen
ALPHABET = Page.alphabet
MAX_STEP = len(ALPHABET) ** STEPLEN - 1

T0 = time.monotonic()


def say(msg):
    print(f"[{time.monotonic() - T0:8.1f}s] {msg}", flush=True)


def step_str(n):
    """treebeard's path step: n in base 36, left-padded with '0' to STEPLEN."""
    if not 0 < n <= MAX_STEP:
        raise ValueError(f"path step {n} out of range (1..{MAX_STEP})")
    digits = ""
    while n:
        n, r = divmod(n, len(ALPHABET))
        digits = ALPHABET[r] + digits
    return digits.rjust(STEPLEN, ALPHABET[0])


def step_int(s):
    return int(s, len(ALPHABET))


assert step_str(1) == "0001" and step_str(36) == "0010" and step_int("0010") == 36
assert step_str(1) == Page._get_path("", 1, 1) and step_str(1295) == Page._get_path("", 1, 1295)


def hosted_columns():
    """(record, column) for every column of every hosted site, in tree order."""
    out = []
    records = SiteRecord.objects.filter(site__isnull=False).select_related("site", "unit").order_by("sort_order", "id")
    for record in records:
        home = record.site.root_page
        for column in ColumnPage.objects.descendant_of(home).order_by("path"):
            out.append((record, column))
    return out


def children(column):
    return Page.objects.filter(path__startswith=column.path, depth=column.depth + 1)


class Writer:
    """Writes articles under one column in batches, treebeard-correct."""

    def __init__(self, *, batch, rng, now, years, progress):
        self.batch = batch
        self.rng = rng
        self.now = now
        self.span = timedelta(days=365 * years).total_seconds()
        self.ct_id = ContentType.objects.get_for_model(ArticlePage).pk
        self.page_fields = ContentPage._meta.local_concrete_fields  # page_ptr, pub_date, source, summary
        self.article_fields = ArticlePage._meta.local_concrete_fields  # contentpage_ptr, author, body
        self.progress = progress
        self.written = 0

    def text(self, kind_code, unit, seq):
        pool = demo_content.BY_KIND.get(kind_code) or demo_content.NEWS
        title, summary, paragraphs = pool[seq % len(pool)]
        name = unit.short_name or unit.name
        fill = lambda s: s.replace("{unit}", name).replace("{site}", unit.name)  # noqa: E731
        body = "".join(f"<p>{fill(p)}</p>" for p in paragraphs)
        return f"{fill(title)}(第{seq + 1}期)", fill(summary)[:300], body

    def add(self, record, column, count):
        """Add ``count`` live articles under ``column``, one transaction."""
        if count <= 0:
            return 0
        with transaction.atomic():
            # Lock the column row: nobody else adds a child while we number them.
            column = Page.objects.select_for_update().get(pk=column.pk).specific
            last = children(column).order_by("-path").values_list("path", flat=True).first()
            next_step = step_int(last[-STEPLEN:]) + 1 if last else 1
            if next_step + count - 1 > MAX_STEP:
                raise SystemExit(f"{column.title}: {next_step + count - 1} children would overflow treebeard's steplen 4")
            taken = set(children(column).values_list("slug", flat=True))
            kind_code = column.kind.code
            unit = record.unit
            done = 0
            while done < count:
                n = min(self.batch, count - done)
                pages, extra = [], []
                for i in range(n):
                    step = next_step + done + i
                    key = step_str(step)
                    slug = f"{SLUG_PREFIX}{key.lower()}"
                    while slug in taken:
                        slug += "x"
                    taken.add(slug)
                    title, summary, body = self.text(kind_code, unit, step)
                    pub = self.now - timedelta(seconds=self.rng.random() * self.span)
                    pages.append(
                        Page(
                            title=title, draft_title=title, slug=slug,
                            path=column.path + key, depth=column.depth + 1, numchild=0,
                            url_path=f"{column.url_path}{slug}/",
                            live=True, has_unpublished_changes=False, expired=False, locked=False,
                            show_in_menus=False, seo_title="", search_description="",
                            first_published_at=pub, last_published_at=pub,
                            content_type_id=self.ct_id, locale_id=column.locale_id,
                            translation_key=uuid.uuid4(),
                        )
                    )
                    extra.append((pub, summary, body))
                Page.objects.bulk_create(pages, batch_size=self.batch)
                rows = []
                for page, (pub, summary, body) in zip(pages, extra):
                    assert page.pk, "the database did not return the new page ids"
                    rows.append(
                        ArticlePage(
                            id=page.pk, page_ptr_id=page.pk, contentpage_ptr_id=page.pk,
                            pub_date=pub, source=unit.name, summary=summary, author="", body=body,
                            parent_column_id=column.pk,
                        )
                    )
                # The same INSERTs Model.save() issues for each table of the MTI chain, batched.
                ContentPage._base_manager._insert(rows, fields=self.page_fields)
                ArticlePage._base_manager._insert(rows, fields=self.article_fields)
                done += n
                self.written += n
                self.progress(self.written)
            Page.objects.filter(pk=column.pk).update(numchild=children(column).count())
        return count


def bench_count(column):
    return children(column).filter(slug__startswith=SLUG_PREFIX).count()


def analyse():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("wagtailcore_page", "portal_contentpage", "portal_articlepage", "portal_columnpage"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def check_tree(columns, mode, rng):
    """treebeard's own consistency check, ``Page.find_problems()`` (no ``fix_tree``):
    the whole tree (full) or four columns with their items (sample)."""
    if mode == "none":
        say("tree check skipped (--check none)")
        return True
    labels = ("bad characters", "bad path length", "orphans", "wrong depth", "wrong numchild")
    started = time.monotonic()
    if mode == "full":
        scopes = [(None, Page.objects.count())]
    else:
        picked = columns[:1] + rng.sample(columns[1:], min(3, len(columns) - 1))
        scopes = [(c, c.numchild + 1) for c in picked]
    ok = True
    for parent, _ in scopes:
        problems = Page.find_problems(parent=parent)
        for label, ids in zip(labels, problems):
            if ids:
                ok = False
                where = parent.url_path if parent else "the whole tree"
                say(f"  PROBLEM in {where}: {label}: {ids[:10]}{' …' if len(ids) > 10 else ''}")
    nodes = sum(n for _, n in scopes)
    scope = "the whole tree" if mode == "full" else f"{len(scopes)} columns"
    say(f"Page.find_problems() on {scope} ({nodes:,} nodes): {'no problems' if ok else 'PROBLEMS'} "
        f"({time.monotonic() - started:.1f}s)")
    return ok


def check_rows(columns):
    """Every added page has its MTI rows; slugs unique among siblings; url paths right."""
    ok = True
    ids = Page.objects.filter(slug__startswith=SLUG_PREFIX, content_type=ContentType.objects.get_for_model(ArticlePage))
    n_pages = ids.count()
    n_content = ContentPage.objects.filter(pk__in=ids.values("pk")).count()
    n_article = ArticlePage.objects.filter(pk__in=ids.values("pk")).count()
    if not n_pages == n_content == n_article:
        ok = False
        say(f"  PROBLEM: {n_pages} page rows, {n_content} contentpage rows, {n_article} articlepage rows")
    for column in columns:
        kids = children(column)
        dup = kids.values("slug").annotate(n=Count("id")).filter(n__gt=1)
        if dup.exists():
            ok = False
            say(f"  PROBLEM: duplicate sibling slugs under {column.url_path}: {list(dup[:5])}")
        wrong = kids.exclude(url_path=Concat(Value(column.url_path), F("slug"), Value("/")))
        if wrong.exists():
            ok = False
            say(f"  PROBLEM: wrong url_path under {column.url_path}: {list(wrong.values_list('pk', flat=True)[:5])}")
    say(f"MTI rows ({n_pages:,} added articles), sibling slugs, url paths: {'ok' if ok else 'PROBLEMS'}")
    return ok


def check_served(column):
    """An added article and its column are served 200 by the Django test client."""
    ok = True
    client = Client()
    article = children(column).filter(slug__startswith=SLUG_PREFIX).order_by("-path").first()
    for page in (article.specific, column):
        url = page.get_url()
        parts = urlsplit(url)
        extra = {"HTTP_HOST": parts.netloc} if parts.netloc else {}
        response = client.get(parts.path, **extra)
        body = response.content.decode("utf-8", "replace")
        good = response.status_code == 200 and page.title in body
        ok = ok and good
        say(f"GET {url} -> {response.status_code}{'' if good else ' PROBLEM: title not in page'}")
    return ok


def patch_letters_lock():
    """Work-around, in this process only, for letters.services._lock on PostgreSQL:
    ``select_for_update()`` with ``select_related`` of a nullable foreign key makes
    PostgreSQL refuse the query ("FOR UPDATE cannot be applied to the nullable side
    of an outer join"), so ``load_demo`` fails there. The same lock limited to the
    letter's own row (``of=("self",)``). Remove once the application is fixed."""
    from letters import models as letter_models
    from letters import services as letter_services

    from orgs.errors import DomainError

    if not hasattr(letter_services, "_lock"):
        return

    def _lock(letter, version):
        locked = (
            letter_models.Letter.objects.select_for_update(of=("self",))
            .select_related("mailbox", "letter_type", "handling_unit")
            .get(pk=letter.pk)
        )
        if version is not None and int(version) != locked.version:
            raise DomainError("这封来信刚被他人处理过,请刷新后再操作。", code="conflict")
        return locked

    letter_services._lock = _lock
    say("patched letters.services._lock for this process (--patch-letters-lock)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000, help="articles spread over all columns (target, default 100000)")
    parser.add_argument("--big-column", type=int, default=10_000, help="items in the big column (target, default 10000)")
    parser.add_argument("--big-site", default="yuzhong", help="slug of the site holding the big column (default yuzhong)")
    parser.add_argument("--big-column-title", default="区县动态", help="title of the big column (default 区县动态)")
    parser.add_argument("--batch", type=int, default=2000, help="rows per INSERT (default 2000)")
    parser.add_argument("--years", type=float, default=8, help="publication dates spread over this many years (default 8)")
    parser.add_argument("--seed", type=int, default=2005209)
    parser.add_argument("--patch-letters-lock", action="store_true",
                        help="work around the SELECT … FOR UPDATE bug of letters.services._lock on PostgreSQL "
                             "while the demo city loads (this process only)")
    parser.add_argument("--check", choices=("full", "sample", "none"), default="full",
                        help="Page.find_problems() on the whole tree (full, default), on 4 columns (sample) or not at all")
    args = parser.parse_args(argv)

    db = connection.settings_dict
    say(f"database: {connection.vendor} {db.get('NAME')} on {db.get('HOST') or 'local'}")
    if not already_loaded():
        say("demo city not loaded: manage.py load_demo --items-per-column 2")
        if args.patch_letters_lock:
            patch_letters_lock()
        try:
            call_command("load_demo", items_per_column=2, stdout=open(os.devnull, "w"))
        except Exception as exc:
            say(f"the demo loader failed: {type(exc).__name__}: {exc}")
            raise
        say("demo city loaded")
    else:
        say("demo city already loaded")

    pairs = hosted_columns()
    big_host = hostname_for_slug(args.big_site)
    big = next(((r, c) for r, c in pairs if r.site.hostname == big_host and c.title == args.big_column_title), None)
    if big is None:
        raise SystemExit(f"no column {args.big_column_title!r} on site {big_host}")
    spread = [(r, c) for r, c in pairs if c.pk != big[1].pk]
    say(f"{len(pairs)} columns on {len({r.pk for r, _ in pairs})} hosted sites; big column: {big[0].name} · {big[1].title}")

    # What each column still needs to reach its target.
    plan = []
    per, rest = divmod(args.articles, len(spread))
    for i, (record, column) in enumerate(spread):
        plan.append((record, column, max(0, per + (1 if i < rest else 0) - bench_count(column))))
    plan.append((big[0], big[1], max(0, args.big_column - children(big[1]).count())))
    total = sum(n for _, _, n in plan)
    say(f"to add: {total:,} articles ({sum(n for *_, n in plan[:-1]):,} spread, {plan[-1][2]:,} in the big column)")

    rng = random.Random(args.seed)
    started = time.monotonic()
    last_report = [0]

    def progress(written):
        if written - last_report[0] >= 10_000 or written == total:
            last_report[0] = written
            rate = written / max(time.monotonic() - started, 1e-9)
            say(f"  {written:,} / {total:,} articles ({rate:,.0f}/s)")

    writer = Writer(batch=args.batch, rng=rng, now=timezone.now() - timedelta(hours=1), years=args.years, progress=progress)
    for record, column, n in plan:
        writer.add(record, column, n)
    load_seconds = time.monotonic() - started
    if total:
        say(f"added {total:,} articles in {load_seconds:.1f}s ({total / max(load_seconds, 1e-9):,.0f}/s)")
        analyse()
        say("statistics refreshed (VACUUM ANALYZE)" if connection.vendor == "postgresql" else "statistics refreshed")

    columns = [Page.objects.get(pk=c.pk) for _, c, _ in plan]
    columns.insert(0, columns.pop())  # the big column first (the sample check always covers it)
    ok = check_tree(columns, args.check, rng)
    ok = check_rows(columns) and ok
    ok = check_served(big[1]) and ok
    summary = {
        "pages": Page.objects.count(),
        "content items": ContentPage.objects.count(),
        "articles": ArticlePage.objects.count(),
        "big column items": children(big[1]).count(),
    }
    say("totals: " + ", ".join(f"{k} {v:,}" for k, v in summary.items()))
    say(f"done in {time.monotonic() - T0:.1f}s{'' if ok else ' WITH PROBLEMS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
