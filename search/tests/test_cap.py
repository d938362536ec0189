"""A query matching more than the cap: counts are lower bounds, exact titles first."""

import pytest

from search import queries, services


@pytest.mark.django_db
def test_a_common_word_is_capped_and_the_exact_title_still_comes_first(city, article_factory, monkeypatch):
    for i in range(6):
        article_factory(title=f"东区安全生产检查第{i}次通报", body="<p>安全生产。</p>")
    article_factory(title="安全生产", body="<p>标题就是查询词。</p>")
    services.rebuild(resume=False)
    full = queries.search(q="安全生产", per_page=3)
    assert not full.capped and full.total == 7 and full.hits[0].entry.title == "安全生产"
    monkeypatch.setattr(queries, "MATCH_CAP", 3)
    capped = queries.search(q="安全生产", per_page=3)
    assert capped.capped and capped.total >= 3
    assert capped.hits[0].entry.title == "安全生产"
