"""Fetch a feed's address, bounded: a connect and a read timeout plus a total
deadline (a server that trickles bytes cannot hold a worker), a body cap read by
chunks, a redirect limit, and ETag revalidation. Every failure is a
:class:`~livedata.feeds.FeedError` with a short Chinese reason.

A feed is registered by a unit's staff, so its address is not trusted to stay
outside: every request, each redirect included, is refused when its host resolves to
a loopback, private, link-local or otherwise non-public address, unless its origin is
listed in LIVEDATA_FEED_PRIVATE_ORIGINS (by default only the platform's own demo
feeds, LIVEDATA_DEMO_FEED_BASE). The limits can be tuned with the settings
LIVEDATA_FEED_TIMEOUT (seconds) and LIVEDATA_FEED_MAX_REDIRECTS.
"""

import datetime
import ipaddress
import socket
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx
from django.conf import settings

from . import FeedError

MB = 1024 * 1024
MAX_STATIC_BYTES = 20 * MB
MAX_REALTIME_BYTES = 5 * MB
USER_AGENT = "CityPlatform-LiveData/1.0"


@dataclass
class Fetched:
    """A fetched body, or ``not_modified`` (HTTP 304: the stored state still holds)."""

    body: bytes = b""
    etag: str = ""
    not_modified: bool = False
    last_modified: datetime.datetime | None = None  # the server's Last-Modified, when it says


def timeout_seconds():
    return settings.LIVEDATA_FEED_TIMEOUT


def fetch(url, *, max_bytes, etag=""):
    """GET ``url`` (sending ``etag`` as If-None-Match) and return a :class:`Fetched`;
    raise :class:`FeedError` on anything but a 2xx body within ``max_bytes`` or a 304."""
    timeout = timeout_seconds()
    deadline = time.monotonic() + 3 * timeout
    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    client = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)), follow_redirects=True,
                          max_redirects=settings.LIVEDATA_FEED_MAX_REDIRECTS, trust_env=False,
                          event_hooks={"request": [refuse_inside_addresses]})
    try:
        with client, client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return Fetched(etag=response.headers.get("etag", etag), not_modified=True)
            if response.status_code >= 400:
                raise FeedError("http", f"数据源返回 HTTP {response.status_code}{_kind_of_status(response.status_code)}。")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FeedError("too_large", f"数据源内容过大(超过 {max_bytes // MB} MB)。")
            body = bytearray()
            for chunk in response.iter_bytes(65536):
                body.extend(chunk)
                if len(body) > max_bytes:
                    raise FeedError("too_large", f"数据源内容过大(超过 {max_bytes // MB} MB)。")
                if time.monotonic() > deadline:
                    raise FeedError("timeout", f"数据源传输太慢,{int(3 * timeout)} 秒内没有传完。")
            return Fetched(body=bytes(body), etag=response.headers.get("etag", ""),
                           last_modified=_moment(response.headers.get("last-modified", "")))
    except httpx.TimeoutException:
        raise FeedError("timeout", f"数据源超时未响应({timeout:g} 秒)。") from None
    except httpx.TooManyRedirects:
        raise FeedError("redirects", "数据源重定向次数过多。") from None
    except httpx.ConnectError as exc:
        raise FeedError("unreachable", f"无法连接数据源({_connect_reason(exc)})。") from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL):
        raise FeedError("invalid_url", "数据源地址无效(应为 http:// 或 https:// 地址)。") from None
    except httpx.HTTPError as exc:
        raise FeedError("unreachable", f"读取数据源失败({type(exc).__name__})。") from None


def _origin(url):
    port = url.port or {"http": 80, "https": 443}.get(url.scheme)
    return f"{url.scheme}://{url.host}:{port}"


def private_allowed(url):
    """Whether ``url``'s origin may be on an inside address (LIVEDATA_FEED_PRIVATE_ORIGINS; "*": any)."""
    allowed = settings.LIVEDATA_FEED_PRIVATE_ORIGINS
    return "*" in allowed or _origin(url) in {_origin(httpx.URL(origin)) for origin in allowed}


def refuse_inside_addresses(request):
    """httpx request hook: no request to the machine itself or the inside network
    (a registered feed must not become a way to probe the platform's own services)."""
    if private_allowed(request.url):
        return
    try:
        infos = socket.getaddrinfo(request.url.host, request.url.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return  # the connection fails on its own, with its own reason
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address.is_global:
            raise FeedError("inside_address", "数据源地址指向本机或内部网络,不予拉取;"
                                              "确需接入内网数据源时,请门户网站管理中心在 LIVEDATA_FEED_PRIVATE_ORIGINS 中登记。")


def _moment(header):
    try:
        moment = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else None


def _kind_of_status(status):
    if status >= 500:
        return ",数据源服务器出错"
    if status in (401, 403):
        return ",数据源拒绝访问"
    if status == 404:
        return ",地址不存在"
    return ""


def _connect_reason(exc):
    text = str(exc).lower()
    if "refused" in text:
        return "连接被拒绝"
    if "name or service not known" in text or "name resolution" in text or "nodename" in text:
        return "域名无法解析"
    if "ssl" in text or "certificate" in text:
        return "安全连接失败"
    return "网络不通"
