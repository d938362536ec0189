"""Masking personal data in a letter (and its reply) before it is shown on the portal.

:func:`mask_personal_data` replaces personal data with ``*`` and leaves the rest
of the text as it was, so a published letter still reads naturally.

How a mask looks
    Every masked character becomes one ``*``. Separators inside a masked item
    (spaces, dashes, dots, ``·``) stay, so the text keeps its length and shape.
    Every rule needs digits, letters or Chinese characters where a mask has
    ``*``, so nothing masked is matched again: masking twice gives the same
    text. Full-width digits and letters (``１３８…``) count as ASCII ones.

What is masked
    * Mobile numbers ``1[3-9]`` + 9 digits, also as ``138 1234 5678`` or
      ``138-1234-5678`` and after ``+86``/``0086``: all digits but the leading
      ``1`` (``1**********``); the country prefix stays.
    * Landlines with an area code, ``023-68123456``, ``(023)6812 3456``,
      ``02368123456``: the local number; the area code stays (``023-********``).
      A 7–8 digit number right after 电话/手机/座机/固话/联系方式 is masked too.
      Short service numbers (110, 120, 12345, 12315, 95xxx) and 400/800
      numbers never match: they are not anybody's personal number.
    * ID card numbers: every 18-character ``17 digits + digit/X``, also written in
      the card's groups (``500102 19880808 123X``); a 15-digit (old) number only right
      after 身份证/证件(号码).
    * Bank card numbers: 16–19 digits, also in groups of four.
    * E-mail addresses: the part before ``@``; the domain stays.
    * Licence plates ``渝A12345``, ``渝A·12345``, ``渝AD12345``: everything after
      the province and city letter (``渝A*****``).
    * Addresses, down to the door: the house number after a road
      (路/街/巷/弄/大道/胡同/坡/坝/湾 + ``188号`` → ``民族路***号``, also
      ``附3号``), a village group (``石桥村3组``), building/unit/room chains
      (``5栋2单元1203`` → ``*栋*单元****``, ``3号楼502室``, ``A座1203``,
      ``小区8-2-301``) and the number after 门牌号/房号. Road, street
      (街道), community (社区), estate and landmark names stay: each covers
      thousands of people. A single ``3号``/``5楼``/``2室`` stays (it is usually a
      date, a floor or a flat layout); it is masked inside a chain.
    * Names. (a) Every string the caller passes in ``known`` (the writer's name,
      phone, e-mail …), wherever it appears: a name keeps its surname
      (``张晓明`` → ``张**``, ``欧阳晓明`` → ``欧阳**``), even when written with
      spaces between its characters; a phone number or e-mail is masked as
      above; anything else is masked whole. Values shorter than two
      characters are ignored. The given name on its own (``晓明``) is not
      searched for: it is too often an ordinary word.
      (b) A name introduced by 我叫/本人/我是/联系人/姓名/来信人/反映人/投诉人/
      举报人/申请人/署名/落款, or followed by 先生/女士/老师/师傅/同志, when it starts
      with one of the common surnames below and has one or two more characters:
      the surname stays, the rest is masked (``张晓明先生`` → ``张**先生``).
      A surname alone (``王先生``) has nothing left to mask. After 我是 only a
      name followed by punctuation counts (``我是江北区居民`` stays).
      (c) A name introduced by a relation or a role (我爱人张三, 我父亲李四,
      邻居赵刚, 经办人：刘明, 负责人, 代理人 …), the next names of a list joined
      by 、, a name right in front of a phone number (a list of contacts), and a
      signature: after 此致 敬礼, after a dash (``——王小明``), or a name alone on
      the last line (date lines after it ignored; ``张某某`` counts there).
    * House numbers in every common form: ``5-1``/``5-1-302``/``12-3号`` where
      someone says they live (住/家住/住址/地址 …) or after an estate or building
      (``翠湖苑5-1``, ``10幢2-3``), any ``5-1-302`` triple that is not a date,
      ``附2号`` on its own, ``302号房``.
    * Accounts of messaging and social services named as such (微信号, QQ, WeChat,
      抖音号, 微博号, 快手号): the account; the service's name stays.

What is kept
    Government hotlines (``GOVERNMENT_HOTLINES``), in any text. In a reply, the
    ``official`` values the caller passes (the replying unit's published phone,
    e-mail and address, see ``publication.official_contacts``), also written with
    other spacing, without the area code or without the city/district prefix.
    Names with an official title (``王局长``, ``李主任``, ``陈书记``, ``刘区长`` …):
    public officials acting in office. Dates, amounts, times, areas, document
    numbers (``渝办发〔2005〕209号``), unit names and all punctuation.

Known limits
    The rules are patterns, not understanding: ``马路11号`` ("the 11th") reads as
    a house number and is masked; a name without any of the cues above, and a
    name with an uncommon surname, is only found through ``known``.
"""

import re
from collections.abc import Iterable
from functools import lru_cache

MASK = "*"

# About 150 of the most common single-character surnames. Left out on purpose,
# although they are surnames: characters that are far more often ordinary words
# (关 成 时 明 和 全 应 单 解 师 商 车 房 路 党 管 司 安).
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁"
    "任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付傅方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴"
    "严欧莫孔向常汤康易乔赖文施洪辛柴樊葛邢齐庞颜倪庄聂章鲁岳翟殷詹耿俞左柳祝舒阮柯童凌毕裴霍涂苗盛翁"
    "冉骆游靳鲍喻蒲滕饶牟"
)
DOUBLE_SURNAMES = frozenset(
    ["欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯", "司徒", "长孙", "宇文"]
)
# Titles after which a name is a public official's, and stays.
OFFICIAL_TITLES = (
    "局长", "主任", "书记", "区长", "市长", "县长", "镇长", "乡长", "处长", "科长", "所长", "院长", "厅长", "部长",
    "主席", "委员", "代表", "队长", "站长", "校长", "馆长", "行长", "组长", "秘书长", "副",  # 副 as in 王副局长
)
# Characters that are not part of a given name (function words, place suffixes).
_NOT_GIVEN = frozenset("的了是和与及或给向对把被让请个名这那该每其某各们位全众诸等人区县市镇乡村省在有也都就还已所之")
# Words that look like a name, or the given part of one, in front of 先生/老师/同志 …
_NOT_NAMES = frozenset(["高中", "高校", "江北", "万州", "石油", "金牌", "文明", "常务", "方面", "万能", "黄桷", "广大",
                        "高考", "高兴", "谢谢", "感谢", "程序", "江南", "金额", "方便", "任何", "于是", "白天", "向往"])
# Characters that end a word in front of a name ("向王先生", "于李女士", "感谢张先生").
_AMBIGUOUS_LEAD = frozenset("向于谢")
# What may follow a name introduced by 我叫/本人 …, besides punctuation.
_AFTER_NAME = ("家住", "住在", "住", "今年", "现年", "现住", "系", "是", "男", "女", "电话", "手机", "联系", "反映",
               "身份证", "因", "于", "在此", "就读", "读书", "上学", "工作", "向", "说", "称", "等", "的")

_FULL_WIDTH = re.compile("[\uff08\uff09\uff0b\uff0d\uff0e\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000]")
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_LETTER = "A-HJ-NP-Za-hj-np-z"  # no I or O on a plate
_CN_DIGITS = "一二三四五六七八九十"


def _is_cjk(ch):
    return "\u4e00" <= ch <= "\u9fff"


def _group(n):
    return lambda m, s: [m.span(n)]


def _from(n, skip):
    """Group ``n`` without its first ``skip`` characters."""
    return lambda m, s: [(m.start(n) + skip, m.end(n))]


# Patterns start with a plain character (class) and check what comes before the
# match right after it: Python's regex engine then skips quickly to the places
# where a match may start, which keeps a long letter well under a millisecond a rule.
_EMAIL = re.compile(
    r"([A-Za-z0-9](?<![A-Za-z0-9._%+-][A-Za-z0-9])[A-Za-z0-9._%+-]*)@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
# Accounts of messaging and social services, named as such (微信号 zsf_1990, QQ:123456789).
_ACCOUNT = re.compile(
    r"(?:微信号?|[Ww][Ee][Cc][Hh][Aa][Tt]|[Qq][Qq]号?|抖音号?|微博号?|快手号?)(?:码|账号|号码)?(?:[为是:：,，]|\s)*"
    r"([A-Za-z0-9][A-Za-z0-9_.-]{4,29})(?![A-Za-z0-9_])"
)
_ID_CONTEXT = re.compile(
    r"(?:身份证|证件)(?:号码|号)?(?:[为是:：,，]|\s)*(\d{15}|\d{6}[\s-]?\d{8}[\s-]?\d{3}[\dXx])(?![0-9A-Za-z*])", re.A
)
_ID = re.compile(r"\d(?<![0-9A-Za-z*]\d)\d{16}[\dXx](?![0-9A-Za-z*])", re.A)
# An 18-character number written in the ID card's own groups (6 8 4), wherever it stands.
_ID_SPACED = re.compile(r"\d(?<![0-9A-Za-z*]\d)\d{5}[ -]\d{8}[ -]\d{3}[\dXx](?![0-9A-Za-z*])", re.A)
_BANK = re.compile(r"\d(?<![0-9A-Za-z*]\d)(?:\d{15,18}|\d{3}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)(?![0-9A-Za-z*])", re.A)
_MOBILE_TAIL = r"[3-9]\d(?:[ -]?\d{4}){2}(?![0-9*])(?!\s?[元万亿])"
_MOBILE = re.compile(r"1(?<![0-9A-Za-z*]1)" + _MOBILE_TAIL, re.A)
_MOBILE_86 = re.compile(r"(?:\+86|0086|86)[ -]?(1" + _MOBILE_TAIL + ")", re.A)  # 8613812345678
_AREA = r"0(?:10|2\d|[3-9]\d{2})"
_LOCAL = r"[2-9]\d{2,3}[ -]?\d{4}"
_LANDLINE = re.compile(rf"(?:\({_AREA}\)|{_AREA})\s?[-—]?\s?({_LOCAL})(?![0-9*])", re.A)
_PHONE_CONTEXT = re.compile(
    rf"(?:电话|手机|座机|固话|联系方式|tel|Tel|TEL)(?:号码|号)?(?:[为是:：]|\s)*({_LOCAL})(?![0-9*])", re.A
)
_PLATE = re.compile(
    rf"[{_PROVINCES}][{_PLATE_LETTER}][·•・.\- ]?"
    rf"((?=[A-Za-z0-9]{{0,5}}\d)[{_PLATE_LETTER}0-9]{{5,6}}|[{_PLATE_LETTER}0-9]{{4}}[挂学警港澳])(?![A-Za-z0-9])",
    re.A,
)
_ROAD = re.compile(r"(?:路|街|巷|弄|大道|胡同|坡|坝|湾)(\d+(?:[-之]\d+)?)号(?:附(\d+))?", re.A)
_ANNEX = re.compile(r"附(\d{1,4})号", re.A)  # 附2号: a door beside a house number, with or without it
_NOT_AFTER_NUMBER = r"(?![0-9-]|[年月日时点分秒元万亿岁个次天人%])"
# 5-1, 5-1-302, 12-3号 where someone says they live (住/家住/住址/地址 within a few characters) …
_RESIDENCE_DASH = re.compile(
    r"(?:住|住址|地址|居住|户籍)[^\n，。,;；!！?？]{0,20}?(?<![0-9-])(\d{1,3}-\d{1,4}(?:-\d{1,4})?)" + _NOT_AFTER_NUMBER, re.A
)
# … after an estate or a building (翠湖苑5-1, 10幢2-3) …
_BUILDING_DASH = re.compile(r"(?:苑|栋|幢|号楼|单元|座|号院)\s?(\d{1,3}-\d{1,4}(?:-\d{1,4})?)" + _NOT_AFTER_NUMBER, re.A)
# … and any building-unit-room triple (5-1-302), which is not a date (2026-11-26).
_TRIPLE = re.compile(r"\d(?<![0-9A-Za-z*.-]\d)\d{0,2}-\d{1,2}-(?!(?:19|20)\d\d(?!\d))\d{3,4}(?![0-9-])", re.A)
_ROOM = re.compile(r"(\d{3,4})号房", re.A)
_VILLAGE = re.compile(r"(?:村|社区)(\d+)(?:组|社|队)", re.A)
_ESTATE_DASH = re.compile(r"(?:小区|花园|苑|家园|公寓|大厦|新村|新城|广场|园|城|院|楼|号)(\d{1,3}-\d{1,2}-\d{1,4})(?![0-9-])", re.A)
_DOORPLATE = re.compile(r"(?:门牌号码|门牌号|门牌|房间号|房号)(?:[为是:：]|\s)*(\d+(?:-\d+)*)", re.A)
_UNIT = r"(?:号楼|号院|栋|幢|座|单元|楼|层|室|号|户)"
_NUM_CHAR = rf"[0-9A-Za-z{_CN_DIGITS}]"
_ELEM = rf"(?:\d{{1,4}}|[A-Za-z]|[{_CN_DIGITS}]{{1,3}}){_UNIT}"
_FIRST_ELEM = (  # _ELEM, not right after a number, a letter or 月 ("12月3号" is a date)
    rf"{_NUM_CHAR}(?<![0-9A-Za-z*月{_CN_DIGITS}]{_NUM_CHAR})"
    rf"(?:(?<=[0-9])\d{{0,3}}|(?<=[A-Za-z])|(?<=[{_CN_DIGITS}])[{_CN_DIGITS}]{{0,2}}){_UNIT}"
)
_CHAIN = re.compile(
    rf"({_FIRST_ELEM}(?:[-\s]?{_ELEM})*)([-\s]?\d{{2,4}}(?![0-9年月日时点分秒元万亿岁个次天人号%]))?", re.A
)
_ELEM_PARTS = re.compile(rf"(\d{{1,4}}|[A-Za-z]|[{_CN_DIGITS}]{{1,3}})({_UNIT})", re.A)
# Words that introduce a person's name: self-introductions, roles in a matter, and
# relations (我爱人张三, 我父亲李四, 经办人：王五, 邻居赵刚).
_RELATIONS = (
    "爱人", "丈夫", "妻子", "老公", "老婆", "父亲", "母亲", "爸爸", "妈妈", "儿子", "女儿", "哥哥", "姐姐", "弟弟", "妹妹",
    "爷爷", "奶奶", "外公", "外婆", "公公", "婆婆", "岳父", "岳母", "孙子", "孙女", "邻居", "同事", "朋友", "房东", "租客",
    "业主", "户主", "家属", "亲属", "经办人", "负责人", "代理人", "监护人", "委托人", "当事人", "收件人", "收货人", "法定代表人",
    "法人代表", "联络人", "对接人", "承办人",
)
_INTRO = re.compile(
    r"(我叫|我名叫|本人叫|本人|我是|联系人|姓名|来信人|反映人|投诉人|举报人|申请人|署名|落款|"
    + "|".join(sorted(_RELATIONS, key=len, reverse=True)) + r")(?:[:：,，]|\s)*"
)
_CJK_NAME = r"[\u4e00-\u9fff]{2,4}"
# A name right in front of a phone number, as in a list of contacts (张伟 13812345678；李娜 139…).
_NAME_BEFORE_PHONE = re.compile(
    r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]{2,4}?)\s*[:：]?\s*[(（]?\s*(?=(?:\+?86[ -]?)?1[3-9*][\d*]|0\d{2,3}[ )）-]?[2-9*][\d*]{6,7})"
)
# Signatures: 此致 敬礼 张某某 / ——王小明 / a name alone on the last line.
_SALUTE = re.compile(r"此致[\s,，。!！]*敬礼[\s,，。!！:：]*")
_DASH_SIGN = re.compile(r"(?:——|—|--|－－|~)\s*")
_SIGN_TAIL = ("敬上", "谨上", "敬呈", "上", "拜上")
_DATE_LINE = re.compile(r"^[\s\d年月日号.\-/:：一二三四五六七八九十〇零]*$")
_TITLE = re.compile(r"先生|女士|老师|师傅|同志")
_OFFICIAL = re.compile("|".join(sorted(OFFICIAL_TITLES, key=len, reverse=True)))
_AFTER = re.compile("|".join(sorted(_AFTER_NAME, key=len, reverse=True)))


def _bounded(spans):
    """``spans`` for a match that does not continue a number or a word."""

    def check(m, s):
        before = s[m.start() - 1] if m.start() else ""
        return [] if (before.isascii() and before.isalnum()) or before == MASK else spans(m, s)

    return check


def _strong(num, unit):
    return unit in ("栋", "幢", "号楼", "单元") or (unit == "室" and num.isdigit() and len(num) >= 3)


def _chain_spans(m, s):
    """Building, unit and room numbers: a chain with a building/unit (or a long room
    number), or with two or more parts of which one is in digits or a letter."""
    elems = [(p.group(1), p.group(2), p.span(1)) for p in _ELEM_PARTS.finditer(m.group(1))]
    count = len(elems) + (1 if m.group(2) else 0)
    if count == 1 and elems[0][1] in ("栋", "幢") and s[m.end():m.end() + 1] in ("楼", "房"):
        return []  # "20栋楼房": a number of buildings
    in_digits = [num[0] not in _CN_DIGITS for num, _, _ in elems]
    if not (any(_strong(num, unit) and (digits or count >= 2) for (num, unit, _), digits in zip(elems, in_digits))
            or (count >= 2 and any(in_digits))):
        return []
    start = m.start(1)
    return [(start + a, start + b) for _, _, (a, b) in elems] + ([m.span(2)] if m.group(2) else [])


def _surname_length(s, i):
    if s[i:i + 2] in DOUBLE_SURNAMES:
        return 2
    return 1 if s[i:i + 1] in SURNAMES else 0


def _plausible_given(s, start, end):
    given = s[start:end]
    return bool(given) and given not in _NOT_NAMES and all(_is_cjk(c) and c not in _NOT_GIVEN for c in given)


def _intro_spans(m, s):
    """A name right after 我叫/本人/联系人 …: the shortest that ends at a boundary."""
    i = m.end()
    size = _surname_length(s, i)
    if not size or _OFFICIAL.match(s, i + size) or s[i:i + 2] in _NOT_NAMES:
        return []
    strict = m.group(1) == "我是"  # "我是江北区居民": only a name followed by punctuation
    for given in (1, 2):
        end = i + size + given
        if end > len(s) or not _plausible_given(s, i + size, end) or s[i:end] in _NOT_NAMES:
            continue
        # After a relative (我女儿张小花在…) 在 ends the name too; after 本人 it may not (本人常年在外).
        after_relative = m.group(1) in _RELATIONS and s.startswith("在", end)
        if end == len(s) or not _is_cjk(s[end]) or (not strict and (_AFTER.match(s, end) or after_relative)):
            spans = [(i + size, end)]
            if s[end:end + 1] == "、":  # a list of names: 联系人：张伟、李娜
                spans += _intro_spans(_Continue(end + 1), s)
            return spans
    return []


class _Continue:
    """A stand-in match for the next name of a list (see ``_intro_spans``)."""

    def __init__(self, end):
        self._end = end

    def end(self):
        return self._end

    def group(self, n):
        return "、"


def _name_spans(s, start, end, signature=False):
    """The given name of ``s[start:end]`` if the whole of it is a plausible name
    (in a signature also 张某某, which some writers sign with)."""
    size = _surname_length(s, start)
    if not size or not 1 <= end - start - size <= 2 or s[start:end] in _NOT_NAMES or s[start:start + 2] in _NOT_NAMES:
        return []
    if _OFFICIAL.match(s, start + size) or _TITLE.match(s, start + size):
        return []
    given = s[start + size:end]
    if not (_plausible_given(s, start + size, end) or (signature and given and set(given) <= {"某"})):
        return []
    return [(start + size, end)]


def _name_at(s, i, whole_word=False):
    """A name starting at ``i`` and ending where the text, the line or the CJK run ends
    (or at a signature's 敬上): a signature."""
    j = i
    while j < len(s) and _is_cjk(s[j]) and j - i < 6:
        j += 1
    if j < len(s) and _is_cjk(s[j]):
        return []
    word = s[i:j]
    for tail in _SIGN_TAIL:
        if word.endswith(tail) and len(word) > len(tail) + 1:
            word = word[: -len(tail)]
            break
    return _name_spans(s, i, i + len(word), signature=True)


def _signature_spans(s):
    """A name alone on the last line (dates after it ignored): the writer's signature."""
    lines = list(re.finditer(r"[^\n]+", s))
    for line in reversed(lines):
        text = line.group()
        if not text.strip() or _DATE_LINE.match(text):
            continue
        stripped = text.strip(" \t\u3000,，.。!！")
        start = line.start() + text.index(stripped) if stripped else line.start()
        if stripped and all(_is_cjk(c) for c in stripped):
            return _name_at(s, start)
        return []
    return []


def _title_spans(m, s):
    """A name in front of 先生/女士/老师/师傅/同志: the longest that starts with a surname."""
    p = m.start()
    for start in range(max(0, p - 4), p - 1):
        size = _surname_length(s, start)
        if not size or not 1 <= p - start - size <= 2 or not _plausible_given(s, start + size, p):
            continue
        if s[start:p] in _NOT_NAMES:
            continue
        if size == 1 and s[start] in _AMBIGUOUS_LEAD and s[start + 1] in SURNAMES:
            continue  # "向王先生" is "to Mr Wang"
        return [(start + size, p)]
    return []


# (pattern, spans to mask in a match, a string the text must contain for the rule to run)
_RULES = (
    (_EMAIL, _group(1), "@"),
    (_ACCOUNT, _group(1), None),
    (_ID_CONTEXT, _group(1), None),
    (_ID, _group(0), None),
    (_ID_SPACED, _group(0), None),
    (_BANK, _group(0), None),
    (_MOBILE, _from(0, 1), None),
    (_MOBILE_86, _bounded(_from(1, 1)), None),
    (_LANDLINE, _bounded(_group(1)), None),
    (_PHONE_CONTEXT, _group(1), None),
    (_PLATE, _group(1), None),
    (_ROAD, lambda m, s: [m.span(1)] + ([m.span(2)] if m.group(2) else []), "号"),
    (_VILLAGE, _group(1), None),
    (_ANNEX, _group(1), "附"),
    (_ESTATE_DASH, _group(1), "-"),
    (_RESIDENCE_DASH, _group(1), "-"),
    (_BUILDING_DASH, _group(1), "-"),
    (_TRIPLE, _group(0), "-"),
    (_ROOM, _group(1), "号房"),
    (_DOORPLATE, _group(1), None),
    (_CHAIN, _chain_spans, None),
    (_INTRO, _intro_spans, None),
    (_TITLE, _title_spans, None),
    (_NAME_BEFORE_PHONE, lambda m, s: _name_spans(s, m.start(1), m.end(1)), None),
    (_SALUTE, lambda m, s: _name_at(s, m.end()), "敬礼"),
    (_DASH_SIGN, lambda m, s: _name_at(s, m.end(), whole_word=True), None),
)


@lru_cache(maxsize=512)
def _known_rules(known):
    """Rules like ``_RULES`` for the values a caller knows to be personal, longest first."""
    rules = []
    for value in sorted({_fold(v.strip()) for v in known if v and v.strip()}, key=len, reverse=True):
        if len(value) < 2:
            continue
        digits = re.sub(r"[\s()+-]", "", value)
        if _EMAIL.fullmatch(value):
            at = value.index("@")
            rules.append((re.compile(re.escape(value), re.I), lambda m, s, at=at: [(m.start(), m.start() + at)], "@"))
        elif digits.isdigit() and len(digits) >= 7:
            if len(digits) == 13 and digits.startswith("86"):
                digits = digits[2:]
            keep = 1 if re.fullmatch(r"1[3-9]\d{9}", digits) else 0
            area = re.match(_AREA, digits) if digits.startswith("0") and len(digits) >= 10 else None
            variants = [(digits, keep)]
            if area:  # the local number may be written without its area code
                variants = [(digits, area.end()), (digits[area.end():], 0)]
            for number, skip in variants:
                first, rest = number[0], r"[\s()-]*".join(number[1:])
                pattern = re.compile(rf"{first}(?<![0-9*]{first})[\s()-]*{rest}(?![0-9*])")
                rules.append((pattern, _digits_after(skip), None))
        elif any(_is_cjk(c) for c in value):
            chars = [c for c in value if not c.isspace()]
            size = _surname_length("".join(chars), 0) or 1
            pattern = re.compile(r"\s*".join(re.escape(c) for c in chars))
            rules.append((pattern, _chars_after(size), None))
        else:
            edge_l = r"(?<![0-9A-Za-z])" if value[0].isalnum() else ""
            edge_r = r"(?![0-9A-Za-z])" if value[-1].isalnum() else ""
            rules.append((re.compile(edge_l + re.escape(value) + edge_r, re.I), _chars_after(0), None))
    return tuple(rules)


def _digits_after(skip):
    """Mask a matched number after its first ``skip`` digits (separators do not count)."""

    def spans(m, s):
        seen = 0
        for i in range(m.start(), m.end()):
            if s[i].isdigit():
                if seen == skip:
                    return [(i, m.end())]
                seen += 1
        return []

    return spans


def _chars_after(skip):
    """Mask a match after its first ``skip`` non-space characters."""

    def spans(m, s):
        seen = 0
        for i in range(m.start(), m.end()):
            if not s[i].isspace():
                if seen == skip:
                    return [(i, m.end())]
                seen += 1
        return []

    return spans


def _fold(text):
    """Full-width digits, letters, brackets, dashes and spaces as ASCII, one character for one."""
    return _FULL_WIDTH.sub(lambda m: " " if m.group() == "\u3000" else chr(ord(m.group()) - 0xFEE0), text)


def _merge(spans):
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


# Government hotlines: never anybody's personal number, in a letter or a reply.
GOVERNMENT_HOTLINES = (
    "12345", "110", "119", "120", "122", "12315", "12369", "12333", "12358", "12365", "12366", "12319", "12320",
    "12328", "12348", "12338", "12351", "12380", "12388", "12390", "12395", "12321", "12123", "96096",
)
_HOTLINE = re.compile(
    r"(?<![0-9*])(?:0\d{2,3}[ -]?)?(?:" + "|".join(sorted(GOVERNMENT_HOTLINES, key=len, reverse=True)) + r")(?![0-9*])", re.A
)


@lru_cache(maxsize=256)
def _official_patterns(official):
    """Patterns for the official contacts a reply may name (the replying unit's
    published phones, e-mail and address), each allowed other spacing."""
    patterns = []
    for value in {_fold(v.strip()) for v in official if v and v.strip()}:
        digits = re.sub(r"[\s()+-]", "", value)
        if digits.isdigit() and len(digits) >= 5:
            variants = [digits]
            area = re.match(_AREA, digits) if digits.startswith("0") and len(digits) >= 10 else None
            if area:
                variants.append(digits[area.end():])
            for number in variants:
                patterns.append(re.compile(r"(?<![0-9])" + r"[\s()-]*".join(number) + r"(?![0-9])"))
        elif len(value) >= 4:
            # an address is often written without its city or district: 人民路232号
            variants = {value} | {value[m.end():] for m in re.finditer(r"省|市|区|县|镇|乡|街道", value)}
            for variant in variants:
                if len(variant) >= 4:
                    patterns.append(re.compile(r"\s*".join(re.escape(c) for c in variant if not c.isspace()), re.I))
    return tuple(patterns)


def _protected(s, official):
    """Spans masking leaves alone: government hotlines, and the official contacts passed in."""
    spans = [m.span() for m in _HOTLINE.finditer(s)]
    for pattern in _official_patterns(tuple(official)):
        spans += [m.span() for m in pattern.finditer(s)]
    return _merge(spans)


def _outside(hits, protected):
    """``hits`` without the parts inside a protected span."""
    if not protected:
        return hits
    result = []
    for start, end in hits:
        pieces = [(start, end)]
        for p_start, p_end in protected:
            pieces = [piece for a, b in pieces for piece in ((a, min(b, p_start)), (max(a, p_end), b)) if piece[0] < piece[1]]
        result += pieces
    return result


def mask_personal_data(text: str, *, known: Iterable[str] = (), official: Iterable[str] = ()) -> str:
    """``text`` with personal data replaced by ``*`` (the rules are in the module
    docstring). ``official``: contact data the text may name that is not personal
    (the replying unit's published phones, e-mail and address); it stays, like the
    government hotlines."""
    if not text:
        return text
    out = text
    s = _fold(text)  # the text the rules read; same length as ``out``, so positions line up
    protected = _protected(s, official)
    rules = _known_rules(tuple(v for v in known if v)) + _RULES + ((None, None, None),)
    for pattern, spans, needs in rules:
        if pattern is None:  # last: a name alone on the last line
            hits = _signature_spans(s)
        else:
            if needs and needs not in s:
                continue
            hits = [span for m in pattern.finditer(s) for span in spans(m, s)]
        hits = _outside(hits, protected)
        if not hits:
            continue
        s_parts, out_parts, done = [], [], 0
        for start, end in _merge(hits):
            # separators inside a masked item stay; so does anything already masked
            masked = [c.isalnum() for c in s[start:end]]
            s_parts += [s[done:start], "".join(MASK if x else c for x, c in zip(masked, s[start:end]))]
            out_parts += [out[done:start], "".join(MASK if x else c for x, c in zip(masked, out[start:end]))]
            done = end
        s = "".join(s_parts) + s[done:]
        out = "".join(out_parts) + out[done:]
    return out
