"""The index follows publication: pages published, unpublished, restricted, moved,
deleted; letters published with their masked text only; the rebuild."""

import re

import pytest
from django.core.management import call_command

from search.models import Entry
from search.queries import search


def _titles(q, **kwargs):
    return [h.entry.title for h in search(q=q, suggest=False, **kwargs).hits]


@pytest.mark.django_db
def test_a_page_is_found_once_published_and_not_after_unpublishing(city, article_factory, eager_tasks,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = article_factory(title="东区启用智慧社区服务平台", body="<p>平台提供物业报修和社区通知。</p>", publish=False)
    assert _titles("智慧社区") == []
    with django_capture_on_commit_callbacks(execute=True):
        draft.get_latest_revision().publish()
    assert _titles("智慧社区") == ["东区启用智慧社区服务平台"]
    assert _titles("物业报修") == ["东区启用智慧社区服务平台"]
    with django_capture_on_commit_callbacks(execute=True):
        draft.refresh_from_db()
        draft.unpublish()
    assert _titles("智慧社区") == []
    assert not Entry.objects.filter(key=f"page:{draft.pk}").exists()


@pytest.mark.django_db
def test_restricted_pages_and_pages_under_an_unpublished_column_are_not_found(city, article_factory, eager_tasks,
                                                                             django_capture_on_commit_callbacks):
    from wagtail.models import PageViewRestriction

    with django_capture_on_commit_callbacks(execute=True):
        page = article_factory(title="内部通报不得公开的会议纪要", body="<p>仅供内部传阅。</p>")
    assert _titles("会议纪要") == ["内部通报不得公开的会议纪要"]
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=page, restriction_type="password", password="secret-2026")
    assert _titles("会议纪要") == []
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.filter(page=page).delete()
    assert _titles("会议纪要") == ["内部通报不得公开的会议纪要"]
    # Unpublishing the column hides what is under it.
    with django_capture_on_commit_callbacks(execute=True):
        column = city.district_news
        column.unpublish()
    assert _titles("会议纪要") == []


@pytest.mark.django_db
def test_a_moved_page_gets_its_new_site_and_a_deleted_one_is_gone(city, article_factory, eager_tasks,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = article_factory(title="东区发布冬季供暖保障措施", body="<p>保障措施共十条。</p>")
    entry = Entry.objects.get(key=f"page:{page.pk}")
    assert entry.site_id == city.district_site.site_id
    with django_capture_on_commit_callbacks(execute=True):
        page.move(city.dept_news, pos="last-child")
    entry.refresh_from_db()
    assert entry.site_id == city.dept_site.site_id and entry.url.startswith("/s/edu/")
    with django_capture_on_commit_callbacks(execute=True):
        page.refresh_from_db()
        page.delete()
    assert not Entry.objects.filter(key=f"page:{page.pk}").exists()


@pytest.fixture
def replied(city, make_user):
    from letters import services
    from letters.models import LetterType, Mailbox

    letter_type = LetterType.objects.create(code="complaint", name="投诉", time_limit=13)
    mailbox = Mailbox.objects.create(unit=city.office, name="市长信箱", code="mayor", email="mayor@mail.cq.gov.cn",
                                     is_mayor=True)
    dispatcher = make_user("mayor_dispatcher", city.office, ["mailbox_handler"], email="d@cq.gov.cn")
    handler = make_user("east_handler", city.district, ["mailbox_handler"], email="h@cq.gov.cn")

    def make(*, title, body, reply_body, publish=True, name="王晓红", phone="13987654321"):
        letter, _ = services.letter_submit(mailbox=mailbox, letter_type=letter_type, name=name, phone=phone,
                                           email="wang@example.com", title=title, body=body, consent_publish=True)
        letter = services.letter_route(letter=letter, unit=city.district, actor=dispatcher, version=letter.version)
        reply = services.reply_draft(letter=letter, body=reply_body, actor=handler, version=letter.version)
        letter.refresh_from_db()
        return services.reply_decide(reply=reply, approve=True, actor=city.leader, version=letter.version,
                                     publish=publish)

    return make


@pytest.mark.django_db
def test_published_letters_are_found_by_their_masked_text_only(city, replied, eager_tasks,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        letter = replied(title="小区旁工地夜间施工噪音扰民",
                         body="我叫王晓红,电话13987654321,住在滨江花园三栋,工地每天施工到凌晨。",
                         reply_body="经核查,已责令该工地停止夜间施工。")
        hidden = replied(title="关于路灯损坏的反映", body="江北新村路灯坏了一个月。", reply_body="经查该路段路灯已于本周修复完毕。",
                         publish=False)
    assert letter.published and not hidden.published
    entry = Entry.objects.get(key=f"letter:{letter.pk}")
    assert entry.kind == "letter" and entry.site_id == city.district_site.site_id
    assert _titles("夜间施工") == ["小区旁工地夜间施工噪音扰民"]
    assert _titles("滨江花园") == ["小区旁工地夜间施工噪音扰民"]
    for personal in ("王晓红", "晓红", "13987654321", "wang@example.com", "9876"):
        assert _titles(personal) == [], personal
        assert personal not in entry.text + entry.title + str(entry.meta)
    assert _titles("路灯损坏") == []
    # The rebuild reads the same masked text.
    call_command("search_rebuild", "--restart", stdout=open("/dev/null", "w"))
    assert _titles("夜间施工") == ["小区旁工地夜间施工噪音扰民"]
    assert _titles("王晓红") == []


@pytest.mark.django_db
def test_rebuild_indexes_everything_removes_what_is_gone_and_can_resume(city, article_factory):
    from io import StringIO

    from search.models import RebuildState

    pages = [article_factory(title=f"东区第{i}批惠企政策兑现", body="<p>兑现资金已拨付。</p>") for i in range(1, 6)]
    Entry.objects.create(key="page:999999", kind="article", object_id=999999, title="早已删除的页面",
                         title_norm="早已删除的页面", url="/gone/")
    out = StringIO()
    call_command("search_rebuild", "--restart", "--batch", "2", stdout=out)
    assert "完成" in out.getvalue() and "已索引" in out.getvalue()
    assert len(_titles("惠企政策兑现")) == 5
    assert not Entry.objects.filter(key="page:999999").exists()
    # A rebuild stopped after the first batch resumes after the last key it recorded.
    state = RebuildState.objects.get(name="rebuild")
    state.finished_at, state.last_key, state.done = None, f"1:page:{pages[2].pk:012d}", 3
    state.save()
    Entry.objects.filter(key=f"page:{pages[0].pk}").delete()  # done before the stop: not redone
    Entry.objects.filter(key=f"page:{pages[4].pk}").delete()  # after the stop: redone
    call_command("search_rebuild", stdout=StringIO())
    keys = set(Entry.objects.values_list("key", flat=True))
    assert f"page:{pages[4].pk}" in keys and f"page:{pages[0].pk}" not in keys


@pytest.mark.django_db
def test_deleting_pages_writes_nothing_for_search_until_after_commit(city, article_factory, eager_tasks,
                                                                     django_capture_on_commit_callbacks):
    """Search's receivers write no row while a page (and its subtree, its view
    restrictions) is being deleted: they only queue work for after the commit, and
    that work removes the entries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import PageViewRestriction

    from portal.models import ColumnPage

    with django_capture_on_commit_callbacks(execute=True):
        column = city.district_news.add_child(instance=ColumnPage(title="临时栏目", slug="temp-column",
                                                                  kind=city.district_news.kind))
        column.save_revision().publish()
        pages = [article_factory(column=column, title=f"临时栏目稿件{i}", body="<p>删除测试。</p>") for i in range(3)]
        PageViewRestriction.objects.create(page=pages[2], restriction_type=PageViewRestriction.LOGIN)
    assert Entry.objects.filter(title__startswith="临时栏目稿件").count() == 2
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with CaptureQueriesContext(connection) as queries:
            column.refresh_from_db()
            column.delete()
    writes = [q["sql"] for q in queries if re.search(r"(?<![a-z])search_", q["sql"]) and not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []
    assert callbacks  # the forgetting is queued, for after the commit
    for callback in callbacks:
        callback()
    assert not Entry.objects.filter(title__startswith="临时栏目稿件").exists()
