"""Builds the demo city in an empty database: ``manage.py load_demo``."""

import datetime
import random
import re
import zlib
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from wagtail.models import Collection, Page, Site

from disclosure.models import DocumentType, GovDocumentPage, InterpretationPage, TopicCategory
from guard.services import lexicon_term_save
from hosting.sites import site_create, site_register_independent
from orgs.models import Unit
from orgs.services import membership_grant, person_create, unit_create
from portal.models import ArticlePage, ColumnPage, NewsColumnApproval
from portal.services import column_kind_save, page_create
from letters.models import LetterType, Mailbox
from letters import services as letter_services
from publishing.register import register_publication

from . import catalogue as catalogue_demo
from . import livedata as livedata_demo
from . import supervision as supervision_demo
from . import city, content, profiles
from . import guides as demo_guides
from .forms import enable_demo_forms

DOC_TYPE_BY_WORD = [
    ("便民告示", DocumentType.CONVENIENCE_NOTICE),
    ("公示", DocumentType.PUBLIC_NOTICE),
    ("通告", DocumentType.NOTICE),
    ("公告", DocumentType.ANNOUNCEMENT),
]
TOPIC_BY_UNIT = {
    "fzggw": TopicCategory.ECONOMY, "jw": TopicCategory.SCIENCE, "rlsbj": TopicCategory.LABOUR,
    "zfcxjw": TopicCategory.CONSTRUCTION, "wsjkw": TopicCategory.HEALTH, "jtj": TopicCategory.INDUSTRY,
}


def seed_notice_path():
    return Path(getattr(settings, "PLATFORM_SEED_DIR", settings.BASE_DIR.parent / "shared" / "seed")) / "yubanfa-2005-209.txt"


def already_loaded():
    return Unit.objects.filter(code="cq-bgt").exists()


def load(*, items_per_column=4, stdout=None, now=None):
    """Create the whole demo city; ``items_per_column`` sizes the content."""
    now = now or timezone.now()
    rng = random.Random(2005209)
    say = (lambda msg: stdout.write(msg)) if stdout else (lambda msg: None)
    with transaction.atomic():
        _clear_wagtail_welcome()
        units = _load_units()
        say(f"单位 {len(units)} 个")
        _load_lexicon()
        kinds = _load_column_kinds(units)
        records = _load_sites(units)
        say(f"网站 {len(records)} 个(含独立网站)")
        admin = _load_people(units)
        columns = _load_columns(records, kinds)
        count = _load_content(records, columns, units, items_per_column, rng, now, admin)
        _load_notice(columns, units, admin, now)
        say(f"内容 {count + 1} 篇")
        say(f"办事事项 {demo_guides.load(now=now)} 项")
        say(f"机构概况 {len(profiles.PROFILES)} 个单位,领导和岗位负责人 {profiles.load_profiles(units)} 人")
        letters = _load_mailboxes(records, units)
        say(f"信箱 {Mailbox.objects.count()} 个,演示来信 {letters} 封")
        say(f"接口客户端 {_load_machine_clients(units)} 个")
        say(f"网上填表预受理事项 {len(enable_demo_forms())} 个")
        say(catalogue_demo.load(records=records, units=units, admin=admin, now=now))
        livedata_demo.load(now=now, stdout=stdout)
        supervision_demo.load(now=now, stdout=stdout)
    return {"units": len(units), "sites": len(records), "items": count + 1}


def _clear_wagtail_welcome():
    # Wagtail's first migration leaves a welcome page and a localhost site behind.
    Site.objects.filter(hostname="localhost").delete()
    for page in Page.objects.filter(depth=2, slug="home"):
        if page.specific_class is Page:
            page.delete()
    # The admin shows the tree's root and the root collection by name: in Chinese.
    Page.objects.filter(depth=1).update(title="全部网站", draft_title="全部网站")
    Collection.objects.filter(depth=1).update(name="全部文件")


def _load_units():
    units = {}
    for order, (code, name, short, kind, sector, parent, extra) in enumerate(city.UNITS):
        units[code] = unit_create(
            name=name, code=code, kind=kind, parent=units.get(parent), short_name=short, sector=sector,
            sort_order=order, **extra,
        )
    return units


def _load_lexicon():
    for term, kind, reason, correct in city.LEXICON:
        lexicon_term_save(term=term, kind=kind, reason=reason, correct_form=correct,
                          lawful_contexts=city.LAWFUL_CONTEXTS.get(term, ()))


def _load_column_kinds(units):
    approval = NewsColumnApproval.objects.create(
        unit=units["cq-bgt"], authority="重庆市人民政府新闻办公室", document_number="渝府新〔2025〕12号",
        approved_on=timezone.localdate().replace(month=1, day=15),
    )
    kinds = {}
    for code, name, category, period in city.COLUMN_KINDS:
        kinds[code] = column_kind_save(
            code=code, name=name, category=category, update_period=period,
            approval=approval if category == "social_news" else None,
        )
    return kinds


def _load_sites(units):
    records = []
    for order, (code, kind, name, hostname, id_code, colour, tagline) in enumerate(city.SITES):
        unit = units[code]
        records.append(
            site_create(
                unit=unit, kind=kind, name=name, hostname=hostname, site_id_code=id_code,
                icp_number=f"渝ICP备{500000 + order * 37:08d}号", psb_number=f"渝公网安备 {50010302000100 + order}号",
                sponsor=unit.name, contact_phone=f"023-6{order:03d}{order * 7 % 10000:04d}",
                contact_email=f"webmaster@{hostname}", address=f"重庆市(演示地址){order + 1}号",
                colour=colour, tagline=tagline, is_default=(kind == "portal"), sort_order=order,
            )
        )
    for order, (code, kind, name, hostname, url, id_code) in enumerate(city.INDEPENDENT_SITES):
        records.append(
            site_register_independent(
                unit=units[code], kind=kind, name=name, hostname=hostname, url=url, site_id_code=id_code,
                icp_number="渝ICP备05009999号", psb_number="渝公网安备 50010302009999号", sponsor=units[code].name,
                contact_phone="023-63960000", sort_order=100 + order,
            )
        )
    return records


def _load_people(units):
    User = get_user_model()
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create_superuser("admin", "admin@cq.gov.cn", city.PASSWORD, first_name="管理员", last_name="门户")
    for username, code, roles, name, email in city.people():
        user = person_create(username=username, password=city.PASSWORD, full_name=name, email=email)
        for role in roles:
            membership_grant(user=user, unit=units[code], role=role)
    return admin


def _load_columns(records, kinds):
    columns = {}
    for record in records:
        if record.site is None:
            continue
        home = record.site.root_page.specific
        for title, kind_code, accepts in city.COLUMNS[record.kind]:
            existing = ColumnPage.objects.child_of(home).filter(kind=kinds[kind_code]).first()
            if existing is not None:
                # site_create made the 互动交流 and 机构概况 columns already; they keep their
                # place in the menu order and take the demo's title (走进重庆, 区情概况 …).
                existing.move(home, pos="last-child")
                existing = ColumnPage.objects.get(pk=existing.pk)
                if existing.title != title:
                    existing.title = existing.draft_title = title
                    existing.save_revision().publish()
                columns[(record.unit.code, title)] = existing
                continue
            column = ColumnPage(
                title=title, slug=kind_code, kind=kinds[kind_code], accepts_placements=accepts, show_in_menus=True,
                intro=f"{record.name} · {title}",
            )
            page_create(parent=home, page=column, publish=True)
            columns[(record.unit.code, title)] = column
    return columns


def _fill(text, unit):
    return text.replace("{unit}", unit.short_name or unit.name).replace("{site}", unit.name)


def _load_content(records, columns, units, per_column, rng, now, admin):
    count = 0
    made_policies = {}  # unit code → {title: policy document}, for the interpretations
    portal_news = columns[("cq-bgt", "要闻动态")]
    for record in records:
        if record.site is None:
            continue
        unit = record.unit
        for title, kind_code, _accepts in city.COLUMNS[record.kind]:
            column = columns[(unit.code, title)]
            stale = city.STALE.get((unit.code, title), 0)
            if stale is None or kind_code == "overview":
                continue  # a blank column, on purpose; the overview shows the unit's profile (demo/profiles.py)
            pool = (content.for_unit(unit.code, kind_code)
                    or (content.WINDOW_BY_KIND if record.kind == "window" else {}).get(kind_code)
                    or content.BY_KIND[kind_code])
            n = per_column if kind_code in ("news", "notices", "social-news") else max(1, per_column // 2)
            policies = made_policies.setdefault(unit.code, {})
            for i in range(n):
                entry_title, summary, paragraphs = pool[i % len(pool)]
                paragraphs = [paragraphs] if isinstance(paragraphs, str) else paragraphs
                age = stale + i * rng.randint(2, 9) + (0 if stale else rng.randint(0, 2))
                if stale:
                    # A stale column's items at a fixed time of their day, so the column is
                    # exactly ``stale`` days behind whatever the hour of loading.
                    day = timezone.localtime(now).date() - timedelta(days=age)
                    pub = timezone.make_aware(datetime.datetime.combine(
                        day, datetime.time(9 + rng.randint(0, 8), rng.randint(0, 59))))
                else:
                    pub = now - timedelta(days=age, hours=rng.randint(0, 8), minutes=rng.randint(0, 59))
                suffix = f"(第{i // len(pool) + 1}期)" if i >= len(pool) else ""
                page = _make_item(kind_code, _fill(entry_title, unit) + suffix, _fill(summary, unit),
                                  [_fill(p, unit) for p in paragraphs], unit, pub, policies)
                if record.kind == "district" and kind_code == "news" and i == 0:
                    page.also_in = [portal_news]
                page_create(parent=column, page=page, publish=True)
                register_publication(page=page, user=admin)
                if kind_code == "policy":
                    policies[page.title] = page
                count += 1
    return count


def _make_item(kind_code, title, summary, paragraphs, unit, pub, policies):
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    if kind_code == "interpretation":
        # 《<policy>》政策解读: an interpretation linked to the unit's policy document of
        # that title (the policy column is filled first), as an editor would link it.
        document = policies.get(title.split("》")[0].lstrip("《"))
        if document is not None:
            page = InterpretationPage(title=title, summary=summary, body=body, source=unit.name, interpreter=unit.name,
                                      form=InterpretationPage.Form.QA, slug=_slug(title, pub),
                                      pub_date=max(pub, document.pub_date))
            page.interprets = [document]
            return page
    doc_type = None
    if kind_code == "policy":
        doc_type = DocumentType.NORMATIVE
    else:
        doc_type = next((t for word, t in DOC_TYPE_BY_WORD if word in title), None)
    if doc_type is None:
        return ArticlePage(title=title, summary=summary, body=body, pub_date=pub, source=unit.name, slug=_slug(title, pub))
    number = f"{unit.short_name[:2]}发〔{pub.year}〕{pub.timetuple().tm_yday}号" if doc_type == DocumentType.NORMATIVE else ""
    return GovDocumentPage(
        title=title, summary=summary, body=body, pub_date=pub, source=unit.name, slug=_slug(title, pub),
        doc_type=doc_type, issuing_organ=unit.name, document_number=number, date_written=(pub - timedelta(days=3)).date(),
        topic=TOPIC_BY_UNIT.get(unit.code, TopicCategory.GENERAL), keywords="政务公开",
    )


def _slug(title, pub):
    return f"{pub:%Y%m%d}-{zlib.crc32(title.encode()) % 100000:05d}"


def _load_notice(columns, units, admin, now):
    """The 2005 notice itself, as a normative document of the General Office (demo/notice.py)."""
    from .notice import notice_create

    return notice_create(column=columns[("cq-bgt", "政策文件")], unit=units["cq-bgt"], admin=admin)


def _escape(text):
    return re.sub(r"[<>&]", lambda m: {"<": "&lt;", ">": "&gt;", "&": "&amp;"}[m.group()], text)


def _load_mailboxes(records, units):
    """The mayor's mailbox, one mailbox per unit with a hosted site, and a few letters."""
    for order, (code, name, limit) in enumerate(city.LETTER_TYPES):
        LetterType.objects.create(code=code, name=name, time_limit=limit, sort_order=order)
    for record in records:
        if record.site is None:
            continue
        unit = record.unit
        if record.kind == "portal":
            Mailbox.objects.create(unit=unit, name="市长信箱", code="mayor", email="mayor@mail.cq.gov.cn", is_mayor=True,
                                   sort_order=0)
            continue
        suffix = {"district": "区县长信箱", "department": "信箱", "window": "服务信箱"}[record.kind]
        short = unit.short_name or unit.name
        Mailbox.objects.create(unit=unit, name=f"{short}{suffix}", code=unit.code.replace(".", "-"),
                               email=f"{unit.code}@mail.cq.gov.cn", sort_order=record.sort_order)
    User = get_user_model()
    dispatcher = User.objects.get(username="cq_bgt_mailbox")
    count = 0
    for unit_code, kind, name, phone, title, body, outcome in city.LETTERS:
        mailbox = Mailbox.objects.get(unit__code=unit_code)
        letter, _code = letter_services.letter_submit(
            mailbox=mailbox, letter_type=LetterType.objects.get(code=kind), name=name, phone=phone,
            email=f"citizen{count}@example.com", title=title, body=body, consent_publish=True, source="web",
        )
        count += 1
        if outcome == "screening":
            continue
        target = units["yuzhong"] if unit_code == "cq-bgt" and "渝中" in title else units.get(unit_code)
        if unit_code == "cq-bgt" and "大学城" in title:
            target = units["shapingba"]
        router = dispatcher if mailbox.is_mayor else _superuser()
        letter = letter_services.letter_route(letter=letter, unit=target, actor=router, version=letter.version)
        if outcome == "replied":
            # The handling unit's own demo accounts draft and sign the reply, as its people would.
            handler = User.objects.get(username=f"{target.code.replace('-', '_')}_mailbox")
            leader = User.objects.get(username=f"{target.code.replace('-', '_')}_leader")
            reply = letter_services.reply_draft(letter=letter, body=_REPLIES.get(target.code, _REPLIES["default"]), actor=handler,
                                                version=letter.version)
            letter.refresh_from_db()
            letter_services.reply_decide(reply=reply, approve=True, actor=leader, version=letter.version,
                                         publish=letter.consent_publish)
    return count


_REPLIES = {
    "yuzhong": "您好!收到来信后,我区城市管理部门已到现场核查。该工地未办理夜间施工许可,已责令其晚上十点后停止施工,"
               "并将在一个月内每晚巡查。如再有夜间施工,请拨打12345热线反映。感谢您对我区工作的支持。",
    "default": "您好!感谢来信。经了解,居民生活用电实行三档阶梯电价,具体分档标准和冬季用电政策已在我委网站“政策文件”栏目公布,"
               "也可拨打12345热线咨询。",
}


def _load_machine_clients(units):
    from orgs.clients import machine_client_create

    for code, name, scopes in city.MACHINE_CLIENTS:
        machine_client_create(unit=units[code], name=name, scopes=scopes)  # the token is not kept
    return len(city.MACHINE_CLIENTS)


def _superuser():
    return get_user_model().objects.filter(is_superuser=True).first()
