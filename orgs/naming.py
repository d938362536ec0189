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


def install():
    """Make the user model's ``get_full_name``/``get_short_name`` answer in Chinese order."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    User.get_full_name = full_name
    # Chinese colleagues are addressed by their whole name, not the given name alone.
    User.get_short_name = lambda user: full_name(user) or user.get_username()
