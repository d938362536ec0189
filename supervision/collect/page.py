"""What the indicators need to know of one crawled page, read with selectolax.

A page is read as it comes: government sites are old, hand-edited and often
malformed, so nothing here assumes a well-formed document or a template of ours.
Every reading has a fallback and says where it came from:

- the publish date: the ``PubDate`` meta tag, else a date written near 发布时间 /
  发布日期, else the first date in the page's main text; dates in many formats
  (2026-03-05, 2026年3月5日, 2026/03/05, 2026.03.05, 二〇二六年三月五日);
- the column: the ``ColumnName`` meta tag, else the breadcrumb (当前位置), else the
  title's first part;
- a listing page (a column's page of items): at least two list items that each hold
  a link and a date, or the "nothing here yet" wording (暂无信息) that marks a blank
  column; its newest item's date and its item count;
- links with their kind (page, image, attachment) and text;
- the footer's identity items and the 我为政府网站找错 entry;
- the meta tags the national specification names.

Nothing here touches the database or the network: :func:`analyse` takes the text
and its address, so it is cheap to test and to run in a worker thread.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from .fetch import normalise_url

META_NAMES = ("SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnType", "ColumnKeywords",
              "ColumnDescription", "ArticleTitle", "PubDate", "ContentSource", "Keywords", "Author", "Description",
              "Url", "Image")
_META_LOWER = {name.lower(): name for name in META_NAMES}

# The identity items every footer must carry (检查指标: 页脚标识), in Chinese.
FOOTER_ITEMS = {
    "mark": "党政机关网站标识",
    "site_id": "网站标识码",
    "icp": "ICP备案编号",
    "psb": "公安机关备案标识",
    "sponsor": "主办单位",
    "contact": "联系方式",
}
ERROR_ENTRY = "我为政府网站找错"

ATTACHMENT_EXTS = frozenset("pdf doc docx xls xlsx ppt pptx zip rar 7z wps et dps ofd txt csv tif tiff".split())
IMAGE_EXTS = frozenset("jpg jpeg png gif bmp webp svg ico".split())
_SKIPPED_SCHEMES = ("mailto:", "javascript:", "tel:", "data:", "#", "about:", "sms:", "weixin:")

BLANK_MARKERS = re.compile(r"暂无(信息|内容|数据|记录|文章|相关信息)|本栏目(暂无|没有)|没有(任何)?(信息|内容|记录)")
_PUB_LABEL = re.compile(r"(发布|发文|成文|公开|更新)(时间|日期)|日期[::]|时间[::]")

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_DATE_PATTERNS = (
    re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"),
    re.compile(r"(?<![\d.])((?:19|20)\d{2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)"),  # 20260305 (as in /t20260305_123.html)
)
_CN_DATE = re.compile(r"([〇○零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,2})\s*月\s*([一二三四五六七八九十]{1,3})\s*日")


@dataclass
class Link:
    url: str
    kind: str  # page | image | attachment
    text: str = ""


@dataclass
class PageInfo:
    title: str = ""
    fingerprint: str = ""
    pub_date: datetime.date | None = None
    date_source: str = ""  # meta | text | ""
    column: str = ""
    column_type: str = ""
    is_listing: bool = False
    listing_newest: datetime.date | None = None
    listing_items: int | None = None
    newest_date: datetime.date | None = None  # the newest date anywhere in the main text
    links: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    footer: dict = field(default_factory=dict)
    text: str = ""
    search_form: dict | None = None
    is_article: bool = False


# --- Dates ------------------------------------------------------------------------

def _cn_number(text):
    if len(text) == 4:  # a year: one numeral a digit
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS[text[1]]
    if "十" in text:
        tens, _, units = text.partition("十")
        return _CN_DIGITS[tens] * 10 + (_CN_DIGITS[units] if units else 0)
    return _CN_DIGITS.get(text, 0)


def _valid(year, month, day, today):
    try:
        value = datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None
    if value.year < 1990 or value > today + datetime.timedelta(days=1):
        return None  # not a plausible publish date (a phone number, a future typo)
    return value


def find_dates(text, today=None):
    """Every plausible date in ``text``, in reading order."""
    today = today or datetime.date.today()
    found = []
    for number, pattern in enumerate(_DATE_PATTERNS):
        for match in pattern.finditer(text):
            if number == 1:
                year, month, day = match.group(1), match.group(3), match.group(4)
            else:
                year, month, day = match.groups()
            value = _valid(year, month, day, today)
            if value is not None:
                found.append((match.start(), value))
    for match in _CN_DATE.finditer(text):
        try:
            value = _valid(_cn_number(match.group(1)), _cn_number(match.group(2)), _cn_number(match.group(3)), today)
        except KeyError:
            value = None
        if value is not None:
            found.append((match.start(), value))
    found.sort(key=lambda item: item[0])
    return [value for _pos, value in found]


def parse_date(text, today=None):
    """The first date in ``text`` (a meta tag's content), or None."""
    dates = find_dates(text or "", today)
    return dates[0] if dates else None


# --- Helpers --------------------------------------------------------------------------

def _text(node):
    try:
        return " ".join((node.text(deep=True, separator=" ") or "").split())
    except Exception:  # a node selectolax cannot render: no text rather than a crash
        return ""


def _link_kind(url, tag):
    path = urlsplit(url).path.lower()
    ext = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    if tag == "img" or ext in IMAGE_EXTS:
        return "image"
    if ext in ATTACHMENT_EXTS:
        return "attachment"
    return "page"


def _meta(tree):
    meta = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        name = (attrs.get("name") or attrs.get("property") or "").strip()
        key = _META_LOWER.get(name.lower())
        if key and key not in meta:
            meta[key] = " ".join((attrs.get("content") or "").split())[:300]
    return meta


def _footer_node(tree):
    for selector in ("footer", "[id*=foot]", "[class*=foot]", "[id*=bottom]", "[class*=bottom]", "[id*=copyright]",
                     "[class*=copyright]"):
        nodes = tree.css(selector)
        if nodes:
            return nodes[-1]
    return None


_FOOTER_RULES = {
    "site_id": re.compile(r"网站标识码"),
    "icp": re.compile(r"ICP\s*(备|证)|ICP备案", re.I),
    "psb": re.compile(r"公网安备|公安机关备案|公安备案|网安备"),
    "sponsor": re.compile(r"主办单位|主办\s*[::]|主\s*办\s*[::]"),
    "contact": re.compile(r"联系电话|联系方式|联系我们|电话\s*[::]|Tel\s*[::]", re.I),
}


def _footer(tree, text_of_page):
    """The identity items found in the footer. The footer is the page's footer
    element (or what its class or id names so) together with the end of the page's
    text: a footnote that looks like a footer never hides the real one."""
    node = _footer_node(tree)
    text = (_text(node) + " " if node is not None else "") + text_of_page[-3000:]
    images = tree.css("img")
    found = {key: bool(rule.search(text)) for key, rule in _FOOTER_RULES.items()}
    mark = False
    for img in images:
        attrs = img.attributes
        blob = " ".join(str(attrs.get(k) or "") for k in ("alt", "title", "src"))
        if "党政机关" in blob or "dzjg" in blob.lower() or "gov-mark" in blob.lower() or "conac" in blob.lower():
            mark = True
    for a in tree.css("a"):
        if "conac.cn" in (a.attributes.get("href") or ""):
            mark = True
    found["mark"] = mark
    entry = ERROR_ENTRY in text
    if not entry:
        scope = tree
        for img in scope.css("img"):
            if ERROR_ENTRY in str(img.attributes.get("alt") or "") + str(img.attributes.get("title") or ""):
                entry = True
        for a in scope.css("a"):
            href = a.attributes.get("href") or ""
            if "zfwzzc" in href or "pucha.kaipuyun.cn" in href:
                entry = True
    found["error_entry"] = entry
    return found


def _breadcrumb(tree):
    for selector in ("[class*=crumb]", "[id*=crumb]", "[class*=position]", "[id*=position]", "[class*=location]",
                     "[id*=location]", "[class*=weizhi]", "[aria-label=当前位置]"):
        nodes = tree.css(selector)
        if nodes:
            return nodes[0]
    for node in tree.css("div, p, span, td"):
        own = (node.text(deep=False) or "").strip()
        if own.startswith("当前位置") or own.startswith("您现在的位置") or own.startswith("你的位置"):
            return node
    return None


def _column_from_breadcrumb(node, listing):
    if node is None:
        return ""
    names = [_text(a) for a in node.css("a")]
    names = [n for n in names if n and n not in ("首页", "网站首页", "主页")]
    text = _text(node)
    segments = [s.strip() for s in re.split(r"[>>»/|›]+|&gt;", text) if s.strip()]
    segments = [re.sub(r"^(当前位置|您现在的位置|你的位置)\s*[::]?\s*", "", s) for s in segments]
    segments = [s for s in segments if s and s not in ("首页", "网站首页", "主页")]
    if listing and segments:
        return segments[-1][:200]
    if names:
        return names[-1][:200]
    return segments[-1][:200] if segments else ""


def _list_items(tree, today):
    """``(count, newest)`` of the list items that each hold a link and a date."""
    count, newest = 0, None
    for node in tree.css("li, tr, dd"):
        if len(node.css("li, tr")) > 1:  # lexbor's css() includes the node itself
            continue  # an outer container: its inner items are counted
        if node.css_first("a[href]") is None:
            continue
        text = _text(node)
        if len(text) > 400:
            continue
        dates = find_dates(text, today)
        if not dates:
            continue
        count += 1
        newest = max(dates) if newest is None else max(newest, max(dates))
    return count, newest


def _search_form(tree, base):
    for form in tree.css("form"):
        attrs = form.attributes
        action = attrs.get("action") or ""
        blob = (action + " " + str(attrs.get("id") or "") + " " + str(attrs.get("class") or "") + " " +
                str(attrs.get("role") or "")).lower()
        inputs = [i for i in form.css("input") if (i.attributes.get("type") or "text").lower() in ("text", "search")
                  and i.attributes.get("name")]
        if not inputs:
            continue
        if "search" in blob or "sousuo" in blob or "query" in blob or "搜索" in _text(form) or \
                any((i.attributes.get("type") or "") == "search" for i in inputs):
            hidden = {i.attributes.get("name"): i.attributes.get("value") or "" for i in form.css("input")
                      if (i.attributes.get("type") or "").lower() == "hidden" and i.attributes.get("name")}
            target = normalise_url(action, base) if action else base
            if target:
                return {"action": target, "param": inputs[0].attributes.get("name"),
                        "method": (attrs.get("method") or "get").lower(), "hidden": hidden}
    return None


# --- The analysis -----------------------------------------------------------------

def analyse(html, url, *, today=None, is_home=False):
    """Read ``html`` (text) of the page at ``url``; never raises on bad markup."""
    today = today or datetime.date.today()
    info = PageInfo()
    try:
        tree = HTMLParser(html or "")
    except Exception:  # selectolax refuses very little; whatever it refuses is just not read
        return info
    base = url
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        base = normalise_url(base_node.attributes.get("href") or "", url) or url
    title_node = tree.css_first("title")
    info.title = _text(title_node)[:500] if title_node is not None else ""
    info.meta = _meta(tree)
    for node in tree.css("script, style, noscript, template"):
        node.decompose()
    body = tree.body or tree.root
    page_text = _text(body) if body is not None else ""
    info.text = page_text
    main = tree.css_first("main") or tree.css_first("article") or tree.css_first("[class*=content]") or body
    main_text = _text(main) if main is not None else page_text
    info.fingerprint = hashlib.sha256(" ".join(main_text.split()).encode("utf-8")).hexdigest()
    info.footer = _footer(tree, page_text)
    info.search_form = _search_form(tree, base)

    # Links.
    seen = set()
    for node in tree.css("a[href], area[href], img[src], iframe[src]"):
        tag = node.tag
        raw = (node.attributes.get("href") if tag in ("a", "area") else node.attributes.get("src")) or ""
        raw = raw.strip()
        if not raw or raw.lower().startswith(_SKIPPED_SCHEMES):
            continue
        target = normalise_url(raw, base)
        if not target or target in seen:
            continue
        seen.add(target)
        text = _text(node) if tag == "a" else str(node.attributes.get("alt") or node.attributes.get("title") or "")
        if tag == "a" and not text:
            img = node.css_first("img")
            text = str(img.attributes.get("alt") or "") if img is not None else ""
        info.links.append(Link(target, _link_kind(target, tag), " ".join(text.split())[:200]))

    # Dates, listing, column.
    count, newest = _list_items(tree, today)
    blank = bool(BLANK_MARKERS.search(main_text)) and "ArticleTitle" not in info.meta
    # One dated item is a listing too when nothing says the page is an article.
    single = count == 1 and "ArticleTitle" not in info.meta and not _PUB_LABEL.search(main_text)
    info.is_listing = count >= 2 or single or (blank and count == 0)
    if info.is_listing:
        info.listing_items, info.listing_newest = count, newest
    all_dates = find_dates(main_text, today)
    info.newest_date = max(all_dates) if all_dates else None
    meta_date = parse_date(info.meta.get("PubDate", ""), today)
    if meta_date is not None:
        info.pub_date, info.date_source = meta_date, "meta"
    elif not info.is_listing:
        label = _PUB_LABEL.search(main_text)
        near = find_dates(main_text[label.start():label.start() + 80], today) if label else []
        if near:
            info.pub_date, info.date_source = near[0], "text"
        elif all_dates:
            info.pub_date, info.date_source = all_dates[0], "text"
    info.is_article = "ArticleTitle" in info.meta or (not info.is_listing and not is_home and
                                                      info.pub_date is not None)
    info.column_type = info.meta.get("ColumnType", "")
    info.column = info.meta.get("ColumnName", "") or _column_from_breadcrumb(_breadcrumb(tree), info.is_listing)
    if not info.column and info.is_listing and info.title:
        info.column = re.split(r"\s*[-_|–—]\s*", info.title)[0][:200]
    return info
