"""The checks a crawl runs besides reading pages and links: text screening of the
pages read, the site-search test, IPv6 and HTTPS.

Each result is an ``Observation`` of the run, in the shape of a ``measures.Measure``
(state, value, evidence, reason), so the builder (crawled.py) hands it to the
engine as it was measured. Where the machine's network cannot tell (no DNS, a
hosted site read in-process), the result is "not checked" with the reason.
"""

import ipaddress
import socket
from urllib.parse import quote, urlencode, urljoin, urlsplit

from django.db import transaction
from django.utils import timezone

from guard.screening import screen_text

from ..measures import NOT_CHECKED, OK, PROBLEM, Evidence
from ..models import Observation
from .fetch import decode, looks_binary
from .page import analyse

# Which lexicon kinds the indicators' veto reads, and as what.
SEVERITY = {"wrong_name": "serious", "banned": "banned"}
SEARCH_SAMPLE = 4
MIN_TITLE = 8
MAX_HITS = 200


def _save(run, code, state, value=None, evidence=(), reason=""):
    with transaction.atomic():
        Observation.objects.filter(run=run, code=code).delete()
        return Observation.objects.create(record_id=run.record_id, run=run, code=code, at=timezone.now(), state=state,
                                          value=value or {}, evidence=[e.to_dict() for e in evidence],
                                          reason=reason[:300])


# --- Screening ------------------------------------------------------------------------

def screen_pages(run, texts):
    """Screen the visible text of the pages just read (``{url: text}``) with the
    platform's lexicons; add the hits to the run's screening observation (called in
    the crawl batch's transaction)."""
    hits = []
    if texts:
        for hit in screen_text(texts):
            severity = SEVERITY.get(hit.kind)
            if severity:
                hits.append({"url": hit.field, "term": hit.term, "label": str(hit.kind_label), "severity": severity,
                             "context": hit.context[:120], "correct_form": hit.correct_form})
    row = Observation.objects.filter(run=run, code="screening").first()
    if row is None:
        row = Observation(record_id=run.record_id, run=run, code="screening", at=timezone.now(),
                          value={"hits": [], "pages": 0})
    value = row.value or {"hits": [], "pages": 0}
    known = {(h["url"], h["term"], h["context"]) for h in value.get("hits", [])}
    for hit in hits:
        if (hit["url"], hit["term"], hit["context"]) not in known and len(value["hits"]) < MAX_HITS:
            value["hits"].append(hit)
            known.add((hit["url"], hit["term"], hit["context"]))
    value["pages"] = value.get("pages", 0) + len(texts)
    row.value = value
    row.state = PROBLEM if value["hits"] else OK
    row.evidence = [Evidence("页面含" + ("严重表述错误" if h["severity"] == "serious" else "违禁内容"), h["url"],
                             f"「{h['term']}」" + (f",应为「{h['correct_form']}」" if h.get("correct_form") else "") +
                             f":…{h['context']}…").to_dict() for h in value["hits"]]
    row.reason = f"筛查了{value['pages']}个页面,发现{len(value['hits'])}处问题" if value["hits"] else \
        f"筛查了{value['pages']}个页面,未发现问题"
    row.at = timezone.now()
    row.save()


# --- Site search ----------------------------------------------------------------------

def _search_template(run, watch, home):
    """A function of the query giving the search address, or None."""
    if watch is not None and watch.search_url and "{q}" in watch.search_url:
        template = urljoin(run.start_url, watch.search_url)
        return lambda q: template.replace("{q}", quote(q))
    form = (home.meta or {}).get("_search_form") if home is not None else None
    if not form:
        return None
    action = form["action"]

    def build(q):
        query = dict(form.get("hidden") or {})
        query[form["param"]] = q
        joiner = "&" if urlsplit(action).query else "?"
        return action + joiner + urlencode(query)
    return build


def _article_title(page):
    title = (page.meta or {}).get("ArticleTitle") or page.title
    # The site's name and the section follow the item's title: "标题 · 信件公开 - 中国重庆".
    for sep in (" - ", " · ", " | ", "_", " — "):
        title = title.split(sep)[0]
    return " ".join(title.split())


def sample_titles(run, count=SEARCH_SAMPLE):
    """``count`` article titles of the crawl, spread evenly over what was read."""
    pages = [p for p in run.pages.filter(state="done", pub_date__isnull=False).exclude(title="").order_by("id")
             if (p.meta or {}).get("_article")]
    titles = []
    for page in pages:
        title = _article_title(page)
        # A short title (机构职能, 联系方式) names a section, not a piece of information:
        # the indicators test the search with the titles of what was published.
        if len(title) >= MIN_TITLE and title not in titles:
            titles.append(title)
    if len(titles) <= count:
        return titles
    step = len(titles) / count
    return [titles[int(i * step)] for i in range(count)]


def _squash(text):
    return "".join((text or "").split())


def _found_in_results(fetched, title):
    text, _encoding, _note = decode(fetched.body, fetched.content_type)
    info = analyse(text, fetched.final_url)
    wanted = _squash(title)
    head = wanted[:16]
    for link in info.links:
        shown = _squash(link.text).rstrip(".…")
        if not shown:
            continue
        if wanted in shown or (len(shown) >= 8 and shown in wanted) or (len(head) >= 8 and shown.startswith(head)):
            return True
    return False


def check_search(run, fetcher, watch):
    home = run.pages.filter(depth=0).first()
    if home is None or not home.footer:
        return _save(run, "search", NOT_CHECKED, reason="首页未能读取,无法检查站内搜索")
    build = _search_template(run, watch, home)
    if build is None:
        return _save(run, "search", PROBLEM, {"present": False, "tested": [], "not_found": [], "grouped": None},
                     [Evidence("首页没有站内搜索", home.url)], "首页未找到站内搜索")
    titles = sample_titles(run)
    tested, not_found, evidence, failures = [], [], [], []
    for title in titles:
        url = build(title)
        fetched = fetcher.get(url)
        if not fetched.ok or not fetched.body or looks_binary(fetched.body):
            failures.append(f"{title}({fetched.describe()})")
            continue
        tested.append(title)
        if not _found_in_results(fetched, title):
            not_found.append(title)
            evidence.append(Evidence("搜索结果第一页未找到该标题", url, title))
    value = {"present": True, "tested": tested, "not_found": not_found, "grouped": None}
    if titles and not tested:
        return _save(run, "search", NOT_CHECKED, value, reason="搜索页面无法访问:" + ";".join(failures)[:250])
    reason = f"抽查{len(tested)}个标题,{len(not_found)}个未在第一页找到" if tested else "没有可抽查的文章标题"
    if failures:
        reason += ";未能检查:" + ";".join(failures)
    return _save(run, "search", PROBLEM if not_found else OK, value, evidence, reason)


# --- IPv6 and HTTPS ------------------------------------------------------------------

def _is_ip(host):
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def ipv6_of(host):
    """``(has_aaaa, reason)``: True/False, or None with why it cannot be told."""
    if not host:
        return None, "监测地址没有主机名"
    if _is_ip(host):
        return None, "监测地址是IP地址,没有域名可查AAAA记录"
    try:
        socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        return None, f"本机无法解析该域名({exc}),不能判断"
    try:
        return bool(socket.getaddrinfo(host, None, socket.AF_INET6)), ""
    except (socket.gaierror, OSError):
        return False, ""


def check_ipv6(run, fetcher):
    if fetcher.in_process is not None and fetcher.in_process.serves(run.start_url):
        return _save(run, "ipv6", NOT_CHECKED, {"has_aaaa": None}, reason="托管网站在平台内部抓取,未经网络,不能判断")
    host = urlsplit(run.start_url).hostname or ""
    has, reason = ipv6_of(host)
    if has is None:
        return _save(run, "ipv6", NOT_CHECKED, {"has_aaaa": None}, reason=reason)
    evidence = [] if has else [Evidence("域名没有AAAA记录", run.start_url, host)]
    return _save(run, "ipv6", OK if has else PROBLEM, {"has_aaaa": has}, evidence,
                 "域名有AAAA记录" if has else "域名没有AAAA记录")


def check_https(run, fetcher):
    if fetcher.in_process is not None and fetcher.in_process.serves(run.start_url):
        return _save(run, "https", NOT_CHECKED, {"serves_https": None}, reason="托管网站在平台内部抓取,未经网络,不能判断")
    parts = urlsplit(run.start_url)
    home = run.pages.filter(depth=0).first()
    if parts.scheme == "https" and home is not None and home.state == "done":
        return _save(run, "https", OK, {"serves_https": True}, reason="网站以HTTPS访问")
    target = f"https://{parts.netloc}/"
    fetched = fetcher.head(target)
    if fetched.reached:
        return _save(run, "https", OK, {"serves_https": True}, reason=f"{target} 可访问")
    if fetched.error in ("tls", "refused", "protocol"):
        return _save(run, "https", PROBLEM, {"serves_https": False},
                     [Evidence("不支持HTTPS访问", target, fetched.error_label)], "网站不支持HTTPS")
    return _save(run, "https", NOT_CHECKED, {"serves_https": None},
                 reason=f"{target}:{fetched.error_label or '无法判断'},不能判断")


def run_checks(run, fetcher, watch=None):
    """The checks after the crawl: site search, IPv6, HTTPS (idempotent: a rerun
    replaces the run's earlier observations)."""
    if not Observation.objects.filter(run=run, code="screening").exists():
        screen_pages(run, {})
    check_search(run, fetcher, watch)
    check_ipv6(run, fetcher)
    check_https(run, fetcher)
