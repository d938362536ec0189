"""The demo city's government-information catalogues (called by ``loader.load``):
documents filed under every site's tree, policy interpretations linked to their
documents (and some policy documents left without one, for the supervision report
to find), a repealed document and its replacement, an amended document and the
decision amending it, the portal's published 2025 annual report and a January
draft, and applications for disclosure in several states. Texts written for the
demo, different for every site."""

import zlib
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from disclosure import applications
from disclosure.catalogue import annual_report_draft, catalogue_column
from disclosure.models import GovDocumentPage, InterpretationPage
from portal.models import ColumnPage
from portal.services import page_create
from publishing.register import register_publication

# unit code, key, title, type, topic, document number, years ago written, validity, supersedes key, summary
DOCUMENTS = [
    ("cq-bgt", "share-old", "重庆市政务信息资源共享管理办法", "normative", "general", "渝府发〔2019〕31号", 6, "repealed", "",
     "规定全市政务信息资源目录编制、共享交换和安全管理的要求。"),
    ("cq-bgt", "share-new", "重庆市公共数据资源管理办法", "normative", "general", "渝府发〔2025〕12号", 1, "in_force",
     "share-old", "统一公共数据的归集、共享、开放和安全管理,原《重庆市政务信息资源共享管理办法》同时废止。"),
    ("cq-bgt", "rules-old", "重庆市行政规范性文件管理办法", "normative", "labour", "渝府令〔2020〕5号", 5, "amended", "",
     "规范行政规范性文件的起草、审核、公布和清理工作。"),
    ("cq-bgt", "rules-amend", "重庆市人民政府关于修改《重庆市行政规范性文件管理办法》的决定", "normative", "labour",
     "渝府令〔2025〕3号", 1, "in_force", "rules-old", "增加合法性审核时限、公开征求意见期限和定期评估的规定。"),
    ("cq-bgt", "night", "重庆市促进夜间经济发展若干措施", "normative", "commerce", "渝府办发〔2025〕40号", 0, "in_force", "",
     "从夜间消费场景、交通保障、市容管理等方面提出十二条措施。"),
    ("yuzhong", "renew", "渝中区老旧小区改造项目管理办法", "normative", "construction", "渝中府发〔2025〕8号", 0, "in_force", "",
     "明确老旧小区改造的项目申报、居民议事、质量监督和后期管护。"),
    ("yuzhong", "stalls", "渝中区临时占道经营管理规定", "normative", "market", "渝中府发〔2024〕21号", 1, "in_force", "",
     "划定解放碑、较场口等片区临时占道经营的时段和范围。"),
    ("jiangbei", "ads", "江北区户外广告设施设置管理规定", "normative", "construction", "江北府发〔2025〕6号", 0, "in_force", "",
     "规定户外广告设施设置规划、审批和安全检查的要求。"),
    ("shapingba", "campus", "沙坪坝区大学城周边交通秩序管理办法", "normative", "public_security", "沙府发〔2025〕17号", 0,
     "in_force", "", "优化大学城周边公交线路、停车和非机动车通行秩序。"),
    ("fzggw", "power", "重庆市居民生活用电阶梯电价实施办法", "normative", "economy", "渝发改价格〔2025〕88号", 0, "in_force",
     "", "调整居民阶梯电价分档电量,明确冬季取暖用电的优惠政策。"),
    ("jw", "fees", "重庆市普惠性民办幼儿园收费管理办法", "normative", "science", "渝教发〔2024〕9号", 1, "in_force", "",
     "规定普惠性民办幼儿园保教费的定价程序和公示要求。"),
]

# key of the document, title, interpreter, form, paragraphs
INTERPRETATIONS = [
    ("share-new", "一图读懂《重庆市公共数据资源管理办法》", "市大数据应用发展管理局", "graphic",
     ["办法把公共数据分为无条件共享、有条件共享和不予共享三类,并明确了各类数据的申请和使用程序。",
      "原《重庆市政务信息资源共享管理办法》同时废止,已按原办法开展的共享继续有效。"]),
    ("rules-amend", "《关于修改〈重庆市行政规范性文件管理办法〉的决定》解读", "市司法局", "text",
     ["修改后的办法要求起草部门公开征求意见一般不少于30日,并在文件印发后同步发布解读材料。",
      "合法性审核期限原则上不超过15个工作日,规范性文件每两年评估一次。"]),
    ("renew", "渝中区老旧小区改造怎么申报?五问五答", "渝中区住房城乡建委", "qa",
     ["问:哪些小区可以申报?答:2000年底前建成、基础设施老化的住宅小区,经业主表决同意后可以申报。",
      "问:改造费用谁来出?答:财政补助为主,水电气等专营单位和居民按规定分担。"]),
    ("power", "居民阶梯电价调整答记者问", "市发展改革委", "qa",
     ["问:第一档电量为什么上调?答:综合考虑近年居民用电增长和空调、取暖用电需求。",
      "问:冬季用电有什么优惠?答:12月至次年2月,第一、二档电量各增加一定额度。"]),
]


def _column(home, category):
    return ColumnPage.objects.child_of(home).filter(kind__category=category).first()


def _pub(now, years_ago, key):
    days = 40 + zlib.crc32(key.encode()) % 200 + 365 * years_ago
    return now - timedelta(days=days)


def _in_the_numbers_year(pub, number, now):
    """A document numbered 〔2025〕 was written in 2025: move the demo date into that
    year (same month and day), never later than a week ago."""
    import re

    found = re.search(r"〔(\d{4})〕", number)
    if not found:
        return pub
    year = int(found.group(1))
    moved = pub.replace(year=year, day=min(pub.day, 28))
    if (moved - timedelta(days=5)).year < year:
        moved += timedelta(days=5)
    return min(moved, now - timedelta(days=7))


def _documents(records, admin, now):
    homes = {r.unit.code: r.site.root_page.specific for r in records if r.site is not None}
    made = {}
    for code, key, title, doc_type, topic, number, years_ago, validity, supersedes, summary in DOCUMENTS:
        home = homes[code]
        pub = _in_the_numbers_year(_pub(now, years_ago, key), number, now)
        page = GovDocumentPage(
            title=title, doc_type=doc_type, topic=topic, document_number=number, issuing_organ=home.unit.name,
            date_written=(pub - timedelta(days=5)).date(), validity=validity, supersedes=made.get(supersedes),
            pub_date=pub, source=home.unit.name, summary=summary, keywords="政策文件",
            body=f"<p>{summary}</p><p>本文件自印发之日起施行,由{home.unit.name}负责解释。</p>",
            slug=f"{pub:%Y%m%d}-{zlib.crc32(title.encode()) % 100000:05d}",
        )
        page_create(parent=_column(home, "policy"), page=page, publish=True)
        register_publication(page=page, user=admin)
        made[key] = page
    for key, title, interpreter, form, paragraphs in INTERPRETATIONS:
        doc = made[key]
        home = doc.home
        page = InterpretationPage(
            title=title, interpreter=interpreter, form=form, source=interpreter, pub_date=doc.pub_date + timedelta(days=1),
            summary=paragraphs[0][:120], body="".join(f"<p>{p}</p>" for p in paragraphs),
            slug=f"jd-{zlib.crc32(title.encode()) % 100000:05d}",
        )
        page.interprets = [doc]
        page_create(parent=_column(home, "interpretation"), page=page, publish=True)
        register_publication(page=page, user=admin)
    return made


def _reports(records, admin):
    portal = next(r for r in records if r.kind == "portal").site.root_page.specific
    report, _created = annual_report_draft(home=portal, year=2025)
    report.body = "".join(f"<p>{p}</p>" for p in (
        "2025年,重庆市人民政府办公厅围绕优化营商环境、数据资源管理和民生实事,持续推进政务公开标准化规范化。",
        "一、总体情况。全年通过门户网站主动公开政府文件、政策解读和通知公告,规范性文件全部同步发布解读;"
        "依申请公开办理流程在线运行,答复期限按工作日自动计算。",
        "二、存在的主要问题及改进情况。部分部门政策解读形式较单一,下一步将推广图解、问答等形式,"
        "并加强对区县政府信息公开目录的指导。",
    ))
    # The demo stands for a report the unit has taken through its review.
    report.save_revision(user=admin).publish(user=admin, skip_permission_checks=True)
    register_publication(page=report, user=admin)
    district = next(r for r in records if r.unit.code == "yuzhong").site.root_page.specific
    draft, _created = annual_report_draft(home=district, year=2025)  # as the January task leaves it
    return report, draft


def _applications(units, now):
    User = get_user_model()
    today = timezone.localtime(now).date()

    def person(code, suffix):
        return User.objects.get(username=f"{code.replace('-', '_')}_{suffix}")

    base = dict(applicant_type="citizen", id_type="id_card", id_number="11010519491231002X", delivery="online")
    yuzhong, portal = units["yuzhong"], units["cq-bgt"]
    # Waiting for clarification (the portal's General Office).
    app, _ = applications.application_submit(
        unit=portal, now=now - timedelta(days=3), name="周雨桐", phone="13883001234", email="zhou.yt@example.com",
        description="申请公开2025年市政府常务会议研究优化营商环境议题的有关材料。", **base)
    applications.clarification_request(
        application=app, actor=person("cq-bgt", "mailbox"), version=app.version, today=today - timedelta(days=1),
        request_text="请说明所需材料的具体会议时间或议题名称,以便检索。")
    # Extended, still being handled (渝中区).
    app, _ = applications.application_submit(
        unit=yuzhong, now=now - timedelta(days=30), name="陈建国", phone="13996005678", email="chen.jg@example.com",
        description="申请公开渝中区2024年老旧小区改造项目的资金拨付明细和竣工验收资料。", **base)
    applications.extension_grant(
        application=app, actor=person("yuzhong", "leader"), version=app.version,
        today=today - timedelta(days=12), reason="涉及多个街道和施工单位的资料,需要汇总核对。")
    # Answered, partly disclosed (渝中区), with the list it gives.
    app, _ = applications.application_submit(
        unit=yuzhong, now=now - timedelta(days=20), applicant_type="organisation", name="重庆山城物业服务有限公司",
        credit_code="91350100M000100Y43", contact_person="刘芳", phone="02363001122", email="liufang@example.com",
        description="申请公开渝中区2025年物业服务企业信用评价结果及评分细则。", delivery="email")
    applications.application_answer(
        application=app, actor=person("yuzhong", "mailbox"), version=app.version, kind="partly",
        refusal_reason="third_party", now=now - timedelta(days=6),
        text="信用评价结果和评分细则予以公开,见附件;其他企业的扣分明细涉及第三方合法权益,不予公开。",
        documents=[("2025年物业服务企业信用评价结果.txt",
                    "企业名称,评价等级\n重庆山城物业服务有限公司,A\n渝中某物业管理有限公司,B\n".encode())])
    # Just received (渝中区).
    applications.application_submit(
        unit=yuzhong, now=now - timedelta(hours=5), name="黄小燕", phone="13709876543",
        description="申请公开解放碑步行街2025年外摆经营点位的审批名单。", **base)
    return 4


def _place_columns(records):
    """The 政府信息公开 column stands after the notices column in each site's menu."""
    for record in records:
        if record.site is None:
            continue
        home = record.site.root_page.specific
        root, notices = catalogue_column(home), _column(home, "notices")
        if root is not None and notices is not None:
            root.move(notices, pos="right")


def load(*, records, units, admin, now):
    _place_columns(records)
    documents = _documents(records, admin, now)
    _reports(records, admin)
    count = _applications(units, now)
    return f"公开目录:政策文件 {len(documents)} 件,解读 {len(INTERPRETATIONS)} 篇,年度报告 2 份,依申请公开 {count} 件"

