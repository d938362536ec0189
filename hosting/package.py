"""Reading an independent site's export package and checking every part of it.

A package is a ZIP with ``manifest.json`` and the attachment files under
``attachments/`` (docs/site-migration.md). Problems of the whole package (not a
ZIP, no or broken manifest, unknown column kinds …) refuse it before anything is
stored; problems of one item are kept with that item, so the rest still migrate.
Attachments are read and checked when their item is imported.
"""

import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from orgs.errors import DomainError

FORMAT = "city-site-export"
VERSION = 1
MANIFEST_NAME = "manifest.json"
ATTACHMENT_DIR = "attachments/"
MAX_MANIFEST_BYTES = 50 * 1024 * 1024
MAX_ITEMS = 50_000
MAX_BODY_CHARS = 1_000_000
MAX_OLD_PATH = 255  # wagtail.contrib.redirects keeps old paths in 255 characters
COLUMN_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
EARLIEST_DATE = datetime(1990, 1, 1)


class PackageInvalid(DomainError):
    """The package as a whole cannot be used; ``problems`` lists every reason."""

    code = "bad_package"

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("导出包不能使用:" + ";".join(self.problems))


@dataclass
class ColumnSpec:
    key: str
    title: str
    kind: str
    parent: str = ""
    intro: str = ""


@dataclass
class ItemSpec:
    position: int  # 1-based, as people count
    title: str = ""
    column: str = ""
    url: str = ""
    url_key: str = ""  # host and normalised path: one old address, however it was written
    old_path: str = ""  # normalised path (and query) as redirects store it
    published: datetime | None = None
    source: str = ""
    summary: str = ""
    body: str = ""
    attachments: list = field(default_factory=list)
    problems: list = field(default_factory=list)


@dataclass
class Package:
    site_name: str
    site_url: str
    columns: list
    items: list


def old_site_hosts(*urls_or_hosts):
    """Host names an old address may use: the given ones, with and without ``www.``."""
    hosts = set()
    for value in urls_or_hosts:
        if not value:
            continue
        host = (urlsplit(value).hostname if "://" in value else value).lower()
        hosts.add(host)
        hosts.add(host[4:] if host.startswith("www.") else "www." + host)
    return hosts


def open_archive(path):
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise PackageInvalid(["文件不是有效的 ZIP 压缩包(可能已损坏,或不是 .zip 文件)"]) from exc


def read_package(path, *, allowed_hosts, known_kinds):
    """Open and check the package at ``path``; raise :class:`PackageInvalid` with
    every problem of the whole package, keep each item's problems with the item."""
    with open_archive(path) as archive:
        _check_members(archive)
        data = _read_manifest(archive)
        members = set(archive.namelist())
    problems = []
    if not isinstance(data, dict):
        raise PackageInvalid(["manifest.json 的最外层应为 JSON 对象"])
    if data.get("format") != FORMAT:
        problems.append(f"manifest.json 的 format 应为 {FORMAT}(不是本平台的网站导出格式)")
    if data.get("version") != VERSION:
        problems.append(f"不支持的导出格式版本 {data.get('version')!r},应为 {VERSION}")
    site_name, site_url = _check_site(data.get("site"), allowed_hosts, problems)
    columns = _check_columns(data.get("columns"), known_kinds, problems)
    raw_items = data.get("items")
    if not isinstance(raw_items, list):
        problems.append("manifest.json 缺少 items 列表")
        raw_items = []
    elif len(raw_items) > MAX_ITEMS:
        problems.append(f"条目过多:{len(raw_items)} 条,一个导出包最多 {MAX_ITEMS} 条,请分批导出")
    if problems:
        raise PackageInvalid(problems)
    column_keys = {c.key for c in columns}
    items, seen = [], {}
    for position, raw in enumerate(raw_items, start=1):
        item = _check_item(position, raw, column_keys, allowed_hosts, members)
        if item.url_key:
            if item.url_key in seen:
                item.problems.append(f"原网址与第 {seen[item.url_key]} 条重复")
            else:
                seen[item.url_key] = position
        items.append(item)
    return Package(site_name=site_name, site_url=site_url, columns=columns, items=items)


def _check_members(archive):
    problems = []
    unsafe = []
    for info in archive.infolist():
        name = info.filename
        if info.flag_bits & 0x1:
            problems.append(f"压缩包中的文件「{name}」设了密码,请导出不加密的压缩包")
        parts = name.replace("\\", "/").split("/")
        if name.startswith("/") or "\\" in name or ".." in parts or re.match(r"^[A-Za-z]:", name):
            unsafe.append(name)
    if unsafe:
        problems.append("压缩包中有不安全的文件名(绝对路径或 ..):" + "、".join(unsafe[:5]))
    if problems:
        raise PackageInvalid(problems)


def _read_manifest(archive):
    try:
        info = archive.getinfo(MANIFEST_NAME)
    except KeyError:
        raise PackageInvalid([f"压缩包的根目录中没有 {MANIFEST_NAME}"]) from None
    if info.file_size > MAX_MANIFEST_BYTES:
        raise PackageInvalid([f"{MANIFEST_NAME} 过大(超过 {MAX_MANIFEST_BYTES // (1024 * 1024)} MB)"])
    try:
        with archive.open(info) as stream:
            raw = stream.read(MAX_MANIFEST_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise PackageInvalid([f"{MANIFEST_NAME} 无法解压(压缩包已损坏或使用了不支持的压缩方式)"]) from exc
    if len(raw) > MAX_MANIFEST_BYTES:
        raise PackageInvalid([f"{MANIFEST_NAME} 过大(超过 {MAX_MANIFEST_BYTES // (1024 * 1024)} MB)"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PackageInvalid([f"{MANIFEST_NAME} 须为 UTF-8 编码"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PackageInvalid([f"{MANIFEST_NAME} 不是有效的 JSON:第 {exc.lineno} 行第 {exc.colno} 列,{_json_reason(exc)}"]) from None


def _json_reason(exc):
    reasons = {
        "Expecting value": "此处缺少值",
        "Expecting ',' delimiter": "缺少逗号",
        "Expecting ':' delimiter": "缺少冒号",
        "Expecting property name enclosed in double quotes": "键名须用双引号",
        "Unterminated string starting at": "字符串没有结束引号",
        "Extra data": "JSON 结束后还有多余内容",
        "Invalid control character at": "字符串中有控制字符",
    }
    return reasons.get(exc.msg, exc.msg)


def _text(value):
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else None


def _check_site(site, allowed_hosts, problems):
    if not isinstance(site, dict):
        problems.append("manifest.json 缺少 site(网站名称和地址)")
        return "", ""
    name, url = _text(site.get("name")), _text(site.get("url"))
    if not name:
        problems.append("site.name(网站名称)不能为空")
    if not url:
        problems.append("site.url(原网站地址)不能为空")
    else:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(f"site.url 不是有效的网址:{url}")
        elif parts.hostname.lower() not in allowed_hosts:
            problems.append(f"导出包属于网站 {parts.hostname},不是要迁移的网站({'、'.join(sorted(allowed_hosts))})")
    return name or "", url or ""


def _check_columns(raw_columns, known_kinds, problems):
    if not isinstance(raw_columns, list) or not raw_columns:
        problems.append("manifest.json 缺少 columns(栏目)列表,或列表为空")
        return []
    columns, keys, unknown = [], set(), []
    for number, raw in enumerate(raw_columns, start=1):
        where = f"第 {number} 个栏目"
        if not isinstance(raw, dict):
            problems.append(f"{where}不是 JSON 对象")
            continue
        key, title, kind = _text(raw.get("key")), _text(raw.get("title")), _text(raw.get("kind"))
        parent, intro = _text(raw.get("parent")) or "", _text(raw.get("intro")) or ""
        if title:
            where += f"「{title}」"
        if not key or not COLUMN_KEY_RE.match(key):
            problems.append(f"{where}的 key 须为小写字母、数字、连字符或下划线(1–50位),原网站的栏目目录名即可")
        elif key in keys:
            problems.append(f"{where}的 key「{key}」重复")
        if not title:
            problems.append(f"{where}缺少 title(栏目名称)")
        elif len(title) > 255:
            problems.append(f"{where}的名称过长(最多255个字)")
        if len(intro) > 300:
            problems.append(f"{where}的 intro 过长(最多300个字)")
        if not kind:
            problems.append(f"{where}缺少 kind(栏目类型代码)")
        elif kind not in known_kinds:
            unknown.append(f"{where}的类型代码「{kind}」")
        if parent and parent not in keys:
            problems.append(f"{where}的上级栏目「{parent}」须在它之前列出")
        if key:
            keys.add(key)
        columns.append(ColumnSpec(key=key or "", title=title or "", kind=kind or "", parent=parent, intro=intro))
    if unknown:
        known = "、".join(sorted(known_kinds))
        problems.append("栏目类型代码未在平台登记:" + ",".join(unknown) + f"。已登记的代码:{known}")
    return columns


def _check_item(position, raw, column_keys, allowed_hosts, members):
    item = ItemSpec(position=position)
    if not isinstance(raw, dict):
        item.problems.append("条目不是 JSON 对象")
        return item
    problems = item.problems
    item.title = _text(raw.get("title")) or ""
    if not item.title:
        problems.append("缺少标题(title)")
    elif len(item.title) > 255:
        problems.append("标题过长(最多255个字)")
    item.column = _text(raw.get("column")) or ""
    if item.column not in column_keys:
        problems.append(f"栏目「{item.column}」不在 columns 列表中" if item.column else "缺少所属栏目(column)")
    _check_url(item, raw.get("url"), allowed_hosts)
    item.published = _parse_published(raw.get("published"), problems)
    for name, label, limit in (("source", "信息来源", 100), ("summary", "摘要", 300)):
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            problems.append(f"{label}({name})应为文字")
            continue
        value = _text(value) or ""
        if len(value) > limit:
            problems.append(f"{label}过长:{len(value)} 个字,最多 {limit} 个字")
        setattr(item, name, value)
    body = raw.get("body")
    if not isinstance(body, str) or not body.strip():
        problems.append("缺少正文(body)")
    elif len(body) > MAX_BODY_CHARS:
        problems.append(f"正文过长(超过 {MAX_BODY_CHARS} 个字符)")
    else:
        item.body = body
    item.attachments = _check_attachment_names(raw.get("attachments", []), members, problems)
    return item


def _check_url(item, value, allowed_hosts):
    url = _text(value)
    if not url:
        item.problems.append("缺少原网址(url)")
        return
    item.url = url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        item.problems.append(f"原网址不是有效的 http(s) 网址:{url[:200]}")
        return
    host = parts.hostname.lower()
    if host not in allowed_hosts:
        item.problems.append(f"原网址不属于原网站({host})")
        return
    from wagtail.contrib.redirects.models import Redirect

    path = parts.path + (f"?{parts.query}" if parts.query else "")
    old_path = Redirect.normalise_path(path)
    if old_path == "/" or old_path.startswith("/?"):
        item.problems.append("原网址指向网站首页,不是一篇内容")
        return
    if len(old_path) > MAX_OLD_PATH:
        item.problems.append(f"原网址过长(路径超过 {MAX_OLD_PATH} 个字符,无法设置跳转)")
        return
    item.old_path = old_path
    item.url_key = _url_key(host) + old_path


def _url_key(host):
    return host[4:] if host.startswith("www.") else host


def _parse_published(value, problems):
    text = _text(value)
    if not text:
        problems.append("缺少发布日期(published)")
        return None
    moment = parse_datetime(text.replace(" ", "T", 1)) if len(text) > 10 else None
    if moment is None:
        day = parse_date(text) if len(text) == 10 else None
        if day is None:
            problems.append(f"发布日期「{text[:40]}」格式不对,应为 2025-03-01、2025-03-01 09:30 或带时区的 ISO 8601")
            return None
        moment = datetime.combine(day, time(0, 0))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now() + timedelta(days=1):
        problems.append(f"发布日期 {timezone.localtime(moment):%Y-%m-%d} 晚于今天")
    elif moment < timezone.make_aware(EARLIEST_DATE):
        problems.append(f"发布日期 {moment:%Y-%m-%d} 早于1990年,请核对")
    return moment


def _check_attachment_names(value, members, problems):
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append("附件(attachments)应为文件名列表")
        return []
    names = []
    for raw in value:
        name = unicodedata.normalize("NFC", raw)
        if name in names:
            problems.append(f"附件「{name}」重复列出")
            continue
        if ATTACHMENT_DIR + name not in members and ATTACHMENT_DIR + raw not in members:
            problems.append(f"附件「{name}」不在压缩包的 {ATTACHMENT_DIR} 目录中")
            continue
        names.append(name)
    return names


def attachment_member(archive, name):
    """The archive member of attachment ``name`` (names may be stored NFC or NFD)."""
    for candidate in (ATTACHMENT_DIR + name, ATTACHMENT_DIR + unicodedata.normalize("NFD", name)):
        try:
            return archive.getinfo(candidate)
        except KeyError:
            continue
    return None
