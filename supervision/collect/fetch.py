"""One bounded fetcher for every collector: probes, the crawl, link checks, the
search test.

Government sites are often old and fragile, and some are hostile by accident: a
page that never ends, a server that accepts and never answers, redirects in a
loop, GBK pages declared as UTF-8. Every request here is bounded (a timeout per
request and a total deadline, a body cap, a redirect limit with loop detection, a
per-host concurrency bound shared by the whole process), and every failure comes
back as a :class:`Fetched` that says what happened, never as an exception: a
collector records what it saw and never guesses.

Hosted sites can be fetched without any network: when ``SUPERVISION_HOSTED_ORIGIN``
is empty, an address of the platform is rendered in-process through the
application (delivery's public ``render_address``), so the demo city can be crawled
on a machine with no network at all.
"""

import codecs
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import httpx
from charset_normalizer import from_bytes
from django.conf import settings

REDIRECT_CODES = (301, 302, 303, 307, 308)

# Error codes a Fetched may carry, with what they mean in Chinese (shown as evidence).
ERRORS = {
    "timeout": "超时未响应",
    "connect": "无法连接",
    "refused": "连接被拒绝",
    "dns": "域名无法解析",
    "network": "本机网络无法访问该地址",
    "tls": "安全连接(TLS)失败",
    "protocol": "响应不符合HTTP协议",
    "redirect_loop": "循环重定向",
    "too_many_redirects": "重定向次数过多",
    "invalid_url": "地址无效",
    "scheme": "不支持的地址类型",
}
# Failures that say nothing about the site: the machine itself cannot tell.
NETWORK_CANNOT_TELL = frozenset({"dns", "network"})

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Old Chinese sites declare gb2312/gbk and then use characters beyond them: GB18030
# is their superset and decodes whatever they meant.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030",
              "euc-cn": "gb18030", "big5": "big5hkscs", "iso-8859-1": "cp1252", "ascii": "utf-8",
              "us-ascii": "utf-8"}


@dataclass
class Fetched:
    """What one request (with its redirects) gave."""

    url: str
    final_url: str = ""
    status: int | None = None
    content_type: str = ""
    body: bytes = b""
    truncated: bool = False  # the body was longer than the cap: only its start was read
    error: str = ""  # a key of ERRORS, or ""
    detail: str = ""  # the underlying message, for the record
    elapsed_ms: int = 0
    redirects: list = field(default_factory=list)
    declared_encoding: str = ""

    @property
    def reached(self):
        return self.status is not None

    @property
    def ok(self):
        return self.status is not None and not self.error and 200 <= self.status < 400

    @property
    def is_html(self):
        ctype = self.content_type.split(";")[0].strip().lower()
        return ctype in ("text/html", "application/xhtml+xml", "") and self.status is not None

    @property
    def error_label(self):
        if self.error:
            return ERRORS.get(self.error, self.error)
        if self.status is not None and self.status >= 400:
            return f"HTTP {self.status}"
        return ""

    @property
    def network_cannot_tell(self):
        return self.error in NETWORK_CANNOT_TELL

    def describe(self):
        """One line in Chinese: the status or what went wrong."""
        parts = []
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.error:
            parts.append(ERRORS.get(self.error, self.error))
        if self.truncated:
            parts.append(f"内容超过{settings.SUPERVISION_MAX_BODY}字节,只读取了开头")
        return ",".join(parts) or "未访问"


# --- Decoding -------------------------------------------------------------------------

def _codec(label):
    if not label:
        return ""
    label = label.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return ""


def declared_encoding(content_type, body):
    """The encoding the response declares: its header first, then a meta charset."""
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type or "", re.I)
    if match:
        return match.group(1)
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "replace") if match else ""


def looks_binary(body):
    """Bytes no text page is made of: NULs or mostly control characters."""
    sample = body[:4096]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls / len(sample) > 0.05


def _strict(body, codec):
    """``body`` decoded by ``codec``, refusing invalid bytes but not an incomplete
    character at the very end (a body cut at the cap)."""
    return codecs.getincrementaldecoder(codec)().decode(body, final=False)


def decode(body, content_type=""):
    """``(text, encoding, note)``: the body as text. Valid UTF-8 with non-ASCII text
    is UTF-8 whatever the page declares (GBK text is almost never valid UTF-8, while
    UTF-8 read as GBK gives readable-looking nonsense); otherwise the declared
    encoding when the bytes are valid in it; otherwise the detected one. ``note``
    says when the declaration was wrong (recorded, never a crash)."""
    declared = declared_encoding(content_type, body)
    codec = _codec(declared)
    if body.isascii():
        return body.decode("ascii"), codec or "utf-8", ""
    try:
        text = _strict(body, "utf-8")
        wrong = codec not in ("", "utf-8")
        return text, "utf-8", (f"声明编码{declared}与内容不符" if wrong else "")
    except UnicodeDecodeError:
        pass
    if codec and codec != "utf-8":
        try:
            return _strict(body, codec), codec, ""
        except UnicodeDecodeError:
            pass
    best = from_bytes(body[:200_000]).best()
    guessed = _codec(best.encoding) if best is not None else ""
    note = f"声明编码{declared}与内容不符" if declared else ""
    if guessed:
        return body.decode(guessed, errors="replace"), guessed, note
    return body.decode(codec or "utf-8", errors="replace"), codec or "utf-8", "编码无法识别"


# --- Per-host concurrency -------------------------------------------------------------

_slots_lock = threading.Lock()
_slots = {}


def host_slot(host, limit):
    """A semaphore shared by every fetch of ``host`` in this process: however many
    crawls and checks run, a site never sees more than ``limit`` connections."""
    with _slots_lock:
        slot = _slots.get(host)
        if slot is None or slot[1] != limit:
            slot = (threading.BoundedSemaphore(max(1, limit)), max(1, limit))
            _slots[host] = slot
        return slot[0]


def host_of(url):
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def normalise_url(url, base=""):
    """An absolute address without its fragment, or "" when it cannot be one."""
    try:
        joined = urljoin(base, (url or "").strip()) if base else (url or "").strip()
        joined = urldefrag(joined)[0]
        parts = urlsplit(joined)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return ""
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return ""
    return joined


# --- In-process fetching of hosted sites ----------------------------------------------

def platform_netloc():
    return urlsplit(settings.PLATFORM_BASE_URL).netloc.lower()


class InProcess:
    """Render addresses of the platform through the application itself. Rendering
    is one at a time (the application's handler and the database connection are
    the calling thread's)."""

    def __init__(self, netlocs):
        self.netlocs = {n.lower(): h for n, h in netlocs.items()}  # netloc -> site host name
        self.lock = threading.Lock()

    def serves(self, url):
        try:
            return urlsplit(url).netloc.lower() in self.netlocs
        except ValueError:
            return False

    def get(self, url):
        from delivery.services import render_address

        parts = urlsplit(url)
        path = unquote(parts.path or "/")  # a WSGI path is decoded; the query string is not
        if parts.query:
            path += "?" + parts.query
        with self.lock:
            status, content, content_type, location = render_address(path, self.netlocs[parts.netloc.lower()])
        return status, content, content_type, location


# --- The fetcher ----------------------------------------------------------------------

class Fetcher:
    """A bounded HTTP client. Thread-safe; one per collector run."""

    def __init__(self, *, timeout=None, max_body=None, max_redirects=None, per_host=2, in_process=None,
                 user_agent=None):
        self.timeout = float(timeout if timeout is not None else settings.SUPERVISION_FETCH_TIMEOUT)
        self.max_body = int(max_body if max_body is not None else settings.SUPERVISION_MAX_BODY)
        self.max_redirects = int(max_redirects if max_redirects is not None else settings.SUPERVISION_MAX_REDIRECTS)
        self.per_host = per_host
        self.in_process = in_process
        self.client = httpx.Client(
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
            follow_redirects=False, verify=True, trust_env=False,
            headers={"User-Agent": user_agent or settings.SUPERVISION_USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )

    def close(self):
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def get(self, url, *, max_body=None):
        return self.fetch(url, method="GET", max_body=max_body)

    def head(self, url):
        return self.fetch(url, method="HEAD")

    def fetch(self, url, *, method="GET", max_body=None):
        """Request ``url``, following redirects by hand; never raises."""
        started = time.monotonic()
        deadline = started + self.timeout * 2
        limit = self.max_body if max_body is None else max_body
        result = Fetched(url=url, final_url=url)
        seen = {url}
        current = url
        while True:
            if not normalise_url(current):
                result.error = "scheme" if re.match(r"^[a-z][a-z0-9+.-]*:", current, re.I) and \
                    not re.match(r"^https?:", current, re.I) else "invalid_url"
                break
            status, content_type, body, truncated, location, error, detail = self._one(current, method, limit, deadline)
            result.final_url, result.status, result.content_type = current, status, content_type
            result.body, result.truncated, result.error, result.detail = body, truncated, error, detail
            if error or status not in REDIRECT_CODES or not location:
                break
            target = normalise_url(location, current)
            if not target:
                result.error, result.detail = "invalid_url", f"重定向到无效地址 {location[:200]}"
                break
            result.redirects.append(target)
            if target in seen:
                result.error = "redirect_loop"
                break
            if len(result.redirects) > self.max_redirects:
                result.error = "too_many_redirects"
                break
            seen.add(target)
            current = target
            if method == "GET" and status == 303:
                method = "GET"
        result.elapsed_ms = int((time.monotonic() - started) * 1000)
        result.declared_encoding = declared_encoding(result.content_type, result.body) if result.body else ""
        return result

    def _one(self, url, method, limit, deadline):
        """``(status, content_type, body, truncated, location, error, detail)``."""
        if self.in_process is not None and self.in_process.serves(url):
            try:
                status, content, content_type, location = self.in_process.get(url)
            except Exception as exc:  # the application failed to answer: a 500 as a reader would see
                return 500, "", b"", False, "", "", f"{type(exc).__name__}: {exc}"[:300]
            body = b"" if method == "HEAD" else content[:limit]
            return status, content_type, body, len(content) > limit, location, "", ""
        host = host_of(url)
        with host_slot(host, self.per_host):
            try:
                with self.client.stream(method, url) as response:
                    status = response.status_code
                    content_type = response.headers.get("content-type", "")
                    location = response.headers.get("location", "")
                    body, truncated, error = bytearray(), False, ""
                    if method != "HEAD" and status not in REDIRECT_CODES:
                        for chunk in response.iter_bytes(65536):
                            body.extend(chunk)
                            if len(body) > limit:
                                del body[limit:]
                                truncated = True
                                break
                            if time.monotonic() > deadline:
                                error = "timeout"
                                break
                    return status, content_type, bytes(body), truncated, location, error, ""
            except httpx.TimeoutException as exc:
                return None, "", b"", False, "", "timeout", str(exc)[:300]
            except httpx.ConnectError as exc:
                return None, "", b"", False, "", _connect_error(exc), str(exc)[:300]
            except (httpx.RemoteProtocolError, httpx.LocalProtocolError, httpx.DecodingError) as exc:
                return None, "", b"", False, "", "protocol", str(exc)[:300]
            except httpx.UnsupportedProtocol as exc:
                return None, "", b"", False, "", "scheme", str(exc)[:300]
            except (httpx.HTTPError, httpx.InvalidURL, ValueError, OSError) as exc:
                return None, "", b"", False, "", "connect", f"{type(exc).__name__}: {exc}"[:300]


def _connect_error(exc):
    """Tell the site's failure (refused, TLS) from the machine's (no DNS, no route)."""
    cause = exc.__context__ or exc.__cause__
    while cause is not None and not isinstance(cause, OSError) and (cause.__context__ or cause.__cause__):
        cause = cause.__context__ or cause.__cause__
    text = str(exc).lower()
    if isinstance(cause, socket.gaierror) or "name or service not known" in text or \
            "temporary failure in name resolution" in text or "nodename nor servname" in text or \
            "no address associated" in text:
        return "dns"
    if "network is unreachable" in text or "no route to host" in text:
        return "network"
    if "refused" in text:
        return "refused"
    if "ssl" in text or "certificate" in text or "tls" in text or "wrong version number" in text:
        return "tls"
    return "connect"


def in_process_for(records):
    """The in-process renderer for hosted sites when no origin is configured:
    ``None`` when the collectors should go over HTTP."""
    if settings.SUPERVISION_HOSTED_ORIGIN:
        return None
    netlocs = {}
    for record in records:
        if record.site_id is None:
            continue
        if settings.PLATFORM_PATH_SITES:
            netlocs.setdefault(platform_netloc(), record.hostname)
        else:
            netlocs[record.hostname.lower()] = record.hostname
    return InProcess(netlocs) if netlocs else None


def start_url_of(record, watch=None):
    """Where a site's watching starts: the watch's own address, else the site's."""
    if watch is not None and watch.start_url:
        return watch.start_url
    if record.site_id is None or record.hosting == "independent":
        return record.url
    public = record.public_url
    if settings.SUPERVISION_HOSTED_ORIGIN:
        origin = settings.SUPERVISION_HOSTED_ORIGIN.rstrip("/") + "/"
        return urljoin(origin, urlsplit(public).path.lstrip("/")) if settings.PLATFORM_PATH_SITES else \
            urljoin(origin, "/")
    if settings.PLATFORM_PATH_SITES:
        return urljoin(settings.PLATFORM_BASE_URL.rstrip("/") + "/", public)
    return f"http://{record.hostname}/"


def fetcher_for(record, watch=None, **kwargs):
    """A fetcher suited to ``record``: in-process for a hosted site when no origin is set."""
    in_process = in_process_for([record]) if record.site_id is not None and record.hosting != "independent" \
        else None
    per_host = watch.concurrency if watch is not None else 2
    return Fetcher(in_process=in_process, per_host=per_host, **kwargs)
