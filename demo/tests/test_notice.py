"""The page of the 2005 notice: metadata, a summary written for the demo and a
link to the official original; never a developer's note or a file path."""

import re

import pytest
from django.utils import timezone

from demo import notice
from demo.loader import _load_notice
from disclosure.models import GovDocumentPage


@pytest.mark.django_db
@pytest.mark.parametrize("seed", ["missing", "present"])
def test_the_notice_page_shows_metadata_summary_and_the_original(city, client, settings, tmp_path, seed):
    settings.PAGE_CACHE_SECONDS = 0
    if seed == "missing":  # a fresh machine without the shared seed directory
        settings.PLATFORM_SEED_DIR = tmp_path
    _load_notice({("cq-bgt", "政策文件"): city.portal_policy}, {"cq-bgt": city.office}, None, timezone.now())
    page = GovDocumentPage.objects.get(document_number="渝办发〔2005〕209号")
    response = client.get(page.get_url())
    assert response.status_code == 200
    html = response.content.decode()
    text = re.sub(r"<[^>]+>", " ", html)

    for label, value in [("发文机关", "重庆市人民政府办公厅"), ("发文字号", "渝办发〔2005〕209号"),
                         ("成文日期", "2005-09-23"), ("发布日期", "2005-09-23"), ("文件类型", "规范性文件"),
                         ("效力状态", "有效"), ("索引号", page.index_number)]:
        assert re.search(rf"{label}\s*</th>\s*<td[^>]*>(?:\s*<[^>]+>)*\s*{re.escape(value)}", html), (label, value)
    assert page.index_number
    # The summary written for the demo, in listings and on the page.
    assert page.summary == notice.SUMMARY and notice.SUMMARY in text
    for heading, paragraph in notice.BODY_PARAGRAPHS:
        assert heading in text and paragraph in text
    assert "不是文件原文" in text
    # The link to where the issuing authority publishes the original.
    link = re.search(r'<a class="original-link" href="([^"]+)"[^>]*>([^<]+)</a>', html)
    assert link and link.group(1) == notice.ORIGINAL_URL and link.group(1).startswith("https://")
    assert "原文" in link.group(2)
    # Nothing meant for a developer.
    for leak in ("shared/seed", "seed/", ".txt", "本机未找到", "PLATFORM_SEED_DIR", "法搜网", "查看全文"):
        assert leak not in html, leak
