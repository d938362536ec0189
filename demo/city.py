"""The demo city: Chongqing's units, sites, columns and people.

All names of real bodies are used as facts; codes, phone numbers and every text
are written for the demo and are not the real ones.
"""

PASSWORD = "Demo-2026-cq"

UNITS = [
    # code, name, short name, kind, sector, parent code, extra
    ("cq-gov", "重庆市人民政府", "市政府", "municipal_government", "", None, {}),
    ("cq-bgt", "重庆市人民政府办公厅", "市政府办公厅", "general_office", "", "cq-gov",
     {"sees_all_units": True, "credit_code": "11500000MB1A00001X", "leader_name": "陈明远", "leader_title": "副秘书长"}),
    ("cq-dcs", "重庆市人民政府督查室", "市政府督查室", "supervision_office", "", "cq-gov",
     {"sees_all_units": True, "leader_name": "李文静", "leader_title": "主任"}),
    ("yuzhong", "重庆市渝中区人民政府", "渝中区", "district_government", "", "cq-gov",
     {"credit_code": "11500103MB1A00011C", "leader_name": "王海涛", "leader_title": "副区长"}),
    ("jiangbei", "重庆市江北区人民政府", "江北区", "district_government", "", "cq-gov", {"leader_name": "刘晓燕", "leader_title": "副区长"}),
    ("shapingba", "重庆市沙坪坝区人民政府", "沙坪坝区", "district_government", "", "cq-gov", {"leader_name": "赵国庆", "leader_title": "副区长"}),
    ("wanzhou", "重庆市万州区人民政府", "万州区", "district_government", "", "cq-gov", {"leader_name": "孙立群", "leader_title": "副区长"}),
    ("shizhu", "石柱土家族自治县人民政府", "石柱县", "district_government", "", "cq-gov", {"leader_name": "冉春梅", "leader_title": "副县长"}),
    ("fzggw", "重庆市发展和改革委员会", "市发展改革委", "municipal_department", "", "cq-gov",
     {"credit_code": "11500000MB1A00021E", "leader_name": "周建华", "leader_title": "副主任"}),
    ("jw", "重庆市教育委员会", "市教委", "municipal_department", "", "cq-gov", {"leader_name": "吴晓梅", "leader_title": "副主任"}),
    ("rlsbj", "重庆市人力资源和社会保障局", "市人力社保局", "municipal_department", "", "cq-gov", {"leader_name": "郑远航", "leader_title": "副局长"}),
    ("zfcxjw", "重庆市住房和城乡建设委员会", "市住房城乡建委", "municipal_department", "", "cq-gov", {"leader_name": "黄志刚", "leader_title": "副主任"}),
    ("wsjkw", "重庆市卫生健康委员会", "市卫生健康委", "municipal_department", "", "cq-gov", {"leader_name": "何丽华", "leader_title": "副主任"}),
    ("jtj", "重庆市交通运输委员会", "市交通运输委", "municipal_department", "", "cq-gov", {"leader_name": "邓永强", "leader_title": "副主任"}),
    ("gaj", "重庆市公安局", "市公安局", "municipal_department", "", "cq-gov", {"leader_name": "罗俊", "leader_title": "副局长"}),
    ("airport", "重庆江北国际机场", "江北机场", "window_unit", "aviation", "jtj", {"leader_name": "唐明", "leader_title": "副总经理"}),
    ("cqnorth", "重庆北站", "重庆北站", "window_unit", "rail", "jtj", {"leader_name": "曾凡", "leader_title": "副站长"}),
    ("water", "重庆市自来水有限公司", "市自来水公司", "window_unit", "water", "zfcxjw", {"leader_name": "彭丽", "leader_title": "副总经理"}),
    # Live data only (demo/livedata.py): their boards are on the portal's 便民服务 page.
    ("ferry", "重庆江城轮渡客运有限公司", "江城轮渡", "window_unit", "water_transport", "jtj",
     {"leader_name": "谭志远", "leader_title": "副总经理"}),
    ("power", "重庆山城供电有限公司", "山城供电", "window_unit", "power", "fzggw",
     {"leader_name": "秦晓东", "leader_title": "副总经理"}),
]

# unit code, site kind, site name, host name, site ID code, colour, tagline
SITES = [
    ("cq-bgt", "portal", "中国重庆", "www.cq.gov.cn", "5000000095", "#9b1c1c", "重庆市人民政府门户网站"),
    ("yuzhong", "district", "重庆市渝中区人民政府", "yuzhong.cq.gov.cn", "5001030001", "#7a1f3d", "母城渝中 · 山水之城"),
    ("jiangbei", "district", "重庆市江北区人民政府", "jiangbei.cq.gov.cn", "5001050001", "#1f4e79", "两江交汇 · 江北嘴"),
    ("shapingba", "district", "重庆市沙坪坝区人民政府", "shapingba.cq.gov.cn", "5001060001", "#225c3a", "科学城 · 大学城"),
    ("wanzhou", "district", "重庆市万州区人民政府", "wanzhou.cq.gov.cn", "5001010001", "#3b3b8f", "平湖万州 · 三峡之心"),
    ("shizhu", "district", "石柱土家族自治县人民政府", "shizhu.cq.gov.cn", "5002400001", "#5b3a1a", "康养石柱 · 黄水林海"),
    ("fzggw", "department", "重庆市发展和改革委员会", "fzggw.cq.gov.cn", "5000000101", "#8a2b06", ""),
    ("jw", "department", "重庆市教育委员会", "jw.cq.gov.cn", "5000000102", "#14532d", ""),
    ("rlsbj", "department", "重庆市人力资源和社会保障局", "rlsbj.cq.gov.cn", "5000000103", "#1e3a8a", ""),
    ("zfcxjw", "department", "重庆市住房和城乡建设委员会", "zfcxjw.cq.gov.cn", "5000000104", "#4c1d95", ""),
    ("wsjkw", "department", "重庆市卫生健康委员会", "wsjkw.cq.gov.cn", "5000000105", "#0f5257", ""),
    ("jtj", "department", "重庆市交通运输委员会", "jtj.cq.gov.cn", "5000000106", "#374151", ""),
    ("airport", "window", "重庆江北国际机场", "www.cqairport.cn", "5000000201", "#0c4a6e", "出行服务 · 航班信息"),
    ("cqnorth", "window", "重庆北站", "www.cqbeizhan.cn", "5000000202", "#134e4a", "铁路客运服务"),
    ("water", "window", "重庆市自来水有限公司", "www.cqwater.cn", "5000000203", "#1e40af", "供水服务 · 停水公告"),
]

INDEPENDENT_SITES = [
    ("gaj", "department", "重庆市公安局", "gaj.cq.gov.cn", "https://gaj.cq.gov.cn/", "5000000107"),
]

# code, name, category, update period in days (0: none)
COLUMN_KINDS = [
    ("news", "新闻动态", "news", 14),
    ("notices", "通知公告", "notices", 182),
    ("policy", "政策文件", "policy", 182),
    ("interpretation", "政策解读", "interpretation", 182),
    ("personnel", "人事信息", "personnel", 365),
    ("plans", "规划计划", "plans", 365),
    ("services", "办事服务", "services", 0),
    ("interaction", "互动交流", "interaction", 0),
    ("topic", "专题专栏", "topic", 0),
    ("overview", "概况信息", "overview", 365),
    ("social-news", "社会新闻", "social_news", 14),
]

# column title, kind code, accepts placements from other units
COLUMNS = {
    "portal": [
        ("要闻动态", "news", True), ("通知公告", "notices", True), ("政策文件", "policy", False),
        ("政策解读", "interpretation", True), ("人事信息", "personnel", False), ("规划计划", "plans", False),
        ("办事服务", "services", False), ("互动交流", "interaction", False), ("走进重庆", "overview", False),
        ("优化营商环境专题", "topic", True), ("社会新闻", "social-news", False),
    ],
    "district": [
        ("区县动态", "news", False), ("通知公告", "notices", False), ("政策文件", "policy", False),
        ("政策解读", "interpretation", False), ("人事信息", "personnel", False), ("规划计划", "plans", False),
        ("办事服务", "services", False), ("互动交流", "interaction", False), ("区情概况", "overview", False),
    ],
    "department": [
        ("工作动态", "news", False), ("通知公告", "notices", False), ("政策文件", "policy", False),
        ("政策解读", "interpretation", False), ("人事信息", "personnel", False), ("规划计划", "plans", False),
        ("办事服务", "services", False), ("互动交流", "interaction", False), ("机构概况", "overview", False),
    ],
    "window": [
        ("企业动态", "news", False), ("服务公告", "notices", False), ("服务指南", "services", False),
        ("互动交流", "interaction", False), ("单位概况", "overview", False),
    ],
}

# Columns left stale or blank on purpose, so the supervision work has something to find:
# (unit code, column title) -> days since the newest item, or None for a blank column.
STALE = {
    ("shizhu", "区县动态"): 40,
    ("shizhu", "通知公告"): 250,
    ("jtj", "通知公告"): 300,
    ("jtj", "工作动态"): 21,
    ("wanzhou", "政策文件"): 220,
    ("jiangbei", "规划计划"): None,
    ("cqnorth", "企业动态"): None,
}

# username suffix, roles; every unit listed gets these people
PEOPLE = {
    "cq-bgt": [("editor", ["editor"]), ("reviewer", ["reviewer"]), ("leader", ["leader"]),
               ("admin", ["site_admin"]), ("mailbox", ["mailbox_handler"])],
    "cq-dcs": [("supervisor", ["supervisor"])],
    "yuzhong": [("editor", ["editor"]), ("reviewer", ["reviewer"]), ("leader", ["leader"]), ("mailbox", ["mailbox_handler"]),
                ("admin", ["site_admin"])],
    "jiangbei": [("editor", ["editor"]), ("reviewer", ["reviewer"]), ("leader", ["leader"])],
    "fzggw": [("editor", ["editor"]), ("reviewer", ["reviewer"]), ("leader", ["leader"]), ("mailbox", ["mailbox_handler"])],
    "airport": [("editor", ["editor"]), ("reviewer", ["reviewer"]), ("leader", ["leader"])],
}

# Every unit a letter can be routed to (the dispatcher's form offers every unit) has
# a mailbox handler who drafts the reply and a leader who signs it off.
for _unit in UNITS:
    _people = PEOPLE.setdefault(_unit[0], [])
    for _suffix, _role in (("mailbox", "mailbox_handler"), ("leader", "leader")):
        if not any(suffix == _suffix for suffix, _roles in _people):
            _people.append((_suffix, [_role]))

# Business systems that call the open API (unit code, name, scopes). Their tokens are
# not kept: the admin's 更换令牌 (or manage.py machine_client rotate) gives one.
MACHINE_CLIENTS = [
    ("cq-bgt", "12345政务服务便民热线转办系统", ["letters.intake"]),
    ("yuzhong", "渝中区公文交换系统", ["publish"]),
    ("airport", "航班信息发布系统", ["livedata.trips"]),
    ("cqnorth", "客运信息系统", ["livedata.trips"]),
    ("ferry", "客船调度系统", ["livedata.notices", "livedata.trips"]),
    ("water", "供水服务信息系统", ["livedata.notices"]),
    ("power", "停电信息发布系统", ["livedata.notices"]),
    ("jtj", "交通运输服务企业登记系统", ["livedata.directory"]),
]

# How the demo logins name each role: the words staff use for the job.
# The roles as the admin names them (orgs.Role), so a login's words match the pages.
ROLE_WORDS = {
    "editor": "编辑", "reviewer": "审核人", "leader": "分管领导", "mailbox_handler": "信箱办理人",
    "supervisor": "监督人员", "site_admin": "网站管理员",
}
# The mayor's mailbox is handled by the General Office: its handler screens and routes every letter.
DISPATCHER_UNIT = "cq-bgt"
DISPATCHER_WORD = "调度员"

SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何罗高林"
GIVEN = ["晓明", "丽娟", "建国", "海燕", "志强", "雪梅", "永红", "文博", "静怡", "子涵", "宇航", "欣然"]


def people():
    """Every demo account but the superuser: (username, unit code, roles, full name in
    Chinese order, e-mail). The names are fixed by the order, so the loader and the
    printed logins agree."""
    for index, (code, suffix, roles) in enumerate(
        (code, suffix, roles) for code, entries in PEOPLE.items() for suffix, roles in entries
    ):
        name = SURNAMES[index % len(SURNAMES)] + GIVEN[index % len(GIVEN)]
        yield f"{code.replace('-', '_')}_{suffix}", code, roles, name, f"{code}.{suffix}@demo.cq.gov.cn"


def role_words(code, roles):
    words = [ROLE_WORDS[role] for role in roles]
    if code == DISPATCHER_UNIT and "mailbox_handler" in roles:
        words.insert(0, DISPATCHER_WORD)
    return "、".join(words)

LEXICON = [
    ("六合彩", "banned", "赌博类违法内容", ""),
    ("网络赌博", "banned", "赌博类违法内容", ""),
    ("代开发票", "banned", "违法广告", ""),
    ("枪支弹药出售", "banned", "违禁物品交易", ""),
    ("限时抢购", "commercial", "政府网站不得刊登商业广告", ""),
    ("优惠券", "commercial", "政府网站不得刊登商业广告", ""),
    ("全场包邮", "commercial", "政府网站不得刊登商业广告", ""),
    ("明星八卦", "entertainment", "政府网站不得刊登娱乐性内容", ""),
    ("娱乐圈绯闻", "entertainment", "政府网站不得刊登娱乐性内容", ""),
    ("重庆市政府办公室", "wrong_name", "机构名称错误", "重庆市人民政府办公厅"),
    ("重庆市人民政府办公室", "wrong_name", "机构名称错误", "重庆市人民政府办公厅"),
    ("国务院办公室", "wrong_name", "机构名称错误", "国务院办公厅"),
    ("重庆市发改委员会", "wrong_name", "机构名称错误", "重庆市发展和改革委员会"),
]

# Lawful contexts of lexicon terms: a notice that names the thing to combat it is not a hit.
LAWFUL_CONTEXTS = {
    "网络赌博": ["打击*", "整治*", "*违法犯罪"],
}

# code, name, time limit in working days
LETTER_TYPES = [
    ("consultation", "咨询", 5), ("complaint", "投诉", 13), ("suggestion", "建议", 10),
    ("help", "求助", 5), ("report", "举报", 15),
]

# Demo letters: mailbox unit code, type, writer, phone, title, body, what happens to it
LETTERS = [
    ("cq-bgt", "complaint", "陈思远", "13512340001", "渝中区较场口附近夜间施工噪音扰民",
     "我家住在渝中区较场口附近,最近一个月每晚十一点以后附近工地还在施工,电锯声很大,老人孩子都睡不好。我叫陈思远,电话13512340001,"
     "希望有关部门核实处理。", "replied"),
    ("cq-bgt", "suggestion", "刘佳", "13712340002", "建议大学城增开夜班公交",
     "沙坪坝大学城到市区的末班车太早,建议增开夜班公交线路,方便学生和加班的上班族。", "routed"),
    ("yuzhong", "consultation", "黄明", "13912340003", "老旧小区加装电梯如何申请补助",
     "我们小区是九十年代的老房子,想加装电梯,请问需要哪些材料、到哪里申请补助?", "screening"),
    ("fzggw", "consultation", "周静", "13612340004", "居民阶梯电价如何计算",
     "请问我市居民生活用电阶梯电价的分档标准是多少?冬季取暖用电有没有优惠?", "replied"),
]
