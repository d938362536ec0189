"""People's names in Chinese order.

Accounts keep Django's two name fields: ``last_name`` holds the family name (姓) and
``first_name`` the given name (名), as ``person_create`` stores them. Django joins
them given name first with a space ("晓明 张"); every place that shows a person
(Wagtail's admin, its user list and audit log, the mailbox staff pages, messages)
asks ``get_full_name()``, so that one method answers in the order people read:
family name first, no space ("张晓明"). Names written in Latin letters keep the
Western order.
"""

import re

_LATIN = re.compile(r"^[\x00-\u024f\s.'-]*$")


def full_name(user):
    given, family = (user.first_name or "").strip(), (user.last_name or "").strip()
    if _LATIN.match(given + family):
        return f"{given} {family}".strip()
    return f"{family}{given}"


# Two-character family names (复姓) that a full name may begin with; any other
# Chinese name has a one-character family name.
COMPOUND_FAMILY_NAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 夏侯 轩辕 令狐 端木 呼延 "
    "百里 东郭 南宫 西门 独孤 申屠 太史 闻人 澹台 公冶 宗政 濮阳 淳于 单于 仲孙 钟离 拓跋 万俟".split()
)


def split_full_name(name):
    """``(family, given)`` of a full name as people write it: Chinese family name
    first (one character, or two for a compound family name), a Latin name given
    name first and family name last."""
    name = " ".join((name or "").split())
    if not name:
        return "", ""
    if _LATIN.match(name):
        given, _space, family = name.rpartition(" ")
        return family, given
    name = name.replace(" ", "")
    length = 2 if name[:2] in COMPOUND_FAMILY_NAMES and len(name) > 2 else 1
    return name[:length], name[length:]


def install():
    """Make the user model's ``get_full_name``/``get_short_name`` answer in Chinese order."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    User.get_full_name = full_name
    # Chinese colleagues are addressed by their whole name, not the given name alone.
    User.get_short_name = lambda user: full_name(user) or user.get_username()
