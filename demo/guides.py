"""The demo city's matters and service guides (办事指南), issue 9 part 2.

Themes and life events, then each unit's matters with complete guides, filed in the
unit's 办事服务 column (a window unit's 服务指南), and a few deliberately flawed ones
the completeness check finds: two published with catch-all wording, one naming a
policy it does not link, two drafts missing elements. Blank forms and filled samples
are small XLSX files written here.

Every text is written for the demo. Laws and regulations are cited by their real
names (they are facts); the unit's own rules linked from guides are demo documents
created here. Addresses and phone numbers are demo values.
"""

import io
import zlib

from django.core.files.base import ContentFile
from wagtail.documents.models import Document

from disclosure.guides import life_event_save, theme_save
from disclosure.models import GovDocumentPage, GuideLegalBasis, GuideMaterial, GuideStep, ServiceGuidePage
from portal.models import ColumnPage
from portal.services import page_create

# The national database of laws and regulations: where a cited law or regulation is read.
LAW_DB = "https://flk.npc.gov.cn/"

THEMES = [
    ("shebao", "社会保障", "person"), ("huji", "户籍办理", "person"), ("jiaoyu", "教育", "person"),
    ("yiliao", "医疗卫生", "both"), ("zhufang", "住房保障", "person"), ("jiaotong", "交通出行", "both"),
    ("jiuye", "就业创业", "both"), ("qiye", "企业开办", "enterprise"), ("shuifei", "税费缴纳", "both"),
    ("hunyin", "婚姻登记", "person"), ("gongcheng", "工程建设", "enterprise"), ("gongyong", "水电气讯", "both"),
]
LIFE_EVENTS = [
    ("chusheng", "出生", "person"), ("shangxue", "上学", "person"), ("jiuye", "就业", "person"),
    ("hunyu", "婚育", "person"), ("zhiye", "置业", "person"), ("tuixiu", "退休", "person"),
    ("kaiban", "开办企业", "enterprise"), ("jingying", "经营纳税", "enterprise"),
    ("biangeng", "变更", "enterprise"), ("zhuxiao", "注销", "enterprise"),
]

# Each unit's service desk: handling body, place, hours, phone (demo values).
DESKS = {
    "rlsbj": ("重庆市就业和人才服务局", "重庆市政务服务中心(演示地址)二楼 B 区人力社保窗口",
              "周一至周五 9:00-12:00,13:30-17:00(法定节假日除外)", "023-88801201"),
    "jw": ("重庆市教育委员会行政审批处", "重庆市政务服务中心(演示地址)三楼教育窗口",
           "周一至周五 9:00-12:00,14:00-17:00", "023-88801302"),
    "wsjkw": ("重庆市卫生健康委员会医政医管处", "重庆市政务服务中心(演示地址)三楼卫生健康窗口",
              "周一至周五 9:00-12:00,13:30-17:30", "023-88801403"),
    "zfcxjw": ("重庆市住房和城乡建设委员会行政审批处", "重庆市政务服务中心(演示地址)四楼住房城乡建设窗口",
               "周一至周五 9:00-12:00,13:30-17:00", "023-88801504"),
    "jtj": ("重庆市交通运输综合行政执法总队运政服务科", "重庆市政务服务中心(演示地址)四楼交通运输窗口",
            "周一至周五 8:30-12:00,13:30-17:00", "023-88801605"),
    "yuzhong": ("渝中区行政服务中心", "渝中区民族路(演示地址)渝中区行政服务中心一楼",
                "周一至周五 9:00-17:00,周六 9:00-12:00(婚姻登记窗口)", "023-63801701"),
    "jiangbei": ("江北区政务服务中心", "江北区建新东路(演示地址)江北区政务服务中心二楼",
                 "周一至周五 9:00-12:00,13:00-17:00", "023-67801802"),
    "shapingba": ("沙坪坝区政务服务中心", "沙坪坝区大学城(演示地址)沙坪坝区政务服务中心一楼",
                  "周一至周五 9:00-12:00,13:30-17:30", "023-65801903"),
    "water": ("重庆市自来水有限公司客户服务中心", "渝中区(演示地址)自来水公司营业厅,或各区营业网点",
              "周一至周日 8:30-17:30(营业厅),96968 热线 24 小时", "023-96968"),
}

STEPS = {
    "licensing": [
        ("申请", "申请人", "在“渝快办”或窗口提交申请材料", None),
        ("受理", "窗口工作人员", "材料齐全、符合法定形式的当场受理;需要补正的一次性告知", 0),
        ("审查", "承办处室", "审查申请材料,必要时组织现场核查", None),
        ("决定", "分管负责人", "作出准予许可或不予许可的书面决定,不予许可的说明理由", None),
        ("送达", "窗口工作人员", "颁发证件或送达决定书,可选择邮寄", 1),
    ],
    "service": [
        ("申请", "申请人", "网上提交或到窗口提交材料", None),
        ("受理审核", "窗口工作人员", "核验材料原件,符合条件的受理并审核", None),
        ("办结", "承办机构", "出具办理结果,告知领取方式", None),
    ],
    "payment": [
        ("申请", "申请人或代办人", "提交申请及银行账户信息", None),
        ("受理", "经办窗口", "核对身份和材料,当场受理", 0),
        ("审核", "经办机构", "核查资格条件和缴费、居住等信息", None),
        ("公示", "经办机构", "按规定需要公示的,公示期内无异议的进入发放", None),
        ("发放", "经办机构", "按月发放至申请人本人社会保障卡或银行账户", None),
    ],
    "confirmation": [
        ("申请", "申请人", "提交申请表和证明材料", None),
        ("受理", "窗口工作人员", "材料齐全的受理,出具受理通知", 0),
        ("审核确认", "承办处室", "核对信息,作出确认", None),
        ("办结", "窗口工作人员", "发放结果文书或证件", None),
    ],
    "water": [
        ("报装申请", "用户", "通过营业厅、96968 热线或网上营业厅提出申请", None),
        ("现场查勘", "客户服务中心", "约定时间上门查勘,确定接水方案", 2),
        ("缴费签约", "用户", "签订供用水合同,按标准缴纳费用", None),
        ("施工通水", "工程部门", "安装水表、接通供水", None),
    ],
}

# (unit, name, code, type, audience, themes, events, basis, conditions, materials, fees,
#  (statutory, promised), steps, extra). A basis is (citation, url or "doc:<key>").
# A material is (name, form, original, copies[, note]); "表*" marks the material that
# gets a blank form and a filled sample.
MATTERS = [
    # --- 市人力社保局 -------------------------------------------------------------------
    ("rlsbj", "失业保险金申领", "RL-GF-001", "payment", "person", ["shebao", "jiuye"], ["jiuye"],
     [("《中华人民共和国社会保险法》第四十五条", LAW_DB), ("《失业保险条例》第十四条", LAW_DB),
      ("重庆市人力资源和社会保障局关于规范失业保险待遇申领经办工作的通知", "doc:rlsbj-unemp")],
     "失业前用人单位和本人已经缴纳失业保险费满一年;非因本人意愿中断就业;已经进行失业登记并有求职要求。",
     [("居民身份证或社会保障卡", "paper", "original", 1), ("失业保险金申领表*", "paper", "original", 1),
      ("解除或终止劳动关系证明", "paper", "copy", 1, "单位出具,加盖公章")],
     "不收费", (20, 5), "payment", {}),
    ("rlsbj", "就业创业证申领", "RL-GF-002", "public_service", "person", ["jiuye"], ["jiuye"],
     [("《就业服务与就业管理规定》第六十三条", LAW_DB)],
     "在法定劳动年龄内、有劳动能力和就业要求的本市常住人员,包括登记失业人员和新成长劳动力。",
     [("居民身份证", "paper", "original", 1), ("就业创业证申请登记表*", "paper", "original", 1),
      ("近期一寸免冠照片", "paper", "original", 2)],
     "不收费", (5, 1), "service", {}),
    ("rlsbj", "职工基本养老保险关系转移接续", "RL-GF-003", "public_service", "person", ["shebao"], ["jiuye", "tuixiu"],
     [("《城镇企业职工基本养老保险关系转移接续暂行办法》第五条", LAW_DB)],
     "参加职工基本养老保险、跨省或在本市各区之间流动就业,尚未达到待遇领取条件的参保人员。",
     [("居民身份证或社会保障卡", "paper", "original", 1),
      ("基本养老保险关系转移接续申请表*", "paper", "original", 1),
      ("原参保地出具的参保缴费凭证", "paper", "original", 1, "跨省转入时提供")],
     "不收费", (45, 15), "confirmation", {}),
    ("rlsbj", "职工退休申请", "RL-GF-004", "confirmation", "person", ["shebao"], ["tuixiu"],
     [("《中华人民共和国社会保险法》第十六条", LAW_DB),
      ("《国务院关于渐进式延迟法定退休年龄的办法》第三条", LAW_DB)],
     "达到法定退休年龄,累计缴纳基本养老保险费达到国家规定的最低缴费年限。",
     [("居民身份证", "paper", "original", 1), ("职工退休审批表*", "paper", "original", 2, "单位签章"),
      ("本人档案", "paper", "original", 1, "由存档机构调阅,无需本人携带")],
     "不收费", (20, 10), "confirmation", {}),
    ("rlsbj", "创业担保贷款申请", "RL-GF-005", "public_service", "both", ["jiuye"], ["jiuye", "kaiban"],
     [("《创业担保贷款实施办法》(财金〔2024〕44号)", LAW_DB)],
     "在本市创业的城镇登记失业人员、高校毕业生、返乡创业农民工等,已办理营业执照且经营正常,本人及配偶无不良信用记录。",
     [("居民身份证", "paper", "original", 1), ("营业执照", "paper", "copy", 1),
      ("创业担保贷款申请表*", "paper", "original", 1), ("创业项目计划书", "paper", "original", 1, "写明经营内容、资金用途和还款来源")],
     "不收费(贷款利息按贴息政策执行)", (20, 10), "service", {}),
    ("rlsbj", "劳务派遣经营许可", "RL-XK-006", "licensing", "enterprise", ["qiye", "jiuye"], ["kaiban"],
     [("《中华人民共和国劳动合同法》第五十七条", LAW_DB), ("《劳务派遣行政许可实施办法》第六条", LAW_DB)],
     "注册资本不少于人民币二百万元;有与开展业务相适应的固定经营场所和设施;有符合法律、行政法规规定的劳务派遣管理制度。",
     [("劳务派遣经营许可申请书*", "paper", "original", 1), ("营业执照", "paper", "copy", 1),
      ("法定代表人身份证", "paper", "copy", 1), ("经营场所使用证明", "paper", "copy", 1),
      ("劳务派遣管理制度文本", "paper", "original", 1, "含劳动合同、劳动报酬、社会保险、工作时间等内容")],
     "不收费", (20, 10), "licensing", {}),
    # --- 市教委 -----------------------------------------------------------------------------
    ("jw", "中小学教师资格认定", "JW-QR-001", "confirmation", "person", ["jiaoyu", "jiuye"], ["jiuye"],
     [("《中华人民共和国教师法》第十一条", LAW_DB), ("《教师资格条例》第十二条", LAW_DB)],
     "具有完全民事行为能力,思想品德良好;具备相应学历;普通话水平达到二级乙等以上;中小学教师资格考试合格;体检合格。",
     [("居民身份证", "paper", "original", 1), ("学历证书", "paper", "original", 1),
      ("教师资格认定体检表", "paper", "original", 1, "在指定医院体检"), ("近期一寸免冠照片", "electronic", "original", 1)],
     "不收费", (60, 30), "confirmation", {}),
    ("jw", "民办学校办学许可(实施学历教育)", "JW-XK-002", "licensing", "enterprise", ["jiaoyu", "qiye"], ["kaiban"],
     [("《中华人民共和国民办教育促进法》第十二条", LAW_DB), ("《中华人民共和国民办教育促进法实施条例》第十二条", LAW_DB)],
     "举办者为具有法人资格的社会组织或具有完全民事行为能力的个人;有符合规定的校舍、师资和办学经费;章程和决策机构符合规定。",
     [("民办学校办学许可申请书*", "paper", "original", 1), ("学校章程", "paper", "original", 1),
      ("校舍产权或租赁证明", "paper", "copy", 1), ("资产来源和验资证明", "paper", "original", 1),
      ("拟任校长和教师名单及资格证明", "paper", "copy", 1)],
     "不收费", (90, 60), "licensing", {}),
    ("jw", "普通高中学生转学", "JW-GG-003", "public_service", "person", ["jiaoyu"], ["shangxue"],
     [("《中小学生学籍管理办法》第十三条", LAW_DB)],
     "在本市普通高中就读、因监护人工作调动或家庭住址迁移需要转学,且转入学校同意接收的学生。",
     [("学生转学申请表*", "paper", "original", 1, "转出、转入学校签署意见"),
      ("监护人工作调动或住址变动证明", "paper", "copy", 1), ("学生居民身份证或户口簿", "paper", "copy", 1)],
     "不收费", (15, 5), "service", {}),
    ("jw", "家庭经济困难学生资助申请", "JW-GF-004", "payment", "person", ["jiaoyu", "shebao"], ["shangxue"],
     [("《学生资助资金管理办法》第十五条", LAW_DB)],
     "在本市普通高中或中等职业学校就读,家庭经济困难(含低保、特困、残疾等家庭)的全日制学生。",
     [("学生资助申请表*", "paper", "original", 1), ("学生居民身份证或户口簿", "paper", "copy", 1),
      ("家庭经济困难认定结果", "electronic", "original", 1, "由学校通过学生资助系统调取")],
     "不收费", (30, 20), "payment", {}),
    ("jw", "中等职业学校学历证明书办理", "JW-GG-005", "public_service", "person", ["jiaoyu"], ["jiuye"],
     [("《中等职业学校学生学籍管理办法》第四十三条", LAW_DB)],
     "在本市中等职业学校取得毕业证书、原证书遗失或损毁的毕业生。",
     [("居民身份证", "paper", "original", 1), ("学历证明书申请表", "paper", "original", 1),
      ("毕业学校出具的学籍证明", "paper", "original", 1)],
     "不收费", (20, 7), "service", {}),
    # --- 市卫生健康委 -------------------------------------------------------------------
    ("wsjkw", "医师执业注册", "WJ-XK-001", "licensing", "person", ["yiliao", "jiuye"], ["jiuye"],
     [("《中华人民共和国医师法》第十三条", LAW_DB), ("《医师执业注册管理办法》第九条", LAW_DB)],
     "取得医师资格,拟在本市医疗、预防、保健机构中执业,且无不予注册情形。",
     [("医师执业注册申请审核表*", "paper", "original", 1), ("医师资格证书", "paper", "original", 1),
      ("近 6 个月内的健康体检证明", "paper", "original", 1), ("拟执业机构的聘用证明", "paper", "original", 1)],
     "不收费", (20, 10), "licensing", {}),
    ("wsjkw", "医疗机构执业登记", "WJ-XK-002", "licensing", "enterprise", ["yiliao", "qiye"], ["kaiban"],
     [("《医疗机构管理条例》第十五条", LAW_DB), ("《医疗机构管理条例实施细则》第二十五条", LAW_DB)],
     "按照设置规划设置、有符合基本标准的场所、设备和卫生技术人员,有相应的规章制度,能够独立承担民事责任。",
     [("医疗机构执业登记申请书*", "paper", "original", 1), ("医疗机构用房产权或使用证明", "paper", "copy", 1),
      ("建筑设计平面图", "paper", "original", 1), ("卫生技术人员名录及执业证书", "paper", "copy", 1),
      ("规章制度文本", "paper", "original", 1)],
     "不收费", (45, 20), "licensing", {}),
    ("wsjkw", "出生医学证明补发", "WJ-GG-003", "public_service", "person", ["yiliao", "huji"], ["chusheng"],
     [("《中华人民共和国母婴保健法》第二十三条", LAW_DB)],
     "在本市出生、原《出生医学证明》遗失的婴儿,由其父母或监护人申请。",
     [("出生医学证明补发申请表*", "paper", "original", 1), ("父母双方居民身份证", "paper", "original", 1),
      ("出生时的住院病历复印件", "paper", "copy", 1, "由分娩医院病案室盖章")],
     "不收费", (20, 10), "service", {}),
    ("wsjkw", "护士执业注册", "WJ-XK-004", "licensing", "person", ["yiliao", "jiuye"], ["jiuye"],
     [("《护士条例》第七条", LAW_DB), ("《护士执业注册管理办法》第六条", LAW_DB)],
     "通过国家护士执业资格考试;在教学、综合医院完成 8 个月以上护理临床实习;符合健康标准。",
     [("护士执业注册申请审核表", "paper", "original", 1), ("护士执业资格考试成绩合格证明", "paper", "copy", 1),
      ("近 6 个月内的健康体检证明", "paper", "original", 1), ("拟执业机构的聘用证明", "paper", "original", 1)],
     "不收费", (20, 10), "licensing", {}),
    ("wsjkw", "公共场所卫生许可", "WJ-XK-005", "licensing", "enterprise", ["yiliao", "qiye"], ["kaiban"],
     [("《公共场所卫生管理条例》第八条", LAW_DB)],
     "宾馆、游泳场所、美容美发等公共场所的经营者,场所布局、设施和卫生管理制度符合卫生标准和规范。",
     [("公共场所卫生许可申请表*", "paper", "original", 1), ("营业执照", "paper", "copy", 1),
      ("场所平面布局图", "paper", "original", 1), ("卫生管理制度和从业人员健康合格证明", "paper", "copy", 1)],
     "不收费", (20, 7), "licensing", {}),
    # --- 市住房城乡建委 ---------------------------------------------------------------------
    ("zfcxjw", "建筑工程施工许可", "ZJ-XK-001", "licensing", "enterprise", ["gongcheng"], ["jingying"],
     [("《中华人民共和国建筑法》第八条", LAW_DB), ("《建筑工程施工许可管理办法》第四条", LAW_DB)],
     "已办理用地批准手续;已取得建设工程规划许可证;施工场地已基本具备施工条件;已确定施工企业;有满足施工需要的资金安排和施工图纸。",
     [("建筑工程施工许可申请表*", "electronic", "original", 1), ("建设工程规划许可证", "electronic", "original", 1),
      ("施工合同", "electronic", "original", 1), ("施工图设计文件审查合格书", "electronic", "original", 1)],
     "不收费", (7, 3), "licensing", {}),
    ("zfcxjw", "公共租赁住房申请", "ZJ-GG-002", "public_service", "person", ["zhufang"], ["zhiye", "jiuye"],
     [("《公共租赁住房管理办法》第七条", LAW_DB), ("重庆市公共租赁住房申请审核规程", "doc:zfcxjw-gongzu")],
     "年满 18 周岁,在本市有稳定工作和收入来源,本人及家庭成员在主城区无住房或人均住房建筑面积低于 13 平方米。",
     [("公共租赁住房申请表*", "paper", "original", 1), ("申请人及共同申请人居民身份证", "paper", "copy", 1),
      ("劳动合同或营业执照", "paper", "copy", 1), ("住房情况声明", "paper", "original", 1, "申请人签字承诺")],
     "不收费", (30, 20), "service", {}),
    ("zfcxjw", "建筑业企业资质(施工总承包三级)核准", "ZJ-XK-003", "licensing", "enterprise", ["gongcheng", "qiye"], ["kaiban", "biangeng"],
     [("《建筑业企业资质管理规定》第十条", LAW_DB)],
     "企业净资产、注册建造师、技术职称人员和技术工人数量达到资质标准;近期无重大安全质量事故。",
     [("建筑业企业资质申请表", "electronic", "original", 1), ("营业执照", "electronic", "copy", 1),
      ("注册建造师注册证书及社保证明", "electronic", "copy", 1), ("企业净资产证明", "electronic", "original", 1)],
     "不收费", (20, 10), "licensing", {}),
    ("zfcxjw", "商品房预售许可", "ZJ-XK-004", "licensing", "enterprise", ["zhufang", "gongcheng"], ["jingying"],
     [("《中华人民共和国城市房地产管理法》第四十五条", LAW_DB), ("《城市商品房预售管理办法》第五条", LAW_DB)],
     "已交付全部土地使用权出让金,取得土地使用权证书;持有建设工程规划许可证和施工许可证;投入开发建设的资金达到工程建设总投资的百分之二十五以上。",
     [("商品房预售许可申请表*", "paper", "original", 1), ("土地使用权证书", "paper", "copy", 1),
      ("建设工程规划许可证和施工许可证", "paper", "copy", 1), ("工程施工进度证明", "paper", "original", 1, "监理单位出具")],
     "不收费", (10, 5), "licensing", {}),
    ("zfcxjw", "房屋建筑工程竣工验收备案", "ZJ-BA-005", "other", "enterprise", ["gongcheng"], ["jingying"],
     [("《房屋建筑和市政基础设施工程竣工验收备案管理办法》第五条", LAW_DB)],
     "工程已完成设计和合同约定的各项内容,建设单位已组织竣工验收且验收合格。",
     [("竣工验收备案表*", "paper", "original", 2), ("工程竣工验收报告", "paper", "original", 1),
      ("规划、消防等部门出具的认可文件", "paper", "copy", 1), ("工程质量保修书", "paper", "original", 1)],
     "不收费", (15, 5), "confirmation", {}),
    # --- 市交通运输委 ---------------------------------------------------------------------
    ("jtj", "道路旅客运输经营许可", "JT-XK-001", "licensing", "enterprise", ["jiaotong", "qiye"], ["kaiban"],
     [("《中华人民共和国道路运输条例》第八条", LAW_DB), ("《道路旅客运输及客运站管理规定》第十条", LAW_DB)],
     "有与经营业务相适应并经检测合格的客车;有符合条件的驾驶人员;有健全的安全生产管理制度。",
     [("道路旅客运输经营申请表*", "paper", "original", 1), ("企业章程和营业执照", "paper", "copy", 1),
      ("拟投入车辆承诺书", "paper", "original", 1), ("驾驶人员从业资格证", "paper", "copy", 1),
      ("安全生产管理制度文本", "paper", "original", 1)],
     "不收费", (20, 10), "licensing", {}),
    ("jtj", "网络预约出租汽车驾驶员证核发", "JT-XK-002", "licensing", "person", ["jiaotong", "jiuye"], ["jiuye"],
     [("《网络预约出租汽车经营服务管理暂行办法》第十四条", LAW_DB),
      ("《出租汽车驾驶员从业资格管理规定》第十条", LAW_DB)],
     "取得相应准驾车型机动车驾驶证并具有 3 年以上驾驶经历;无交通肇事犯罪、危险驾驶犯罪记录;无吸毒和暴力犯罪记录;考试合格。",
     [("网约车驾驶员从业资格申请表*", "paper", "original", 1), ("机动车驾驶证", "paper", "original", 1),
      ("居民身份证", "paper", "original", 1), ("无犯罪记录证明", "electronic", "original", 1, "由公安机关出具,可网上核验")],
     "不收费", (20, 5), "licensing", {}),
    ("jtj", "道路货物运输经营许可", "JT-XK-003", "licensing", "enterprise", ["jiaotong", "qiye"], ["kaiban"],
     [("《中华人民共和国道路运输条例》第二十一条", LAW_DB)],
     "有与经营业务相适应并经检测合格的货运车辆;有符合条件的驾驶人员;有安全生产管理制度。使用总质量 4.5 吨及以下普通货运车辆的除外。",
     [("道路货物运输经营申请表", "paper", "original", 1), ("营业执照", "paper", "copy", 1),
      ("车辆行驶证和检测合格证明", "paper", "copy", 1), ("驾驶人员从业资格证", "paper", "copy", 1)],
     "不收费", (20, 7), "licensing", {}),
    ("jtj", "超限运输车辆行驶公路许可", "JT-XK-004", "licensing", "enterprise", ["jiaotong"], ["jingying"],
     [("《公路安全保护条例》第三十五条", LAW_DB), ("《超限运输车辆行驶公路管理规定》第八条", LAW_DB)],
     "运输不可解体物品、确需超限行驶公路的车辆,已制定运输方案,按要求采取加固、改造等措施。",
     [("超限运输车辆通行申请表*", "electronic", "original", 1), ("车辆行驶证", "electronic", "copy", 1),
      ("货物和车货总体外廓尺寸图", "electronic", "original", 1), ("护送方案", "electronic", "original", 1, "大型物件运输提供")],
     "不收费", (15, 5), "licensing", {}),
    ("jtj", "机动车驾驶员培训经营备案", "JT-BA-005", "other", "enterprise", ["jiaotong", "qiye"], ["kaiban"],
     [("《中华人民共和国道路运输条例》第三十九条", LAW_DB), ("《机动车驾驶员培训管理规定》第十二条", LAW_DB)],
     "已取得营业执照,有健全的培训机构和管理制度,有与培训业务相适应的教学人员、教练车辆和教练场地。",
     [("机动车驾驶员培训备案表", "paper", "original", 1), ("营业执照", "paper", "copy", 1),
      ("教练场地使用证明", "paper", "copy", 1), ("教练员名册及资格证明", "paper", "copy", 1)],
     "不收费", (5, 3), "confirmation", {}),
    # --- 渝中区 ------------------------------------------------------------------------------
    ("yuzhong", "内地居民结婚登记", "YZ-MZ-001", "confirmation", "person", ["hunyin"], ["hunyu"],
     [("《中华人民共和国民法典》第一千零四十九条", LAW_DB), ("《婚姻登记条例》第五条", LAW_DB)],
     "男女双方自愿结婚,男年满 22 周岁、女年满 20 周岁,双方均无配偶,且无直系血亲或三代以内旁系血亲关系。",
     [("双方居民身份证", "paper", "original", 1), ("双方近期半身免冠合影照片", "paper", "original", 3, "2 寸"),
      ("申请结婚登记声明书", "paper", "original", 1, "在登记员面前签署")],
     "不收费", (1, 0), [("预约", "当事人", "通过“渝快办”预约登记日期,也可现场取号", None),
                         ("核验身份", "婚姻登记员", "查验证件、询问双方结婚意愿", None),
                         ("签署声明", "当事人", "双方亲自签署声明书并按指纹", None),
                         ("颁发结婚证", "婚姻登记员", "当场颁发结婚证", 0)],
     {"handling_body": "渝中区民政局婚姻登记处"}),
    ("yuzhong", "最低生活保障申请", "YZ-MZ-002", "payment", "person", ["shebao"], [],
     [("《社会救助暂行办法》第十一条", LAW_DB), ("《最低生活保障审核确认办法》第六条", LAW_DB)],
     "持有渝中区户籍,共同生活的家庭成员人均收入低于本市最低生活保障标准,且家庭财产状况符合规定。",
     [("最低生活保障申请书*", "paper", "original", 1), ("家庭成员居民身份证或户口簿", "paper", "copy", 1),
      ("家庭经济状况核对授权书", "paper", "original", 1, "每位家庭成员签字")],
     "不收费", (30, 20), "payment", {"handling_body": "渝中区民政局社会救助科(各街道便民服务中心受理)"}),
    ("yuzhong", "个体工商户设立登记", "YZ-SJ-003", "licensing", "enterprise", ["qiye"], ["kaiban"],
     [("《促进个体工商户发展条例》第八条", LAW_DB), ("《中华人民共和国市场主体登记管理条例》第十九条", LAW_DB)],
     "有经营能力的自然人,有固定的经营场所,经营范围不属于法律法规禁止的项目。",
     [("个体工商户登记申请书*", "paper", "original", 1), ("经营者居民身份证", "paper", "original", 1),
      ("经营场所使用证明", "paper", "copy", 1, "自有房屋提供产权证,租赁房屋提供租赁合同")],
     "不收费", (3, 1), "licensing", {"handling_body": "渝中区市场监督管理局"}),
    ("yuzhong", "食品经营许可", "YZ-SJ-004", "licensing", "enterprise", ["qiye"], ["kaiban", "jingying"],
     [("《中华人民共和国食品安全法》第三十五条", LAW_DB), ("《食品经营许可和备案管理办法》第十二条", LAW_DB)],
     "有与经营的食品品种、数量相适应的经营场所和设施,有食品安全管理人员和保证食品安全的规章制度。",
     [("食品经营许可申请书", "electronic", "original", 1), ("营业执照", "electronic", "copy", 1),
      ("经营场所平面图和设备布局图", "electronic", "original", 1), ("食品安全管理制度", "electronic", "original", 1)],
     "不收费", (10, 5), "licensing", {"handling_body": "渝中区市场监督管理局"}),
    ("yuzhong", "高龄老人津贴申领", "YZ-MZ-005", "payment", "person", ["shebao"], ["tuixiu"],
     [("渝中区高龄老人津贴发放实施细则", "doc:yuzhong-gaoling")],
     "具有渝中区户籍、年满 80 周岁的老年人。",
     [("老年人居民身份证或户口簿", "paper", "original", 1), ("高龄津贴申请表*", "paper", "original", 1),
      ("本人社会保障卡", "paper", "copy", 1, "用于发放津贴")],
     "不收费", (20, 10), "payment", {"handling_body": "渝中区民政局养老服务科(各街道便民服务中心受理)"}),
    # --- 江北区 -----------------------------------------------------------------------------
    ("jiangbei", "内地居民离婚登记", "JB-MZ-001", "confirmation", "person", ["hunyin"], ["hunyu"],
     [("《中华人民共和国民法典》第一千零七十六条、第一千零七十七条", LAW_DB), ("《婚姻登记条例》第十一条", LAW_DB)],
     "双方自愿离婚,对子女抚养、财产及债务处理等事项协商一致,并在婚姻登记处办理结婚登记的一方户籍在本区。",
     [("双方居民身份证和户口簿", "paper", "original", 1), ("结婚证", "paper", "original", 1),
      ("离婚协议书", "paper", "original", 3, "双方签名")],
     "不收费", (None, 0), [("申请", "双方当事人", "共同到婚姻登记处提交申请,领取离婚登记申请受理回执单", None),
                          ("冷静期", "双方当事人", "自受理之日起 30 日内,任何一方不愿离婚的可以撤回申请", None),
                          ("申请发证", "双方当事人", "冷静期届满后 30 日内,双方共同到场申请发给离婚证", None),
                          ("审查发证", "婚姻登记员", "审查无误的当场发给离婚证", 0)],
     {"handling_body": "江北区民政局婚姻登记处",
      "notes": "<p>离婚冷静期为 30 日,按自然日计算;冷静期届满后双方到场的,当场发给离婚证。</p>"}),
    ("jiangbei", "临时救助申请", "JB-MZ-002", "payment", "person", ["shebao"], [],
     [("《社会救助暂行办法》第四十七条", LAW_DB)],
     "因火灾、交通事故等意外事件或家庭成员突发重大疾病,导致基本生活暂时出现严重困难的家庭或个人。",
     [("临时救助申请书*", "paper", "original", 1), ("居民身份证或户口簿", "paper", "copy", 1),
      ("遭遇困难的证明", "paper", "copy", 1, "如医疗费用票据、事故认定书")],
     "不收费", (15, 5), "payment", {"handling_body": "江北区民政局(各街道、镇便民服务中心受理)"}),
    ("jiangbei", "有限责任公司设立登记", "JB-SJ-003", "licensing", "enterprise", ["qiye"], ["kaiban"],
     [("《中华人民共和国公司法》第二十九条", LAW_DB), ("《中华人民共和国市场主体登记管理条例》第十六条", LAW_DB)],
     "股东符合法定人数,有符合公司章程规定的出资,有公司名称和住所,建立了符合要求的组织机构。",
     [("公司登记(备案)申请书*", "paper", "original", 1), ("公司章程", "paper", "original", 1),
      ("股东主体资格证明", "paper", "copy", 1), ("住所使用证明", "paper", "copy", 1),
      ("法定代表人、董事、监事和经理的任职文件", "paper", "original", 1)],
     "不收费", (3, 1), "licensing", {"handling_body": "江北区市场监督管理局"}),
    ("jiangbei", "城市道路占用、挖掘许可", "JB-SZ-004", "licensing", "enterprise", ["jiaotong", "gongcheng"], ["jingying"],
     [("《城市道路管理条例》第三十条、第三十一条", LAW_DB)],
     "因工程建设确需占用或挖掘城市道路,已征得公安交通管理部门同意,有施工方案和交通组织方案。",
     [("占用挖掘城市道路申请表*", "paper", "original", 1), ("施工方案和交通组织方案", "paper", "original", 1),
      ("施工区域平面图", "paper", "original", 1)],
     "按《重庆市城市道路占用费收费标准》缴纳占道费", (20, 5), "licensing", {"handling_body": "江北区城市管理局"}),
    ("jiangbei", "生育登记", "JB-WJ-005", "public_service", "person", ["yiliao"], ["hunyu", "chusheng"],
     [("《中华人民共和国人口与计划生育法》第二十条", LAW_DB)],
     "夫妻一方户籍在江北区,或一方在江北区居住的育龄夫妻。",
     [("夫妻双方居民身份证", "electronic", "copy", 1, "网上登记时拍照上传"),
      ("生育登记信息表", "electronic", "original", 1, "网上填写")],
     "不收费", (1, 0), "service", {"handling_body": "江北区卫生健康委员会(街道、镇可代办)"}),
    # --- 沙坪坝区 ---------------------------------------------------------------------------
    ("shapingba", "义务教育阶段入学登记", "SPB-JW-001", "public_service", "person", ["jiaoyu"], ["shangxue"],
     [("《中华人民共和国义务教育法》第十二条", LAW_DB)],
     "适龄儿童少年户籍在沙坪坝区,或随在本区务工、居住的父母就学。",
     [("学生户口簿", "paper", "original", 1), ("监护人居民身份证", "paper", "original", 1),
      ("房屋产权证明或居住证", "paper", "copy", 1), ("入学登记表*", "paper", "original", 1)],
     "不收费", (30, 15), "service", {"handling_body": "沙坪坝区教育委员会(由划片学校受理)"}),
    ("shapingba", "残疾人两项补贴申领", "SPB-MZ-002", "payment", "person", ["shebao"], [],
     [("《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》", LAW_DB)],
     "具有沙坪坝区户籍、持有第二代残疾人证,属于困难残疾人(低保家庭)或一、二级重度残疾人。",
     [("残疾人两项补贴申请审批表*", "paper", "original", 1), ("第二代残疾人证", "paper", "original", 1),
      ("本人社会保障卡或银行卡", "paper", "copy", 1)],
     "不收费", (20, 15), "payment", {"handling_body": "沙坪坝区民政局(各街道、镇便民服务中心受理)"}),
    ("shapingba", "企业注销登记", "SPB-SJ-003", "licensing", "enterprise", ["qiye"], ["zhuxiao"],
     [("《中华人民共和国市场主体登记管理条例》第三十一条", LAW_DB), ("《中华人民共和国公司法》第二百三十九条", LAW_DB)],
     "企业已依法清算完毕,清偿了债务,结清了应缴税款和社会保险费;适用简易注销的,全体投资人作出承诺。",
     [("注销登记申请书*", "paper", "original", 1), ("清算报告或全体投资人承诺书", "paper", "original", 1),
      ("清税证明", "electronic", "original", 1, "税务部门已推送的无需提交")],
     "不收费", (3, 1), "licensing", {"handling_body": "沙坪坝区市场监督管理局"}),
    ("shapingba", "户外广告设施设置许可", "SPB-CG-004", "licensing", "enterprise", ["qiye"], ["jingying"],
     [("《城市市容和环境卫生管理条例》第十一条", LAW_DB)],
     "设置地点符合户外广告设施设置规划;设施结构安全,不影响交通和周边居民生活。",
     [("户外广告设施设置申请表", "paper", "original", 1), ("设施设计效果图和结构图", "paper", "original", 1),
      ("设置场地使用证明", "paper", "copy", 1)],
     "不收费", (20, 10), "licensing", {"handling_body": "沙坪坝区城市管理局"}),
    ("shapingba", "特困人员救助供养申请", "SPB-MZ-005", "payment", "person", ["shebao"], ["tuixiu"],
     [("《社会救助暂行办法》第十四条", LAW_DB), ("《特困人员认定办法》第四条", LAW_DB)],
     "老年人、残疾人或未满 16 周岁的未成年人,无劳动能力、无生活来源,且无法定赡养、抚养、扶养义务人或义务人无履行能力。",
     [("特困人员救助供养申请书*", "paper", "original", 1), ("居民身份证或户口簿", "paper", "copy", 1),
      ("残疾人证或医疗诊断证明", "paper", "copy", 1, "以残疾或疾病为由申请时提供")],
     "不收费", (20, 15), "payment", {"handling_body": "沙坪坝区民政局(各街道、镇便民服务中心受理)"}),
    # --- 市自来水公司 -------------------------------------------------------------------
    ("water", "用水报装(新装)", "WS-BZ-001", "public_service", "both", ["gongyong"], ["zhiye", "kaiban"],
     [("《城市供水条例》第二十二条", LAW_DB)],
     "供水管网覆盖范围内的新建住宅、商铺和企业,已取得房屋产权或使用证明。",
     [("用水报装申请表*", "paper", "original", 1), ("用户居民身份证或营业执照", "paper", "copy", 1),
      ("房屋产权或使用证明", "paper", "copy", 1)],
     "按重庆市物价部门核定的接水工程费标准收取,查勘后书面告知", (None, 10), "water", {}),
    ("water", "用水过户", "WS-GH-002", "public_service", "person", ["gongyong"], ["zhiye"],
     [("《城市供水条例》第二十二条", LAW_DB)],
     "房屋产权已变更,原户已结清水费。",
     [("用水过户申请表*", "paper", "original", 1), ("新户主居民身份证", "paper", "copy", 1),
      ("不动产权证书", "paper", "copy", 1)],
     "不收费", (None, 1), [("申请", "新户主", "到营业厅或通过网上营业厅提交材料", None),
                           ("抄表结算", "抄表员", "核对读数,结清原户水费", 1),
                           ("变更户名", "营业厅", "更新用户档案,出具过户确认单", None)], {}),
    ("water", "水表移装、改装", "WS-YZ-003", "public_service", "person", ["gongyong"], [],
     [("《城市供水条例》第二十五条", LAW_DB)],
     "因房屋装修或改造需要移动、更换水表位置的用户,已结清水费。",
     [("水表移装申请表", "paper", "original", 1), ("户主居民身份证", "paper", "copy", 1)],
     "按移装工程量收费,查勘后书面告知", (None, 7), "water", {}),
    ("water", "水费代扣签约", "WS-JF-004", "public_service", "both", ["gongyong", "shuifei"], ["jingying"],
     [("《城市供水条例》第二十八条", LAW_DB)],
     "已开户的供水用户,持有本人或本单位名下的银行结算账户。",
     [("水费委托代扣协议*", "paper", "original", 2), ("户主居民身份证或营业执照", "paper", "copy", 1),
      ("银行卡或对公账户证明", "paper", "copy", 1)],
     "不收费", (None, 3), "service", {}),
]

# The flawed guides the completeness check must find (unit, name, code, publish, what is wrong).
FLAWED = [
    ("jiangbei", "住房租赁合同登记备案", "JB-ZJ-006", True, "vague"),
    ("water", "用水性质变更", "WS-BG-005", True, "vague"),
    ("jtj", "巡游出租汽车车辆营运证核发", "JT-XK-006", True, "unlinked"),
    ("rlsbj", "职业技能培训补贴申领", "RL-GF-007", False, "missing"),
    ("wsjkw", "母婴保健技术服务执业许可", "WJ-XK-006", False, "missing"),
]

# Demo documents of the library that guides link to (key: unit, title, number, topic, body).
DOCUMENTS = {
    "rlsbj-unemp": ("rlsbj", "重庆市人力资源和社会保障局关于规范失业保险待遇申领经办工作的通知", "渝人社发〔2026〕12号", "labour",
                    ["一、失业人员可通过“渝快办”、社会保障卡服务网点或经办窗口申领失业保险金,经办机构不得要求提供法定材料以外的证明。",
                     "二、材料齐全的,经办机构应当当场受理,并在 5 个工作日内完成审核。",
                     "三、失业保险金按月发放至本人社会保障卡金融账户。"]),
    "zfcxjw-gongzu": ("zfcxjw", "重庆市公共租赁住房申请审核规程", "渝建发〔2026〕7号", "construction",
                      ["第一条 为规范公共租赁住房申请、审核和配租工作,制定本规程。",
                       "第二条 申请人可在户籍地、工作地或居住地的街道(乡镇)提交申请。",
                       "第三条 区住房保障机构自受理之日起 20 个工作日内完成审核,审核结果公示 5 个工作日。"]),
    "yuzhong-gaoling": ("yuzhong", "渝中区高龄老人津贴发放实施细则", "渝中府办发〔2026〕3号", "civil",
                        ["第一条 本细则适用于具有渝中区户籍、年满 80 周岁的老年人。",
                         "第二条 津贴标准:80 至 89 周岁每人每月 100 元,90 至 99 周岁每人每月 300 元,100 周岁以上每人每月 600 元。",
                         "第三条 津贴按月发放至本人社会保障卡。"]),
}

# The units' policy column by site kind (demo/city.py COLUMNS).
POLICY_COLUMN = "政策文件"


def load(*, now=None):
    """Themes, life events, the demo documents guides link to, and every matter."""
    from orgs.models import SiteRecord

    themes = {code: theme_save(actor=None, code=code, name=name, audience=audience, sort_order=i)
              for i, (code, name, audience) in enumerate(THEMES)}
    events = {code: life_event_save(actor=None, code=code, name=name, audience=audience, sort_order=i)
              for i, (code, name, audience) in enumerate(LIFE_EVENTS)}
    homes = {r.unit.code: r.site.root_page.specific
             for r in SiteRecord.objects.filter(site__isnull=False).select_related("unit", "site__root_page")}
    columns = {code: ColumnPage.objects.child_of(home).filter(kind__category="services").first()
               for code, home in homes.items()}
    documents = {key: _document(homes[unit], unit, title, number, topic, paragraphs, now)
                 for key, (unit, title, number, topic, paragraphs) in DOCUMENTS.items()}
    count = 0
    for matter in MATTERS:
        page = _guide(matter, themes, events, documents, homes)
        page_create(parent=columns[matter[0]], page=page, publish=True)
        count += 1
    for flawed in FLAWED:
        page = _flawed(flawed, themes, events)
        page_create(parent=columns[flawed[0]], page=page, publish=flawed[3])
        count += 1
    return count


def _document(home, unit_code, title, number, topic, paragraphs, now):
    import datetime as dt

    from django.utils import timezone

    column = ColumnPage.objects.child_of(home).filter(title=POLICY_COLUMN).first()
    now = now or timezone.now()
    doc = GovDocumentPage(
        title=title, doc_type="normative", issuing_organ=home.unit.name, document_number=number,
        date_written=(now - dt.timedelta(days=60)).date(), pub_date=now - dt.timedelta(days=55), topic=topic,
        keywords="办事指南 依据", body="".join(f"<p>{p}</p>" for p in paragraphs),
        summary="办事指南引用的本单位规范性文件(演示)。",
    )
    return page_create(parent=column, page=doc, publish=True)


def _guide(matter, themes, events, documents, homes):
    unit, name, code, kind, audience, theme_codes, event_codes, bases, conditions, materials, fees, limits, steps, extra = matter
    body, place, hours, phone = DESKS[unit]
    statutory, promised = limits
    page = ServiceGuidePage(
        title=name, matter_code=code, matter_type=kind, audience=audience,
        summary=f"{homes[unit].unit.short_name or homes[unit].unit.name}办理的{name}事项的办事指南。",
        legal_basis=";".join(c if c.startswith("《") else f"《{c}》" for c, _link in bases),
        conditions=conditions, place=place, handling_body=extra.get("handling_body", body), fees=fees, hours=hours,
        phone=phone, statutory_limit_days=statutory, promised_limit_days=promised, notes=extra.get("notes", ""),
    )
    page.legal_bases = [
        GuideLegalBasis(citation=c, document=documents[link[4:]]) if link.startswith("doc:")
        else GuideLegalBasis(citation=c, url=link)
        for c, link in bases
    ]
    page.materials = [_material(m, unit, name) for m in materials]
    page.steps = [GuideStep(name=n, actor=a, description=d, limit_days=days)
                  for n, a, d, days in (STEPS[steps] if isinstance(steps, str) else steps)]
    page.themes = [themes[c] for c in theme_codes]
    page.life_events = [events[c] for c in event_codes]
    return page


def _material(spec, unit, matter):
    name, form, original, copies, *rest = spec
    note = rest[0] if rest else ""
    with_forms = name.endswith("*")
    name = name.rstrip("*")
    material = GuideMaterial(name=name, form=form, original=original, copies=copies, note=note)
    if with_forms:
        material.blank_form = _form_file(unit, matter, name, filled=False)
        material.sample = _form_file(unit, matter, name, filled=True)
    return material


# The fields of every demo form, with the sample's values.
FORM_FIELDS = [
    ("申请人姓名或单位名称", "张晓明"), ("证件类型及号码", "居民身份证 500103********1234"),
    ("联系电话", "138****5678"), ("联系地址", "重庆市渝中区(演示地址)解放碑街道 8 号"),
    ("申请事项", None), ("申请理由", "符合申请条件,材料齐全,特此申请。"),
    ("申请人签名(盖章)", "张晓明"), ("申请日期", "2026 年 11 月 20 日"),
]


def _form_file(unit, matter, material, *, filled):
    """A small real XLSX: the form's title and its fields, blank or filled as a sample."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    from orgs.models import Unit

    book = Workbook()
    sheet = book.active
    sheet.title = "样本" if filled else "申请表"
    sheet["A1"] = material + ("(填写样本)" if filled else "")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"事项:{matter}"
    thin = Side(style="thin")
    for row, (label, value) in enumerate(FORM_FIELDS, start=4):
        sheet.cell(row=row, column=1, value=label)
        cell = sheet.cell(row=row, column=2, value=(value or matter) if filled else "")
        for c in (sheet.cell(row=row, column=1), cell):
            c.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            c.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 48
    out = io.BytesIO()
    book.save(out)
    owner = Unit.objects.get(code=unit)
    kind = "填写样本" if filled else "空白表格"
    title = f"{material}({kind})"
    document = Document(title=title, collection=owner.collection) if owner.collection_id else Document(title=title)
    # Downloaded under the material's own name; a folder per unit and matter keeps two
    # matters' forms of the same name apart (no random suffix in the name people see).
    folder = f"{unit}/{zlib.crc32(f'{matter}/{material}'.encode()):08x}"
    document.file.save(f"{folder}/{material}-{kind}.xlsx", ContentFile(out.getvalue()), save=False)
    document.save()
    return document


def _flawed(spec, themes, events):
    unit, name, code, _publish, flaw = spec
    body, place, hours, phone = DESKS[unit]
    page = ServiceGuidePage(title=name, matter_code=code, audience="person", handling_body=body, place=place,
                            hours=hours, phone=phone, fees="不收费", statutory_limit_days=20, promised_limit_days=10)
    page.steps = [GuideStep(name=n, actor=a, description=d, limit_days=days) for n, a, d, days in STEPS["service"]]
    if name == "住房租赁合同登记备案":
        page.matter_type, page.themes = "other", [themes["zhufang"]]
        page.legal_basis = "《商品房屋租赁管理办法》第十四条"
        page.legal_bases = [GuideLegalBasis(citation="《商品房屋租赁管理办法》第十四条", url=LAW_DB)]
        page.conditions = "房屋租赁合同订立后 30 日内,由出租人和承租人到房屋所在地街道办理。"
        page.materials = [GuideMaterial(name="房屋租赁合同", form="paper", original="original", copies=1),
                          GuideMaterial(name="出租人和承租人身份证明", form="paper", original="copy", copies=1),
                          GuideMaterial(name="其他相关材料", form="paper", original="copy", copies=1)]
    elif name == "用水性质变更":
        page.themes = [themes["gongyong"]]
        page.legal_basis = "《城市供水条例》第二十六条"
        page.legal_bases = [GuideLegalBasis(citation="《城市供水条例》第二十六条", url=LAW_DB)]
        page.conditions = "用水用途发生变化(如住宅改为商铺)的用户,以及相关部门要求的其他情形。"
        page.materials = [GuideMaterial(name="用水性质变更申请表", form="paper", original="original", copies=1),
                          GuideMaterial(name="营业执照等相关材料", form="paper", original="copy", copies=1)]
    elif name == "巡游出租汽车车辆营运证核发":
        page.matter_type, page.audience, page.themes = "licensing", "enterprise", [themes["jiaotong"]]
        page.life_events = [events["jingying"]]
        page.legal_basis = "《巡游出租汽车经营服务管理规定》第十四条;《重庆市出租汽车客运管理条例》第十二条"
        page.legal_bases = [GuideLegalBasis(citation="《巡游出租汽车经营服务管理规定》第十四条", url=LAW_DB),
                            GuideLegalBasis(citation="《重庆市出租汽车客运管理条例》第十二条")]
        page.conditions = "已取得巡游出租汽车经营许可和车辆经营权,车辆符合本市出租汽车技术标准并安装计价器、顶灯和车载终端。"
        page.materials = [GuideMaterial(name="车辆营运证申请表", form="paper", original="original", copies=1),
                          GuideMaterial(name="机动车行驶证", form="paper", original="copy", copies=1),
                          GuideMaterial(name="车辆经营权证明", form="paper", original="copy", copies=1)]
    elif name == "职业技能培训补贴申领":
        # A draft: desk details not filled in yet (place, body, fees, hours, phone).
        page.themes, page.life_events = [themes["jiuye"]], [events["jiuye"]]
        page.place = page.handling_body = page.hours = page.phone = page.fees = ""
        page.legal_basis = "《职业技能提升行动资金管理办法》"
        page.legal_bases = [GuideLegalBasis(citation="《职业技能提升行动资金管理办法》", url=LAW_DB)]
        page.conditions = "参加本市职业技能培训并取得职业资格证书或职业技能等级证书的劳动者。"
        page.materials = [GuideMaterial(name="职业技能等级证书", form="paper", original="copy", copies=1)]
    else:  # 母婴保健技术服务执业许可: a draft without materials or steps yet
        page.matter_type, page.audience, page.themes = "licensing", "enterprise", [themes["yiliao"]]
        page.legal_basis = "《中华人民共和国母婴保健法》第三十二条"
        page.legal_bases = [GuideLegalBasis(citation="《中华人民共和国母婴保健法》第三十二条", url=LAW_DB)]
        page.conditions = "医疗机构开展婚前医学检查、产前诊断等母婴保健技术服务,符合相应的人员、设备和场所条件。"
        page.steps = []
    return page
