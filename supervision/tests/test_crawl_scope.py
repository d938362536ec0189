"""Which addresses a crawl reads as the site's pages."""

from supervision.collect.crawler import Scope


def test_the_root_sites_crawl_leaves_out_other_sites_the_admin_and_the_machine_interfaces():
    scope = Scope("http://127.0.0.1:8000/")
    assert scope.crawlable("http://127.0.0.1:8000/zwgk/notice/")
    for path in ("/s/yuzhong/", "/admin/", "/django-admin/", "/api/v1/docs", "/api/v1/live/boards"):
        assert not scope.crawlable(f"http://127.0.0.1:8000{path}")
        assert scope.internal(f"http://127.0.0.1:8000{path}")  # still its own link, checked as a link


def test_a_site_under_a_path_keeps_to_it():
    scope = Scope("http://127.0.0.1:8000/s/yuzhong/")
    assert scope.crawlable("http://127.0.0.1:8000/s/yuzhong/xxgk/")
    assert not scope.crawlable("http://127.0.0.1:8000/s/wanzhou/")
    assert not scope.crawlable("http://example.org/s/yuzhong/")
