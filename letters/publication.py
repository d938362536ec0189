"""What the public sees of a published letter: everything personal masked.

The public version is computed once, when the leader decides to publish
(``services.reply_decide``), shown to the leader beside the original before that
decision, and stored on the letter (``public_title``, ``public_body``,
``public_reply``). The public pages, their search and any feed read only those
fields, so nothing that masking removed can be found through them.
"""

import re
from dataclasses import dataclass


@dataclass
class PublicVersion:
    title: str
    body: str
    reply: str


def official_contacts(unit_id):
    """The replying unit's own published contact data (its sites' footer phone,
    e-mail and address, and its mailboxes' addresses): official, not personal, so a
    reply keeps them visible."""
    from orgs.models import SiteRecord

    from .models import Mailbox

    values = []
    for phone, email, address in SiteRecord.objects.filter(unit_id=unit_id).values_list(
        "contact_phone", "contact_email", "address"
    ):
        values += [phone, email, address]
    values += list(Mailbox.objects.filter(unit_id=unit_id).values_list("email", flat=True))
    return tuple(v for v in values if v)


# What writers put around their name in the name field (我叫王小明, 王小明先生).
_NAME_LEAD = re.compile(r"^(?:我叫|我是|我名叫|本人|姓名)[:：\s]*")
_NAME_TAIL = re.compile(r"(?:先生|女士|同志|老师)$")


def name_forms(name):
    """The name as written and as a reply would write it (no 我叫, no 先生)."""
    name = (name or "").strip()
    bare = _NAME_TAIL.sub("", _NAME_LEAD.sub("", name)).strip(" ,，。:：")
    return tuple(dict.fromkeys(v for v in (name, bare) if v))


def writer_data(letter):
    return tuple(v for v in (*name_forms(letter.writer_name), letter.writer_phone, letter.writer_email) if v)


def public_version(letter, reply):
    """The masked title, body and reply of ``letter`` (``reply``: the approved one)."""
    from .masking import mask_personal_data

    known = writer_data(letter)
    official = official_contacts(reply.unit_id) if reply is not None else ()
    return PublicVersion(
        title=mask_personal_data(letter.title, known=known),
        body=mask_personal_data(letter.body, known=known),
        reply=mask_personal_data(reply.body, known=known, official=official) if reply is not None else "",
    )
