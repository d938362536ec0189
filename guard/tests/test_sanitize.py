"""Old bodies become rich text the editor would have written, with nothing dangerous left."""

import pytest

from guard.sanitize import clean_body


def test_scripts_handlers_and_unsafe_links_are_removed_and_reported():
    body = clean_body(
        '<p onmouseover="steal()">办事<a href="javascript:alert(1)">点此</a>'
        '<a href="JAVA&#x0A;SCRIPT:alert(2)">再点</a><a href="https://www.cq.gov.cn/">门户</a></p>'
        "<script>alert(3)</script><style>p{display:none}</style><iframe src='https://ads.example/'></iframe>"
        '<form action="/x"><input name="q"></form>'
    )
    assert "script" not in body.html.lower() and "onmouseover" not in body.html and "iframe" not in body.html
    assert "<form" not in body.html and "<input" not in body.html and "display:none" not in body.html
    assert '<a href="https://www.cq.gov.cn/">门户</a>' in body.html
    assert "点此" in body.text and "再点" in body.text  # the words stay, the links go
    assert body.notes == [
        "正文中已移除脚本 1 处", "正文中已移除样式表 1 处", "正文中已移除内嵌框架或插件 1 处", "正文中已移除表单控件 2 个",
        "正文中已移除事件属性(如 onclick) 1 个", "正文中已移除不安全的链接(如 javascript:) 2 个",
    ]


def test_structure_is_what_the_editor_offers():
    body = clean_body(
        "<div>开头的文字<h1>大标题</h1><h5>小标题</h5><strong>要点</strong> <em>说明</em></div>"
        "<ul><li>一<p>段内</p><ol><li>嵌套</li></ol></li></ul><hr><blockquote>引文</blockquote>"
    )
    html = body.html
    assert '<p data-block-key="' in html  # written by Wagtail's own converter
    for expected in (">开头的文字</p>", ">大标题</h2>", ">小标题</h4>", "<b>要点</b>", "<i>说明</i>", ">一<br/>段内</li>",
                     ">嵌套</li>", "<hr/>", ">引文</p>"):
        assert expected in html, expected
    assert "<h1" not in html and "<div" not in html and "<blockquote" not in html and "<strong" not in html


def test_a_table_becomes_a_paragraph_per_row():
    body = clean_body("<table><tr><th>事项</th><th>时限</th></tr><tr><td>迁移</td><td><b>5日</b></td></tr></table>")
    assert ">事项 | 时限</p>" in body.html and ">迁移 | <b>5日</b></p>" in body.html
    assert body.notes == ["表格已按行转为段落(共 2 行),单元格之间用“|”分隔"]


def test_text_is_escaped_not_interpreted():
    body = clean_body("<p>&lt;script&gt;alert(1)&lt;/script&gt; 与 a &amp; b</p>")
    assert "&lt;script&gt;" in body.html and "<script" not in body.html
    assert body.text == "<script>alert(1)</script> 与 a & b"


@pytest.mark.django_db
def test_a_link_to_an_attachment_becomes_a_document_link():
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    document = Document(title="表")
    document.file.save("表.pdf", ContentFile(b"%PDF-1.4"), save=True)
    body = clean_body('<p>见<a href="/tzgg/%E8%A1%A8.pdf">附件</a>,或<a href="/other.pdf">别的</a></p>',
                      documents={"表.pdf": document.pk})
    assert f'<a linktype="document" id="{document.pk}">附件</a>' in body.html
    assert '<a href="/other.pdf">别的</a>' in body.html
