"""Shortest click paths a reader takes through the public pages, found by following
the links each page actually shows (a test client, no shortcuts)."""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

HREF = re.compile(r'<a\s[^>]*href="([^"]+)"')
MAILBOX = {"index": "/mailbox/", "published": "/mailbox/letters/", "stats": "/mailbox/stats/"}


def _links(html):
    for href in HREF.findall(html):
        href = urldefrag(href.replace("&amp;", "&"))[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not href.startswith("/"):
            continue  # other hosts, mailto: and the like
        yield href


def _same_site(start, href):
    """A reader who stays on the site (and the shared mailbox): the portal is at "/",
    the other sites under "/s/<site>/"."""
    if href.startswith("/mailbox/"):
        return True
    if start == "/":
        return not href.startswith("/s/")
    return href.startswith(start)


def clicks_to(client, start, targets, max_clicks=3):
    """{target path: fewest clicks from ``start``} for each of ``targets`` reached
    within ``max_clicks``, following only links of the same site; breadth first, so
    the count is the shortest path."""
    found = {}
    seen = {start}
    queue = deque([(start, 0)])
    while queue and len(found) < len(targets):
        url, depth = queue.popleft()
        if depth >= max_clicks:
            continue
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in _links(response.content.decode()):
            path = urlsplit(href).path
            if path in targets and path not in found and not urlsplit(href).query:
                found[path] = depth + 1
            if href not in seen and _same_site(start, href):
                seen.add(href)
                queue.append((href, depth + 1))
    return found
