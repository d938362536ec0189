"""The notice the platform grew from (渝办发〔2005〕209号), as the demo publishes it.

Its page carries the document's metadata, a summary written for the demo (in our
own words; the facts are the notice's) and a link to where the issuing authority
publishes the original. The demo does not reproduce the notice's text, so the page
is the same on every machine and never depends on a file being present.
"""

from datetime import datetime

from django.utils import timezone

from disclosure.models import DocumentType, GovDocumentPage, TopicCategory

TITLE = "重庆市人民政府办公厅关于加强全市政府公众信息网站建设的通知"
DOCUMENT_NUMBER = "渝办发〔2005〕209号"
ISSUING_ORGAN = "重庆市人民政府办公厅"
# Where the General Office publishes its documents: the municipal government's portal.
ORIGINAL_URL = "https://www.cq.gov.cn/"

SUMMARY = (
    "市政府办公厅就加强全市政府公众信息网站建设作出部署:明确各级网站的建设和管理责任,"
    "推行资源集中、托管建站,规范网站内容和互动服务,建立统一的公开信箱、运行监管和年度测评制度。"
)

# A summary for readers of the demo, not the notice's wording.
BODY_PARAGRAPHS = [
    ("说明", "本页是演示平台为这份文件撰写的内容摘要,便于了解文件要点,不是文件原文。"
             "文件内容以发文机关公布的原文为准,原文链接见本页文件属性。"),
    ("发文背景", "为推进政务公开、建设服务型政府,重庆市人民政府办公厅于2005年9月23日印发本通知,"
                 "要求各区县(自治县、市)人民政府、市政府各部门和有关单位加强政府公众信息网站建设。"),
    ("为什么要加强", "通知指出,政府公众信息网站是政府机关在互联网上面向社会服务的窗口,是电子政务的重要组成部分。"
                     "当时一些部门和区县还没有网站,已建的网站也存在栏目设置随意、公示的规范性文件不全、"
                     "邮件和网上咨询回复不及时、网上办事服务少等问题。"),
    ("谁来负责", "市政府办公厅负责“中国重庆”政府门户网站的建设和管理,市政府督查室负责监督考核;"
                 "市政府各部门负责本部门网站并明确负责人,经费列入部门预算;"
                 "各区县(自治县、市)网站由本级政府办公室牵头建设和管理。"),
    ("怎样建设", "网站要突出政务特点,不登载商业、娱乐内容,一般不设社会新闻栏目;"
                 "技术力量不足或行政许可事项较少的部门,可以利用市政府公众信息网管理中心的设备和网络建站,"
                 "区县网站在具备可靠运行和有效监管条件之前可以托管在市政府网站平台上。"),
    ("公开什么", "规范性文件、公告、通告、公示、便民告示等应当及时在网站公示,并作为业务办理的必经步骤;"
                 "全市统一设立可监管的公开电子信箱,规范来信的受理、办理、回复和公示;"
                 "航空、铁路、水运以及水、电、气、通信等窗口单位要公开班次、票务等动态服务信息;"
                 "在市政府网站上建立全市统一的公用电子地图,并开放数据更新接口。"),
    ("怎样监管", "市政府公众信息网管理中心负责全市政府网站的运行监管,采集栏目更新和信箱回复等情况;"
                 "独立建站的单位要落实防病毒、防篡改、入侵检测等安全措施,建立信息发布审核登记制度;"
                 "从2006年起,网站建设和运行情况纳入年度考核,每年组织测评并聘请社会监评员参与评议。"),
    ("附件", "通知附有《重庆市政府公众信息网站建设与管理规范》《重庆市政府公众信息网站内容保障任务分工》"
             "和《重庆市政府系统公开电子信箱管理暂行办法》。"),
]


def body_html():
    return "".join(f"<h2>{heading}</h2><p>{text}</p>" for heading, text in BODY_PARAGRAPHS)


def notice_create(*, column, unit, admin=None):
    """Publish the notice in ``column`` (the General Office's 政策文件) and register it."""
    from portal.services import page_create
    from publishing.register import register_publication

    issued = timezone.make_aware(datetime(2005, 9, 23, 10, 0))
    page = GovDocumentPage(
        title=TITLE, slug="yubanfa-2005-209", summary=SUMMARY, body=body_html(), pub_date=issued,
        source=unit.name, doc_type=DocumentType.NORMATIVE, issuing_organ=ISSUING_ORGAN,
        document_number=DOCUMENT_NUMBER, date_written=issued.date(), topic=TopicCategory.GENERAL,
        keywords="政府网站 建设 管理 通知", original_url=ORIGINAL_URL,
    )
    page_create(parent=column, page=page, publish=True)
    register_publication(page=page, user=admin)
    return page
