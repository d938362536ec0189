"""Guides for the tests: a complete one, built through the page services."""

from disclosure.models import GuideLegalBasis, GuideMaterial, GuideStep, LifeEvent, ServiceGuidePage, Theme
from portal.models import ColumnCategory, ColumnPage
from portal.services import page_create


def services_column(record):
    return ColumnPage.objects.child_of(record.site.root_page).get(kind__category=ColumnCategory.SERVICES)


def guide(title="东区城乡居民医疗保险参保登记", themes=(), events=(), **fields):
    """A complete guide (unsaved): every element, materials, a linked basis, three steps."""
    values = dict(
        title=title, matter_code="EAST-GG-0001", audience="person",
        legal_basis="《中华人民共和国社会保险法》第二十五条",
        conditions="具有本区户籍或持本区居住证、未参加职工基本医疗保险的城乡居民。",
        place="东区政务服务中心一楼社保窗口", handling_body="东区医疗保障事务中心", fees="不收费",
        hours="工作日 9:00-12:00,14:00-17:30", phone="023-60001234", statutory_limit_days=10, promised_limit_days=3,
    )
    values.update(fields)
    page = ServiceGuidePage(**values)
    page.materials = [
        GuideMaterial(name="居民身份证或户口簿", form="paper", original="original", copies=1),
        GuideMaterial(name="城乡居民医保参保登记表", form="paper", original="original", copies=1),
    ]
    page.legal_bases = [GuideLegalBasis(citation="《中华人民共和国社会保险法》第二十五条",
                                        url="https://www.example.gov.cn/shbxf.html")]
    page.steps = [GuideStep(name="申请", actor="申请人"), GuideStep(name="受理审核", actor="窗口工作人员", limit_days=2),
                  GuideStep(name="办结", actor="医疗保障事务中心", limit_days=1)]
    page.themes = list(themes)
    page.life_events = list(events)
    return page


def create(column, page, publish=True, actor=None):
    return page_create(parent=column, page=page, publish=publish, actor=actor)


def theme(code, name, sort_order=0, audience="both"):
    return Theme.objects.get_or_create(code=code, defaults={"name": name, "sort_order": sort_order,
                                                            "audience": audience})[0]


def event(code, name, audience="person"):
    return LifeEvent.objects.get_or_create(code=code, defaults={"name": name, "audience": audience})[0]
