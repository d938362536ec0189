"""The admin's search index: a save indexes its page without a pass over the whole
index, and the nightly task recomputes every entry's ranking norm."""

import pytest
from django.contrib.contenttypes.models import ContentType
from modelsearch.index import insert_or_update_object
from wagtail.search.models import IndexEntry

from portal.search_index import title_norms_refresh
from portal.tasks import refresh_search_norms_task

pytestmark = pytest.mark.django_db


def entry(page):
    return IndexEntry.objects.get(content_type=ContentType.objects.get_for_model(page.specific_class).pk,
                                  object_id=str(page.pk))


def test_a_save_indexes_its_page_and_leaves_the_other_entries_alone(article_factory):
    short = article_factory(title="通知")
    # (Words apart: PostgreSQL measures a title in terms, SQLite in characters.)
    long = article_factory(title="关于 做好 二〇二六年 冬季 道路交通 安全 工作 的 通知")
    title_norms_refresh()
    before = entry(short).title_norm
    assert before != 1.0 and entry(long).title_norm != before

    added = article_factory(title="东区召开冬季安全生产工作会议")
    assert entry(added).title_norm == 1.0  # the default until the nightly pass
    assert entry(short).title_norm == before


def test_the_nightly_task_recomputes_every_norm_and_the_admin_search_finds_new_pages(article_factory, client,
                                                                                        django_user_model):
    first = article_factory(title="冬季供暖保障")
    second = article_factory(title="关于 进一步 做好 冬季 供暖 保障 工作 的 实施意见")
    assert entry(first).title_norm == entry(second).title_norm == 1.0
    assert refresh_search_norms_task.apply().get() is True
    assert entry(first).title_norm > 1.0 > entry(second).title_norm

    client.force_login(django_user_model.objects.create_superuser("root", "root@cq.gov.cn", "pw-Test-2026"))
    # (Wagtail's tokenizer keeps a run of Chinese as one term: the admin finds a whole
    # title; Chinese search by words is the site search's, issue 10.)
    response = client.get("/admin/pages/search/", {"q": "冬季供暖保障"})
    assert response.status_code == 200
    assert f"/admin/pages/{first.pk}/edit/" in response.content.decode()  # found at once


def test_indexing_one_object_does_not_rewrite_the_index(article_factory, django_assert_max_num_queries):
    page = article_factory(title="东区公布年度民生实事")
    for n in range(5):
        article_factory(title=f"东区动态第{n}期")
    with django_assert_max_num_queries(12) as captured:
        insert_or_update_object(page.specific)
    assert not [q for q in captured.captured_queries if "title_norm" in q["sql"] and q["sql"].startswith("UPDATE")]
