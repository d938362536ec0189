"""Turning HTML from outside (an old site's bodies, a business system's items)
into what Wagtail's rich text holds.

Three steps, each with one job:

1. ``nh3`` (the Ammonia sanitiser) is the security boundary: only an allow-list of
   tags survives, the only attribute kept is a link's ``href``, and only http(s),
   mailto and tel links (or relative ones) are kept. Scripts, styles, frames, event
   handlers and ``javascript:`` links are gone after this step.
2. The clean tree is reshaped into the blocks the editor knows: paragraphs, h2–h4,
   lists, rules; ``strong``/``em`` become ``b``/``i``; a table becomes one paragraph
   per row; loose text between blocks becomes a paragraph; a link to one of the
   item's attachments becomes a link to its Wagtail document.
3. Wagtail's own converter (HTML → Draftail content state → HTML) writes the
   result exactly as the editor would, so a migrated page opens and saves in the
   admin unchanged.

What was dropped is reported as notes in Chinese, kept with the item.
"""

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import nh3
from bs4 import BeautifulSoup, NavigableString, Tag

KEPT_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "b", "strong", "i", "em", "ul", "ol", "li", "a",
    "div", "section", "article", "blockquote", "center", "table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th",
}
# Tags whose content is dropped with them (everything else unknown keeps its text).
DROPPED_WITH_CONTENT = {"script", "style", "noscript", "template", "title", "textarea", "select", "iframe", "object", "head"}
LINK_SCHEMES = {"http", "https", "mailto", "tel"}

BLOCKS = {"p": "p", "h1": "h2", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
INLINE = {"b": "b", "strong": "b", "i": "i", "em": "i"}
LISTS = {"ul", "ol"}
CONTAINERS = {"div", "section", "article", "blockquote", "center", "thead", "tbody", "tfoot", "caption", "[document]"}
_SPACE_RE = re.compile(r"[ \t\r\n\f]+")

# What a note says for each kind of thing removed: (label, unit)
_REMOVED = {
    "script": ("脚本", "处"),
    "style": ("样式表", "处"),
    "frame": ("内嵌框架或插件", "处"),
    "form": ("表单控件", "个"),
    "img": ("图片(富文本只收录平台图库中的图片,请迁移后重新插入)", "张"),
    "event": ("事件属性(如 onclick)", "个"),
    "unsafe_link": ("不安全的链接(如 javascript:)", "个"),
}
_FRAME_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet"}
_FORM_TAGS = {"form", "input", "button", "select", "textarea"}


@dataclass
class CleanBody:
    html: str
    text: str
    notes: list = field(default_factory=list)


def clean_body(raw, *, features=None, documents=None):
    """``raw`` HTML as Wagtail rich text; ``documents`` maps an attachment's file
    name to its Wagtail document id, so links to the file become document links.

    ``features`` are the rich-text features of the field the body goes into (its
    ``RichTextField.features``; None for Wagtail's default set): the caller, which
    knows the page type, passes them, so the sanitiser knows no page model."""
    removed = _count_removed(raw)
    safe = nh3.clean(
        raw,
        tags=KEPT_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes={"a": {"href"}},
        url_schemes=LINK_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    shaper = _Shaper(documents or {})
    shaped = shaper.shape(safe)
    canonical = _as_editor_writes_it(shaped, features) if shaped else ""
    text = html.unescape(re.sub(r"<[^>]+>", "", canonical)).strip()
    notes = [f"正文中已移除{label} {removed[key]} {unit}" for key, (label, unit) in _REMOVED.items() if removed.get(key)]
    if shaper.table_rows:
        notes.append(f"表格已按行转为段落(共 {shaper.table_rows} 行),单元格之间用“|”分隔")
    return CleanBody(html=canonical, text=text, notes=notes)


class _Counter(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.counts = {}

    def _add(self, key):
        self.counts[key] = self.counts.get(key, 0) + 1

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._add("script")
        elif tag == "style":
            self._add("style")
        elif tag in _FRAME_TAGS:
            self._add("frame")
        elif tag in _FORM_TAGS:
            self._add("form")
        elif tag == "img":
            self._add("img")
        for name, value in attrs:
            if name.lower().startswith("on"):
                self._add("event")
            if tag == "a" and name.lower() == "href" and value:
                scheme = urlsplit(value.strip()).scheme.lower()
                if scheme and scheme not in LINK_SCHEMES:
                    self._add("unsafe_link")

    handle_startendtag = handle_starttag


def _count_removed(raw):
    counter = _Counter()
    counter.feed(raw)
    counter.close()
    return counter.counts


class _Shaper:
    """Walks the sanitised tree and writes the blocks Wagtail's editor knows."""

    def __init__(self, documents):
        self.documents = documents
        self.blocks = []
        self.inline = []
        self.table_rows = 0

    def shape(self, safe_html):
        soup = BeautifulSoup(safe_html, "html.parser")
        self._walk_block(soup)
        self._flush()
        return "".join(self.blocks)

    # --- blocks ------------------------------------------------------------------------------

    def _walk_block(self, node):
        for child in node.children:
            if isinstance(child, NavigableString):
                self.inline.append(_text(child))
            elif not isinstance(child, Tag):
                continue
            elif child.name in BLOCKS:
                self._flush()
                self._emit(BLOCKS[child.name], self._inline_of(child))
            elif child.name in LISTS:
                self._flush()
                items = [f"<li>{content}</li>" for content in self._list_items(child) if content.strip()]
                if items:
                    self.blocks.append(f"<{child.name}>{''.join(items)}</{child.name}>")
            elif child.name == "hr":
                self._flush()
                self.blocks.append("<hr/>")
            elif child.name == "table":
                self._flush()
                self._table(child)
            elif child.name in CONTAINERS:
                self._flush()
                self._walk_block(child)
                self._flush()
            elif child.name == "li":  # a stray list item outside a list
                self._flush()
                self._emit("p", self._inline_of(child))
            else:
                self.inline.append(self._inline(child))

    def _flush(self):
        if self.inline:
            self._emit("p", "".join(self.inline))
            self.inline = []

    def _emit(self, tag, content):
        content = _trim(content)
        if content:
            self.blocks.append(f"<{tag}>{content}</{tag}>")

    def _list_items(self, list_tag):
        """Each item's inline content; nested lists follow as items of the same list."""
        for li in list_tag.find_all("li", recursive=False) or [list_tag]:
            nested = [c for c in li.children if isinstance(c, Tag) and c.name in LISTS]
            for sub in nested:
                sub.extract()
            yield _trim(self._inline_of(li))
            for sub in nested:
                yield from self._list_items(sub)

    def _table(self, table):
        for row in table.find_all("tr"):
            cells = [_trim(self._inline_of(cell)) for cell in row.find_all(["td", "th"], recursive=False)]
            cells = [c for c in cells if c]
            if cells:
                self.table_rows += 1
                self.blocks.append(f"<p>{' | '.join(cells)}</p>")

    # --- inline ------------------------------------------------------------------------------

    def _inline_of(self, node):
        return "".join(self._inline(child) for child in node.children)

    def _inline(self, node):
        if isinstance(node, NavigableString):
            return _text(node)
        if not isinstance(node, Tag):
            return ""
        if node.name == "br":
            return "<br/>"
        if node.name in INLINE:
            inner = self._inline_of(node)
            return f"<{INLINE[node.name]}>{inner}</{INLINE[node.name]}>" if inner.strip() else inner
        if node.name == "a":
            return self._link(node)
        inner = self._inline_of(node)
        # A block inside inline content (a paragraph in a list item or a cell) starts a new line.
        if node.name in BLOCKS or node.name in LISTS or node.name in CONTAINERS or node.name in ("li", "table", "tr"):
            return f"<br/>{inner}" if inner.strip() else ""
        return inner

    def _link(self, node):
        inner = self._inline_of(node)
        href = (node.get("href") or "").strip()
        if not href or not inner.strip():
            return inner
        name = unquote(urlsplit(href).path.rsplit("/", 1)[-1])
        if name in self.documents:
            return f'<a linktype="document" id="{self.documents[name]}">{inner}</a>'
        return f'<a href="{html.escape(href, quote=True)}">{inner}</a>'


def _text(node):
    return html.escape(_SPACE_RE.sub(" ", str(node)), quote=False)


def _trim(content):
    """Drop spaces and line breaks at the edges of a block."""
    return re.sub(r"^(?:\s|<br/>)+|(?:\s|<br/>)+$", "", content)


def _as_editor_writes_it(shaped, field_features):
    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
    from wagtail.rich_text import features

    converter = ContentstateConverter(field_features or features.get_default_features())
    return converter.to_database_format(converter.from_database_format(shaped))
