"""Reading one page: dates in the formats government sites write them, the column,
listing pages, links and their kinds, footer items and meta tags, bad markup."""

import datetime

from supervision.collect.fetch import decode
from supervision.collect.page import analyse, find_dates
from supervision.tests.corpus import FOOTER_ALL, build_site

TODAY = datetime.date.today()


def test_dates_in_many_formats():
    text = "2025-03-05 发布;2025年3月6日;2025/03/07;2025.03.08;二〇二五年三月九日;电话023-63800000;2025-13-45"
    assert find_dates(text, TODAY) == [datetime.date(2025, 3, d) for d in (5, 6, 7, 8, 9)]


def test_future_and_impossible_dates_are_not_dates():
    tomorrow_plus = TODAY + datetime.timedelta(days=30)
    assert find_dates(f"{tomorrow_plus.isoformat()} 2026-02-30 1899-01-01", TODAY) == []


def test_article_page_of_the_corpus():
    site = build_site("clean")
    path, title, day = site.articles[0]
    info = analyse(site.files[path].body.decode(), "http://127.0.0.1:1" + path, today=TODAY)
    assert info.pub_date == day and info.date_source == "meta"
    assert info.column == "工作动态"
    assert not info.is_listing and info.is_article
    assert info.meta["ArticleTitle"] == title
    assert all(info.footer[item] for item in FOOTER_ALL)


def test_listing_page_newest_item_and_count():
    site = build_site("stale_columns")
    info = analyse(site.files["/tzgg/"].body.decode(), "http://127.0.0.1:1/tzgg/", today=TODAY)
    assert info.is_listing and info.listing_items == 2
    assert info.listing_newest == TODAY - datetime.timedelta(days=200)
    assert info.column == "通知公告"


def test_blank_column_is_a_listing_with_no_items():
    site = build_site("blank_columns")
    info = analyse(site.files["/tjsj/"].body.decode(), "http://127.0.0.1:1/tjsj/", today=TODAY)
    assert info.is_listing and info.listing_items == 0 and info.listing_newest is None


def test_gbk_page_without_meta_tags():
    site = build_site("gbk_old")
    resource = site.files["/gzdt/"]
    text, encoding, note = decode(resource.body, resource.content_type)
    assert encoding == "gb18030" and note == ""
    info = analyse(text, "http://127.0.0.1:1/gzdt/", today=TODAY)
    assert info.meta == {}
    assert info.column == "工作动态"  # from the breadcrumb
    assert info.is_listing and info.listing_newest == TODAY - datetime.timedelta(days=2)
    article = analyse(decode(site.files["/tzgg/1.html"].body, "text/html")[0], "http://127.0.0.1:1/tzgg/1.html",
                      today=TODAY)
    assert article.pub_date == TODAY - datetime.timedelta(days=20) and article.date_source == "text"
    assert article.column == "通知公告"


def test_links_have_kinds_and_text():
    site = build_site("broken_links")
    info = analyse(site.files["/"].body.decode(), "http://127.0.0.1:1/", today=TODAY)
    kinds = {link.url.split(":1", 1)[1]: (link.kind, link.text) for link in info.links
             if link.url.startswith("http://127.0.0.1:1/")}
    assert kinds["/missing-page.html"] == ("page", "失效网页")
    assert kinds["/img/missing.png"] == ("image", "失效图片")
    assert kinds["/files/missing.pdf"] == ("attachment", "失效附件")


def test_missing_footer_items_are_seen():
    site = build_site("missing_footer_meta")
    info = analyse(site.files["/"].body.decode(), "http://127.0.0.1:1/", today=TODAY)
    assert not info.footer["icp"] and not info.footer["psb"] and not info.footer["error_entry"]
    assert info.footer["mark"] and info.footer["sponsor"] and info.footer["site_id"] and info.footer["contact"]
    assert "SiteIDCode" not in info.meta and "SiteName" in info.meta


def test_malformed_html_is_read_without_a_crash():
    html = "<html><head><title>残缺<页面</title><body><div><p>发布时间:2026-13-45 <a href='/ok'>链接<table><tr><td>"
    info = analyse(html, "http://127.0.0.1:1/x", today=TODAY)
    assert info.pub_date is None  # 2026-13-45 is no date: nothing guessed
    assert [link.url for link in info.links] == ["http://127.0.0.1:1/ok"]
    assert analyse("", "http://127.0.0.1:1/", today=TODAY).title == ""
    assert analyse("\x00\x01garbage<<<>>>", "http://127.0.0.1:1/", today=TODAY).links == []


def test_wrong_encoding_declarations_are_seen_through():
    title = "关于做好2026年防汛工作的通知"
    page = f'<html><head><meta charset="gbk"><title>{title}</title></head><body>正文</body></html>'
    text, encoding, note = decode(page.encode("utf-8"), "text/html")  # declared GBK, written in UTF-8
    assert encoding == "utf-8" and "声明编码gbk与内容不符" == note and title in text
    text, encoding, note = decode(page.replace("gbk", "utf-8").encode("gbk"), "text/html; charset=utf-8")
    assert encoding == "gb18030" and note and title in text  # declared UTF-8, written in GBK: detected
    raw = page.encode("utf-8")
    cut = raw[:raw.index("正文".encode()) + 4]  # a body cut at the cap inside a character (正 and 1 byte of 文)
    text, encoding, note = decode(cut, "text/html; charset=utf-8")
    assert (encoding, note) == ("utf-8", "") and text.endswith("<body>正")


def test_a_footnote_does_not_hide_the_real_footer():
    site = build_site("gbk_old")  # its footer is a <div class="bottom">
    html = decode(site.files["/gzdt/1.html"].body, "text/html")[0].replace(
        "</h1>", '</h1><p class="footnote">注:本文数据截至上月底。</p>')
    info = analyse(html, "http://127.0.0.1:1/gzdt/1.html", today=TODAY)
    assert all(info.footer[item] for item in FOOTER_ALL)
