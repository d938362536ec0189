"""Every site's 互动交流 column leads to the public mailbox: its index, the published
letters and the statistics, within three clicks of the site's home page."""

import pytest

from letters.models import Mailbox
from portal.models import ColumnCategory, ColumnKind, ColumnPage
from hosting.sites import site_create

from .reader_paths import MAILBOX, clicks_to

IDENTITY = dict(icp_number="渝ICP备00000009号", psb_number="渝公网安备 50000000000009号", contact_phone="023-60000009")


def _new_site(city, **extra):
    return site_create(unit=city.dept, kind="department", name="新建部门网站", hostname="new.cq.gov.cn",
                       site_id_code="5000000099", sponsor=city.dept.name, **IDENTITY, **extra)


@pytest.mark.django_db
def test_site_create_gives_every_new_site_an_interaction_column_in_its_menu(city):
    for record in (city.portal_site, city.district_site, city.dept_site):
        home = record.site.root_page
        columns = ColumnPage.objects.child_of(home).live().in_menu().filter(kind__category=ColumnCategory.INTERACTION)
        assert columns.count() == 1, record.name


@pytest.mark.django_db
def test_site_create_makes_the_interaction_kind_when_none_is_defined(city):
    ColumnPage.objects.filter(kind__category=ColumnCategory.INTERACTION).delete()
    ColumnKind.objects.filter(category=ColumnCategory.INTERACTION).delete()
    record = _new_site(city)
    # (The site's other sections, disclosure's, stand beside it.)
    column = ColumnPage.objects.child_of(record.site.root_page).get(kind__category=ColumnCategory.INTERACTION)
    assert column.kind.category == ColumnCategory.INTERACTION and column.title == "互动交流"


@pytest.mark.django_db
def test_a_new_sites_home_reaches_the_mailbox_within_three_clicks(city, client):
    Mailbox.objects.create(unit=city.office, name="市长信箱", code="mayor", email="mayor@example.com", is_mayor=True)
    record = _new_site(city)
    found = clicks_to(client, record.public_url, set(MAILBOX.values()))
    # The home's 互动交流 section links the published letters and the figures itself.
    assert set(found) == set(MAILBOX.values()) and max(found.values()) <= 2, found


@pytest.mark.django_db
def test_the_interaction_column_of_a_unit_site_offers_its_mailbox_its_letters_and_the_mayors(city, client):
    Mailbox.objects.create(unit=city.office, name="市长信箱", code="mayor", email="mayor@example.com", is_mayor=True)
    Mailbox.objects.create(unit=city.district, name="东区区长信箱", code="east", email="east@example.com")
    column = ColumnPage.objects.child_of(city.district_site.site.root_page).get(kind__category=ColumnCategory.INTERACTION)
    html = client.get(column.get_url()).content.decode()
    for href in ("/mailbox/write/east/", "/mailbox/write/mayor/", "/mailbox/letters/unit/east/", "/mailbox/letters/",
                 "/mailbox/stats/", "/mailbox/"):
        assert f'href="{href}"' in html, href
