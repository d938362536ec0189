"""A corpus of small government sites served on loopback, each with known defects.

Every site is generated from data (:data:`SITES`: its columns with the age in days
of each item, its defects), and next to it, in ``expect``, what a careful inspector
finds on it: the stale columns with their last update, the blank columns, the broken
links with the page they are on, the missing footer items and meta tags, the serious
wrong statement, the share of failed probes. Another engineer can work out each
site's score by hand from that data alone (检查指标 in the reference), and the tests
check the collectors find exactly that, with the evidence.

Dates are relative to the day the corpus is built (``today``), so the tests never rot.

Each site is served by its own threaded HTTP server on 127.0.0.1 (one port per
site): ``with serve(build_site("clean")) as site: site.url``. The misbehaving
servers of the robustness tests (one that hangs, one that sends garbage, a redirect
loop, an endless page, ...) are here too.

This module is also the bench's generator (bench/supervision_crawl.py builds large
sites with :func:`generated_site`).
"""

import datetime
import itertools
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

# The lexicon entry the wrong-statement site trips (a test creates it through guard's
# services): a serious wrong statement, a leader's title written wrong.
WRONG_STATEMENT = {"term": "国务院总里", "kind": "wrong_name", "reason": "国务院总理的职务名称写错",
                   "correct_form": "国务院总理"}

IDENTITY = {"name": "测试市示范局网站", "domain": "sfj.cs.gov.cn", "site_id": "5000000099",
            "sponsor": "测试市示范局", "icp": "渝ICP备05003300号", "psb": "渝公网安备 50010302000001号",
            "phone": "023-63800000"}
FOOTER_ALL = ("mark", "site_id", "icp", "psb", "sponsor", "contact", "error_entry")


@dataclass
class Resource:
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    body: bytes = b""
    headers: dict = field(default_factory=dict)


@dataclass
class Column:
    slug: str
    name: str
    ages: list  # age in days of each item, newest first; [] = a blank column
    column_type: str = ""  # the ColumnType meta tag (the name's kind when empty)


@dataclass
class Site:
    key: str
    description: str
    files: dict = field(default_factory=dict)  # path -> Resource
    routes: dict = field(default_factory=dict)  # path -> callable(handler) for behaviour
    expect: dict = field(default_factory=dict)
    articles: list = field(default_factory=list)  # (path, title, date)
    fail_every: int = 0  # every n-th request of "/" answers 503 (the flaky server)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


# --- Building pages --------------------------------------------------------------------

def fmt(day, style):
    if style == "cn":
        return f"{day.year}年{day.month}月{day.day}日"
    if style == "slash":
        return f"{day.year}/{day.month:02d}/{day.day:02d}"
    if style == "dot":
        return f"{day.year}.{day.month:02d}.{day.day:02d}"
    return day.isoformat()


def footer_html(items, identity=IDENTITY):
    parts = []
    if "mark" in items:
        parts.append('<a href="http://bszs.conac.cn/sitename?method=show&id=1"><img src="/img/dzjg.png" '
                     'alt="党政机关网站标识"></a>')
    if "sponsor" in items:
        parts.append(f"<span>主办单位:{identity['sponsor']}</span>")
    if "contact" in items:
        parts.append(f"<span>联系电话:{identity['phone']}</span>")
    if "site_id" in items:
        parts.append(f"<span>网站标识码:{identity['site_id']}</span>")
    if "icp" in items:
        parts.append(f"<span>{identity['icp']}</span>")
    if "psb" in items:
        parts.append(f"<span>{identity['psb']}</span>")
    if "error_entry" in items:
        parts.append('<a href="https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo.action?sitecode='
                     f'{identity["site_id"]}">我为政府网站找错</a>')
    return "\n".join(parts)


def html_page(title, body, *, meta=None, footer=FOOTER_ALL, charset="utf-8", old_style=False, search=True):
    meta_tags = "".join(f'<meta name="{k}" content="{v}">\n' for k, v in (meta or {}).items())
    charset_tag = (f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if old_style
                   else f'<meta charset="{charset}">')
    form = ('<form action="/search" method="get" class="search"><input type="text" name="q">'
            '<button>搜索</button></form>') if search else ""
    footer_block = (f'<div class="bottom">{footer_html(footer)}</div>' if old_style
                    else f"<footer>{footer_html(footer)}</footer>")
    return (f"<!DOCTYPE html>\n<html><head>{charset_tag}\n<title>{title}</title>\n{meta_tags}</head>\n"
            f"<body><div class=\"header\">{form}</div>\n{body}\n{footer_block}</body></html>")


def site_meta(spec, **extra):
    meta = {"SiteName": IDENTITY["name"], "SiteDomain": IDENTITY["domain"], "SiteIDCode": IDENTITY["site_id"]}
    meta.update(extra)
    for name in spec.get("meta_missing", ()):
        meta.pop(name, None)
    return {} if spec.get("no_meta") else meta


def _kind_name(column):
    return column.column_type or column.name


def build_site(key, today=None):
    """The site ``key`` of :data:`SITES`, with its files generated for ``today``."""
    today = today or datetime.date.today()
    spec = SITES[key]
    site = Site(key, spec["description"], fail_every=spec.get("fail_every", 0))
    charset = spec.get("charset", "utf-8")
    old = spec.get("old_style", False)
    date_styles = spec.get("date_styles", ("iso",))
    footer = tuple(i for i in FOOTER_ALL if i not in spec.get("footer_missing", ()))
    search = spec.get("search", True)
    extra_home = spec.get("home_extra", "")

    def page(title, body, meta):
        text = html_page(title, body, meta=meta, footer=footer, charset=charset, old_style=old, search=search)
        return Resource(body=text.encode(charset), content_type=spec.get("content_type", f"text/html; charset={charset}"))

    nav = "".join(f'<li><a href="/{c.slug}/">{c.name}</a></li>' for c in spec["columns"])
    latest = []
    for number, column in enumerate(spec["columns"]):
        style = date_styles[number % len(date_styles)]
        items = []
        for index, age in enumerate(column.ages):
            day = today - datetime.timedelta(days=age)
            path = f"/{column.slug}/{index + 1}.html"
            title = f"{column.name}信息第{index + 1}条:{spec['topic']}{column.slug}{index + 1}"
            site.articles.append((path, title, day))
            latest.append((day, path, title, style))
            extra = spec.get("article_extra", {}).get(path, "")
            crumb = f'<div class="crumb">当前位置:<a href="/">首页</a> &gt; <a href="/{column.slug}/">{column.name}</a></div>'
            body = (f"{crumb}<div class=\"content\"><h1>{title}</h1><p>发布时间:{fmt(day, style)}</p>"
                    f"<p>{spec['topic']}工作按计划推进,现将有关情况公布如下。</p>{extra}</div>")
            meta = site_meta(spec, ColumnName=column.name, ColumnType=_kind_name(column), ArticleTitle=title,
                             PubDate=f"{day.isoformat()} 09:00", ContentSource=IDENTITY["sponsor"])
            site.files[path] = page(f"{title} - {IDENTITY['name']}", body, meta)
            items.append(f'<li><a href="{path}">{title}</a><span class="date">{fmt(day, style)}</span></li>')
        crumb = f'<div class="crumb">当前位置:<a href="/">首页</a> &gt; {column.name}</div>'
        listing = f'<ul class="list">{"".join(items)}</ul>' if items else '<div class="list"><p>暂无信息</p></div>'
        meta = site_meta(spec, ColumnName=column.name, ColumnType=_kind_name(column))
        site.files[f"/{column.slug}/"] = page(f"{column.name} - {IDENTITY['name']}",
                                              f"{crumb}<div class=\"content\">{listing}</div>", meta)
    latest.sort(key=lambda item: item[0], reverse=True)
    if "home_ages" in spec:  # a home page showing a fixed block of its own (the stale-home site)
        shown = []
        for age in spec["home_ages"]:
            day = today - datetime.timedelta(days=age)
            shown.append((day, "/zt/", f"专题回顾{age}", "iso"))
    else:
        shown = latest[:6]
    home_items = "".join(f'<li><a href="{path}">{title}</a><span>{fmt(day, style)}</span></li>'
                         for day, path, title, style in shown)
    home_body = (f'<ul class="nav">{nav}</ul><div class="content"><h2>最新信息</h2><ul>{home_items}</ul>'
                 f'<p><img src="/img/banner.png" alt="示范局"></p>{extra_home}</div>')
    site.files["/"] = page(IDENTITY["name"], home_body, site_meta(spec, ColumnName="首页", ColumnType="首页"))
    if "home_ages" in spec:
        site.files["/zt/"] = page(f"专题回顾 - {IDENTITY['name']}", '<div class="content"><p>专题回顾。</p></div>',
                                  site_meta(spec, ColumnName="专题回顾", ColumnType="专题"))
    site.files["/img/banner.png"] = Resource(content_type="image/png", body=b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    site.files["/img/dzjg.png"] = Resource(content_type="image/png", body=b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    site.files["/files/guide.pdf"] = Resource(content_type="application/pdf", body=b"%PDF-1.4\n%%EOF\n")
    for path, status in spec.get("broken", {}).items():
        site.files[path] = Resource(status=status, body=f"<html><body>错误 {status}</body></html>".encode())
    if search:
        site.routes["/search"] = _search_route(site, spec.get("search_finds", True))
    site.expect = dict(spec["expect"])
    site.expect["pages"] = sum(1 for p, r in site.files.items() if r.content_type.startswith("text/html")
                               and r.status == 200)
    return site


def _search_route(site, finds):
    def answer(handler):
        query = parse_qs(urlsplit(handler.path).query).get("q", [""])[0]
        wanted = "".join(query.split())
        rows = [f'<li><a href="{path}">{title}</a></li>' for path, title, _day in site.articles
                if finds and wanted and wanted in "".join(title.split())]
        body = ("<html><head><meta charset=\"utf-8\"><title>搜索结果</title></head><body>"
                f"<p>共{len(rows)}条结果</p><ul>{''.join(rows)}</ul></body></html>").encode()
        return Resource(body=body)
    return answer


def days_ago(days, today=None):
    return (today or datetime.date.today()) - datetime.timedelta(days=days)


# A well-kept site's columns: every kind the indicators ask for (overview, organisation,
# leaders, news, policy documents and their interpretations), each on time.
FRESH = [Column("gzdt", "工作动态", [1, 3, 6]), Column("tzgg", "通知公告", [10, 40]),
         Column("zcwj", "政策文件", [20, 90]), Column("zcjd", "政策解读", [25]), Column("rsxx", "人事信息", [100]),
         Column("gkxx", "概况信息", [300]), Column("jgzn", "机构职能", [200]), Column("ldxx", "领导信息", [150])]

# The sites. ``expect`` is what a careful inspector finds; see the module docstring.
SITES = {
    "clean": {
        "description": "没有问题的网站:栏目按期更新,链接可用,页脚标识和元数据齐全,搜索可用",
        "topic": "营商环境", "columns": FRESH,
        "home_extra": '<p><a href="/files/guide.pdf">办事指南下载</a> '
                      '<a href="http://outside.example.invalid/page">外部链接</a></p>',
        "expect": {"home_days": 1, "stale_columns": [], "blank_columns": [], "broken_home": [], "broken_other": [],
                   "footer_missing": [], "error_entry_missing": False, "meta_lacking": 0, "screening": [],
                   "search_present": True, "search_not_found": 0},
    },
    "stale_home": {
        "description": "首页长期不更新:首页“最新信息”停在30天前(各栏目本身按期更新)",
        "topic": "城市建设", "columns": FRESH, "home_ages": [30, 33],
        "expect": {"home_days": 30, "stale_columns": [], "blank_columns": [], "broken_home": [], "broken_other": [],
                   "footer_missing": [], "error_entry_missing": False, "meta_lacking": 0, "screening": [],
                   "search_present": True, "search_not_found": 0},
    },
    "stale_columns": {
        "description": "动态类栏目20天、通知公告栏目200天未更新",
        "topic": "农业农村",
        "columns": [Column("gzdt", "工作动态", [20, 25]), Column("tzgg", "通知公告", [200, 300]),
                    Column("zcwj", "政策文件", [30]), Column("ztzl", "专题专栏", [1])],
        "expect": {"home_days": 1,
                   "stale_columns": [{"title": "工作动态", "kind": "news", "age": 20, "period_days": 14},
                                     {"title": "通知公告", "kind": "notices", "age": 200, "period_days": 182}],
                   "blank_columns": [], "broken_home": [], "broken_other": [], "footer_missing": [],
                   "error_entry_missing": False, "meta_lacking": 0, "screening": [], "search_present": True,
                   "search_not_found": 0},
    },
    "blank_columns": {
        "description": "六个空白栏目(开设以来没有任何信息)",
        "topic": "统计调查",
        "columns": [Column("gzdt", "工作动态", [1, 2])] + [
            Column(slug, name, []) for slug, name in (("ghjh", "规划计划"), ("rsxx", "人事信息"), ("tjsj", "统计数据"),
                                                      ("czzj", "财政资金"), ("yjgl", "应急管理"), ("jyta", "建议提案"))],
        "expect": {"home_days": 1, "stale_columns": [],
                   "blank_columns": ["规划计划", "人事信息", "统计数据", "财政资金", "应急管理", "建议提案"],
                   "broken_home": [], "broken_other": [], "footer_missing": [], "error_entry_missing": False,
                   "meta_lacking": 0, "screening": [], "search_present": True, "search_not_found": 0},
    },
    "broken_links": {
        "description": "首页和其他页面有不可用链接(网页、图片、附件);首页没有站内搜索",
        "topic": "交通运输", "columns": FRESH, "search": False,
        "home_extra": '<p><a href="/missing-page.html">失效网页</a><img src="/img/missing.png" alt="失效图片">'
                      '<a href="/files/missing.pdf">失效附件</a></p>',
        "article_extra": {"/gzdt/1.html": '<p><a href="/gone.html">已删除页面</a> <a href="/files/gone.doc">附件</a>'
                                          ' <img src="/img/gone.jpg" alt="图"></p>'},
        "broken": {"/gone.html": 404, "/files/gone.doc": 410, "/img/gone.jpg": 500},
        "expect": {"home_days": 1, "stale_columns": [], "blank_columns": [],
                   "broken_home": [{"path": "/missing-page.html", "kind": "page", "status": 404},
                                   {"path": "/img/missing.png", "kind": "image", "status": 404},
                                   {"path": "/files/missing.pdf", "kind": "attachment", "status": 404}],
                   "broken_other": [{"path": "/gone.html", "kind": "page", "status": 404, "on": "/gzdt/1.html"},
                                    {"path": "/files/gone.doc", "kind": "attachment", "status": 410,
                                     "on": "/gzdt/1.html"},
                                    {"path": "/img/gone.jpg", "kind": "image", "status": 500, "on": "/gzdt/1.html"}],
                   "footer_missing": [], "error_entry_missing": False, "meta_lacking": 0, "screening": [],
                   "search_present": False, "search_not_found": 0},
    },
    "missing_footer_meta": {
        "description": "页脚缺少ICP备案编号、公安机关备案标识和“我为政府网站找错”;页面缺少SiteIDCode、ColumnType元数据",
        "topic": "生态环境", "columns": FRESH,
        "footer_missing": ("icp", "psb", "error_entry"), "meta_missing": ("SiteIDCode", "ColumnType"),
        "expect": {"home_days": 1, "stale_columns": [], "blank_columns": [], "broken_home": [], "broken_other": [],
                   "footer_missing": ["ICP备案编号", "公安机关备案标识"], "error_entry_missing": True,
                   "meta_lacking": 10, "meta_missing_names": ["SiteIDCode", "ColumnType"], "screening": [],
                   "search_present": True, "search_not_found": 0},
    },
    "wrong_statement": {
        "description": "一篇文章把“国务院总理”写成“国务院总里”(严重表述错误)",
        "topic": "文化旅游", "columns": FRESH,
        "article_extra": {"/gzdt/2.html": f"<p>会议传达学习了{WRONG_STATEMENT['term']}在座谈会上的讲话精神。</p>"},
        "expect": {"home_days": 1, "stale_columns": [], "blank_columns": [], "broken_home": [], "broken_other": [],
                   "footer_missing": [], "error_entry_missing": False, "meta_lacking": 0,
                   "screening": [{"path": "/gzdt/2.html", "term": WRONG_STATEMENT["term"], "severity": "serious"}],
                   "search_present": True, "search_not_found": 0},
    },
    "flaky": {
        "description": "服务器不稳定:首页每4次访问失败1次(HTTP 503),即25%的监测失败",
        "topic": "卫生健康", "columns": FRESH, "fail_every": 4,
        "expect": {"probe_failure_share": 0.25, "home_days": 1, "stale_columns": [], "blank_columns": [],
                   "screening": []},
    },
    "gbk_old": {
        "description": "老式网站:GBK编码,日期写作2026年3月5日和2026/03/05,没有元数据,栏目只见于“当前位置”",
        "topic": "水利水务", "charset": "gbk", "old_style": True, "no_meta": True,
        "content_type": "text/html", "date_styles": ("cn", "slash"),
        "columns": [Column("gzdt", "工作动态", [2, 5]), Column("tzgg", "通知公告", [20, 200])],
        "expect": {"home_days": 2, "stale_columns": [],
                   "blank_columns": [], "broken_home": [], "broken_other": [], "footer_missing": [],
                   "error_entry_missing": False, "meta_lacking": 7, "screening": [], "search_present": True,
                   "search_not_found": 0, "column_dates": {"工作动态": 2, "通知公告": 20}, "encoding": "gb18030"},
    },
}


# --- Serving -------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    site = None
    protocol_version = "HTTP/1.1"
    extra_headers = {}  # sent with every answer (the bench lets linkchecker go full speed)
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart (delayed ACK)

    def log_message(self, *args):  # quiet
        pass

    def _resource(self):
        site = self.site
        path = unquote(urlsplit(self.path).path)
        if path == "/" and site.fail_every:
            with site.lock:
                site.requests += 1
                failing = site.requests % site.fail_every == 0
            if failing:
                return Resource(status=503, body="<html><body>服务暂不可用</body></html>".encode())
        route = site.routes.get(path)
        if route is not None:
            return route(self)
        return site.files.get(path) or Resource(status=404, body="<html><body>页面不存在</body></html>".encode())

    def _answer(self, with_body):
        resource = self._resource()
        if resource is None:  # the route answered by itself
            return
        self.send_response(resource.status)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(len(resource.body)))
        for name, value in {**self.extra_headers, **resource.headers}.items():
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(resource.body)

    def do_GET(self):  # noqa: N802 - the handler's protocol
        self._answer(True)

    def do_HEAD(self):  # noqa: N802
        self._answer(False)


class Served:
    def __init__(self, site, server):
        self.site, self.server = site, server
        self.url = f"http://127.0.0.1:{server.server_address[1]}/"

    def at(self, path):
        return self.url.rstrip("/") + path


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):  # a client that hung up is no news
            super().handle_error(request, client_address)


def server_for(site, address="127.0.0.1", port=0, extra_headers=None):
    """A threaded server for ``site`` (not started)."""
    handler = type("Handler", (_Handler,), {"site": site, "extra_headers": extra_headers or {}})
    return _Server((address, port), handler)


@contextmanager
def serve(site):
    server = server_for(site)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield Served(site, server)
    finally:
        server.shutdown()
        server.server_close()


# --- Misbehaving servers (robustness) -----------------------------------------------

def misbehaving_site():
    """One site whose pages each misbehave in their own way; paths named for it."""
    site = Site("misbehaving", "每个页面以一种方式出错")

    def endless(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        chunk = ("<p>" + "无尽的页面内容" * 500 + "</p>\n").encode()
        try:
            handler.wfile.write(b"<html><body>")
            while True:
                handler.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError, OSError):
            return None
        return None

    def loop_a(handler):
        return Resource(status=302, headers={"Location": "/loop-b"})

    def loop_b(handler):
        return Resource(status=302, headers={"Location": "/loop-a"})

    site.routes.update({"/endless": endless, "/loop-a": loop_a, "/loop-b": loop_b})
    import os

    site.files["/garbage"] = Resource(body=os.urandom(3000) + b"\x00" * 100)
    site.files["/huge"] = Resource(body=b"<html><body>" + b"<p>big</p>" * 200_000 + b"</body></html>")
    site.files["/malformed"] = Resource(body="<html><head><title>残缺<页面</title><body><div><p>发布时间:2026-13-45 "
                                        "<a href='/ok'>链接<table><tr><td>未闭合<li>条目<<>>&&;<script>var a='</div>"
                                        .encode())
    site.files["/wrong-encoding"] = Resource(
        content_type="text/html; charset=utf-8",
        body="<html><head><title>工作动态</title></head><body><p>发布日期:2026年3月5日</p></body></html>".encode("gbk"))
    site.files["/ok"] = Resource(body="<html><head><title>正常页面</title></head><body>正常</body></html>".encode())
    return site


@contextmanager
def hanging_server():
    """Accepts connections and never answers a byte."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _addr = listener.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        listener.close()


def refused_url():
    """An address on loopback where nothing listens (connection refused)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/"


# --- Large generated sites (the bench) ----------------------------------------------

def generated_site(number, pages, today=None, broken_every=50):
    """A site of about ``pages`` pages: columns of 25 articles, each article linking
    to its neighbour, an image and an attachment; every ``broken_every``-th article
    has one more link, broken (9 a site of 500 pages)."""
    today = today or datetime.date.today()
    site = Site(f"bench{number}", "生成的站点")
    per_column = 25
    columns = max(1, (pages - 1) // (per_column + 1))
    nav = "".join(f'<li><a href="/c{c}/">栏目{c}</a></li>' for c in range(columns))
    footer = footer_html(FOOTER_ALL)
    meta = ('<meta name="SiteName" content="生成站点"><meta name="SiteDomain" content="bench.gov.cn">'
            '<meta name="SiteIDCode" content="5000000000">')
    count = 0
    for c in range(columns):
        items = []
        for i in range(per_column):
            day = today - datetime.timedelta(days=(i * 3 + c) % 400)
            path = f"/c{c}/{i}.html"
            count += 1
            broken = '<a href="/nowhere-%d.html">旧链接</a>' % count if count % broken_every == 0 else ""
            body = (f'<html><head><meta charset="utf-8"><title>文章{c}-{i}</title>{meta}'
                    f'<meta name="ColumnName" content="栏目{c}"><meta name="ColumnType" content="工作动态">'
                    f'<meta name="ArticleTitle" content="文章{c}-{i}"><meta name="PubDate" content="{day}">'
                    f'<meta name="ContentSource" content="生成"></head><body><ul>{nav}</ul>'
                    f'<div class="content"><h1>文章{c}-{i}</h1><p>发布时间:{day}</p><p>{"正文内容。" * 80}</p>'
                    f'<a href="/c{c}/{(i + 1) % per_column}.html">下一篇</a><img src="/img/{c}.png" alt="图">'
                    f'<a href="/files/{c}.pdf">附件</a>{broken}</div><footer>{footer}</footer></body></html>')
            site.files[path] = Resource(body=body.encode())
            items.append(f'<li><a href="{path}">文章{c}-{i}</a><span>{day}</span></li>')
        site.files[f"/c{c}/"] = Resource(body=(
            f'<html><head><meta charset="utf-8"><title>栏目{c}</title>{meta}<meta name="ColumnName" content="栏目{c}">'
            f'<meta name="ColumnType" content="工作动态"></head><body><ul>{nav}</ul><ul class="list">{"".join(items)}'
            f'</ul><footer>{footer}</footer></body></html>').encode())
        site.files[f"/img/{c}.png"] = Resource(content_type="image/png", body=b"\x89PNG\r\n\x1a\n")
        site.files[f"/files/{c}.pdf"] = Resource(content_type="application/pdf", body=b"%PDF-1.4\n")
    site.files["/img/dzjg.png"] = Resource(content_type="image/png", body=b"\x89PNG\r\n\x1a\n")
    site.files["/"] = Resource(body=(f'<html><head><meta charset="utf-8"><title>生成站点{number}</title>{meta}</head>'
                                     f'<body><ul>{nav}</ul><footer>{footer}</footer></body></html>').encode())
    return site


# --- Registering a corpus site (tests and the bench) --------------------------------

_CODES = itertools.count(1)


def _free_code():
    from orgs.models import SiteRecord

    while True:
        code = f"59{next(_CODES):08d}"
        if not SiteRecord.objects.filter(site_id_code=code).exists():
            return code


def register(url, key, unit=None, **watch):
    """An independent site record for the served site at ``url`` and its watch."""
    from hosting.sites import site_register_independent
    from orgs.models import Unit
    from orgs.services import unit_create
    from supervision.services import watch_for

    unit = unit or Unit.objects.filter(code="corpus").first() or unit_create(
        name="测试市示范局", code="corpus", kind="municipal_department")
    record = site_register_independent(
        unit=unit, kind="department", name=f"{IDENTITY['name']}({key})", hostname=f"{key.replace('_', '-')}.cs.gov.cn",
        url=url, site_id_code=_free_code(), icp_number=IDENTITY["icp"],
        psb_number=IDENTITY["psb"], sponsor=IDENTITY["sponsor"], contact_phone=IDENTITY["phone"])
    w = watch_for(record)
    for name, value in watch.items():
        setattr(w, name, value)
    if watch:
        w.save()
    return record
