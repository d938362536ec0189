"""The demo city's supervision outputs: the content-assurance division of the portal
(A2: columns assigned to responsible units with update frequencies, one of them
behind on purpose, so the sweep has a flag to raise) and two reports of the
我为政府网站找错 channel, so the handlers' queue and the indicator have something.

``load(now=None, stdout=None)`` runs after the sites, people, content and
mailboxes are loaded (demo/loader.py); it returns what it made."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from letters import services as letter_services
from orgs.models import SiteRecord, Unit
from portal.models import ColumnPage, ContentPage
from supervision import outputs

# portal column title, responsible unit, update every N days, person in charge, phone
ASSIGNMENTS = [
    ("要闻动态", "cq-bgt", 7, "陈晓明", "023-63890001"),
    ("通知公告", "cq-bgt", 14, "陈晓明", "023-63890001"),
    ("政策解读", "fzggw", 30, "周丽娟", "023-67575001"),
    ("人事信息", "rlsbj", 90, "郑建国", "023-88150001"),
    ("规划计划", "fzggw", 30, "周丽娟", "023-67575001"),
    ("优化营商环境专题", "fzggw", 14, "周丽娟", "023-67575001"),
]
# The column left behind on purpose: its items are dated this many days back.
BEHIND = ("规划计划", 45)

ERROR_REPORTS = [
    ("yuzhong.cq.gov.cn", "/", "首页“区县动态”第二条新闻的标题有错别字,“解放碑”写成了“解放杯”。", "", ""),
    ("www.cq.gov.cn", "/", "门户网站“政策解读”栏目中一篇解读的原文链接打不开,显示页面不存在。", "刘海燕", "13812340001"),
]


def _supervisor():
    User = get_user_model()
    return User.objects.filter(username="cq_dcs_supervisor").first() or User.objects.filter(is_superuser=True).first()


def load(*, now=None, stdout=None):
    now = now or timezone.now()
    say = (lambda msg: stdout.write(msg)) if stdout else (lambda msg: None)
    actor = _supervisor()
    portal = SiteRecord.objects.select_related("site").get(kind="portal")
    home = portal.site.root_page
    columns = {c.title: c for c in ColumnPage.objects.child_of(home)}
    units = {u.code: u for u in Unit.objects.all()}
    title, days_back = BEHIND
    ContentPage.objects.filter(parent_column=columns[title].pk).update(pub_date=now - timedelta(days=days_back))
    made = 0
    for column_title, unit_code, days, person, phone in ASSIGNMENTS:
        if column_title in columns and unit_code in units:
            outputs.assignment_save(actor=actor, column=columns[column_title], unit=units[unit_code],
                                    update_days=days, person=person, phone=phone)
            made += 1
    swept = outputs.columns_sweep(timezone.localtime(now).date())
    say(f"内容保障分工 {made} 个栏目,更新不及时 {swept['flagged']} 个")
    reports = 0
    for hostname, path, problem, name, phone in ERROR_REPORTS:
        letter_services.error_report_submit(address=f"https://{hostname}{path}", problem=problem, name=name,
                                            phone=phone)
        reports += 1
    say(f"“我为政府网站找错”留言 {reports} 条")
    return {"assignments": made, "flagged": swept["flagged"], "error_reports": reports}
