"""An export package of the demo city's independent site (重庆市公安局, gaj.cq.gov.cn).

What an independent site hands over when it moves onto the platform
(docs/site-migration.md describes the format). Every text here is written for the
demo; nothing is copied from the real site. The package shows what the migration
does with real-world material: a screening hit held for review, a script and an
image removed from a body, a table turned into lines, attachments linked from the
body.

Tests change :func:`manifest` and :func:`attachments` and pass them to :func:`build`;
``python -m demo.site_package gaj.zip`` writes the package to a file.
"""

import copy
import io
import json
import sys
import zipfile

SITE_URL = "https://gaj.cq.gov.cn/"

_COLUMNS = [
    {"key": "jwdt", "title": "警务动态", "kind": "news"},
    {"key": "tzgg", "title": "通知公告", "kind": "notices"},
    {"key": "bsfw", "title": "办事服务", "kind": "services", "intro": "户籍、出入境、交通管理等业务的办理指南。"},
    {"key": "zcwj", "title": "政策文件", "kind": "policy"},
    {"key": "fzxc", "title": "防范宣传", "kind": "news", "parent": "jwdt"},
]

_ITEMS = [
    {
        "column": "jwdt",
        "title": "市公安局部署夏季治安巡查防控工作",
        "url": "https://gaj.cq.gov.cn/jwdt/202506/t20250603_1001.html",
        "published": "2025-06-03 09:30",
        "source": "市公安局治安总队",
        "summary": "入夏以来夜间活动增多,全市公安机关加强重点区域巡查,提高见警率和管事率。",
        "body": (
            "<p>6月2日,市公安局召开夏季治安巡查防控工作部署会。会议要求各分局围绕夜市、商圈、江边步道等人员密集场所,"
            "调整巡逻时段,把警力投放到群众最需要的地方。</p>"
            "<p>会议明确,各派出所要结合辖区实际制定<strong>一所一方案</strong>,对接报警量排名靠前的路段实行定点守护,"
            "并与社区网格员建立信息互通机制。</p>"
        ),
        "attachments": [],
    },
    {
        "column": "jwdt",
        "title": "全市公安机关举办“警营开放日”活动",
        "url": "https://gaj.cq.gov.cn/jwdt/202505/t20250518_0987.html",
        "published": "2025-05-18T15:00:00+08:00",
        "source": "市公安局新闻中心",
        "summary": "市民走进警营,参观指挥中心和警用装备展示,体验交通安全模拟驾驶。",
        "body": (
            "<div class=\"TRS_Editor\"><p style=\"text-indent:2em\">5月17日,全市各级公安机关同步举办“警营开放日”活动,"
            "共接待市民两千余人次。</p>"
            "<p><img src=\"/jwdt/202505/W020250518.jpg\" alt=\"活动现场\"></p>"
            "<p onclick=\"track()\">在指挥中心,民警向市民介绍了110接处警流程;在装备展示区,孩子们试穿了防护服。</p>"
            "<script>var _hmt = _hmt || []; /* the old site's visitor counter */</script></div>"
        ),
        "attachments": [],
    },
    {
        "column": "tzgg",
        "title": "关于调整出入境证件受理窗口办公时间的通告",
        "url": "https://gaj.cq.gov.cn/tzgg/202504/t20250420_0950.html",
        "published": "2025-04-20",
        "source": "市公安局出入境管理局",
        "summary": "自5月1日起,主城各区出入境受理窗口周六上午照常办公。",
        "body": (
            "<p>为方便群众办理出入境证件,自2025年5月1日起,主城各区出入境受理窗口在周六上午9:00至12:00照常办公。</p>"
            "<p>各窗口地址和咨询电话见附件:<a href=\"/tzgg/202504/受理窗口一览表.pdf\">受理窗口一览表</a>。</p>"
            "<p>特此通告。</p>"
        ),
        "attachments": ["受理窗口一览表.pdf"],
    },
    {
        "column": "tzgg",
        "title": "关于开展居住证集中办理服务的通知",
        "url": "https://gaj.cq.gov.cn/tzgg/202503/t20250310_0902.html",
        "published": "2025-03-10 10:00:00",
        "source": "市公安局人口管理总队",
        "summary": "3月至4月,各派出所在工业园区和高校设立居住证集中办理点。",
        "body": (
            "<p>为做好来渝务工人员和新入学学生的服务工作,3月至4月,各派出所将在工业园区、高校设立居住证集中办理点,"
            "现场受理、限时办结。</p><p>各办理点的时间和地点见附件。</p>"
        ),
        "attachments": ["集中办理点.csv"],
    },
    {
        "column": "bsfw",
        "title": "户口迁移办理指南",
        "url": "https://gaj.cq.gov.cn/bsfw/hjgl/202411/t20241105_0810.html",
        "published": "2024-11-05 08:00",
        "source": "市公安局人口管理总队",
        "summary": "市内户口迁移的办理条件、所需材料和办理时限。",
        "body": (
            "<h3>办理条件</h3><p>在本市有合法稳定住所的,可申请将户口迁入住所地。</p>"
            "<h3>所需材料</h3><ol><li>居民户口簿;</li><li>居民身份证;</li><li>住所证明材料。</li></ol>"
            "<h3>办理时限</h3>"
            "<table border=\"1\"><tr><th>事项</th><th>时限</th></tr>"
            "<tr><td>市内迁移</td><td>当场办结</td></tr><tr><td>跨区迁移</td><td>5个工作日</td></tr></table>"
        ),
        "attachments": [],
    },
    {
        "column": "zcwj",
        "title": "市公安局关于规范机动车临时号牌核发工作的通知",
        "url": "https://gaj.cq.gov.cn/zcwj/202409/t20240912_0744.html",
        "published": "2024-09-12",
        "source": "市公安局交通管理局",
        "summary": "明确临时号牌的核发条件、有效期和监督管理要求。",
        "body": (
            "<p>各区县公安局交通管理部门:</p>"
            "<p>为规范机动车临时号牌核发工作,现就有关事项通知如下:</p>"
            "<p>一、核发临时号牌应当核对机动车来历证明和车辆合格证明,做到人、车、证一致。</p>"
            "<p>二、临时号牌有效期按实际需要核定,最长不超过30日。</p>"
        ),
        "attachments": [],
    },
    {
        # Anti-fraud advice quotes a term of the screening lexicon: held for a reviewer.
        "column": "fzxc",
        "title": "警惕以“代开发票”为名的电信网络诈骗",
        "url": "https://gaj.cq.gov.cn/jwdt/fzxc/202502/t20250226_0700.html",
        "published": "2025-02-26 16:20",
        "source": "市公安局刑侦总队",
        "summary": "不法分子冒充财务公司发送短信,以低价办理为诱饵骗取钱财。",
        "body": (
            "<p>近期,有不法分子群发短信,声称可以低价办理各类票据,诱导受害人添加社交账号并先行转账。</p>"
            "<p>警方提示:正规票据只能通过税务机关和合法渠道开具,收到此类短信请直接删除,遇到可疑情况请拨打110。</p>"
        ),
        "attachments": [],
    },
    {
        "column": "fzxc",
        "title": "防范养老诈骗“六个不要”",
        "url": "https://gaj.cq.gov.cn/jwdt/fzxc/202502/t20250214_0688.html",
        "published": "2025-02-14 09:00",
        "source": "市公安局刑侦总队",
        "summary": "提醒老年人及其家属识别以养老服务、保健品为名的骗局。",
        "body": (
            "<p>针对近期发生的养老诈骗案件,警方总结了“六个不要”:</p>"
            "<ul><li>不要轻信高额回报的“养老项目”;</li><li>不要参加来路不明的免费讲座;</li>"
            "<li>不要购买夸大功效的保健品;</li><li>不要向陌生人透露身份证号和银行卡信息;</li>"
            "<li>不要随意签署看不懂的合同;</li><li>不要独自决定大额转账,先和家人商量。</li></ul>"
        ),
        "attachments": [],
    },
]


def _pdf(title):
    """A small, valid one-page PDF (ASCII text: the standard fonts have no Chinese)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


_ATTACHMENTS = {
    "受理窗口一览表.pdf": _pdf("Exit-entry service windows (demo)"),
    "集中办理点.csv": "办理点,地址,时间\n园区服务中心,示例路1号,3月1日至3月31日\n大学城服务站,示例路2号,4月1日至4月30日\n".encode("utf-8"),
}


def manifest():
    """A fresh copy of the demo manifest, to change freely."""
    return {
        "format": "city-site-export",
        "version": 1,
        "site": {"name": "重庆市公安局", "url": SITE_URL},
        "columns": copy.deepcopy(_COLUMNS),
        "items": copy.deepcopy(_ITEMS),
    }


def attachments():
    """A fresh copy of the attachment files: {file name: bytes}."""
    return dict(_ATTACHMENTS)


def build(manifest_data=None, files=None, *, manifest_bytes=None, extra_members=None):
    """The package as ZIP bytes: ``manifest.json`` plus ``attachments/<name>``.

    ``manifest_bytes`` replaces the encoded manifest (to test broken ones);
    ``extra_members`` adds other members by their full name.
    """
    data = manifest() if manifest_data is None else manifest_data
    files = attachments() if files is None else files
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        encoded = manifest_bytes if manifest_bytes is not None else json.dumps(data, ensure_ascii=False, indent=2).encode()
        archive.writestr("manifest.json", encoded)
        for name, content in files.items():
            archive.writestr(f"attachments/{name}", content)
        for name, content in (extra_members or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "gaj-export.zip"
    with open(target, "wb") as out:
        out.write(build())
    print(f"已写出演示导出包:{target}")
