"""Column kinds, pages and content; sending content through review. (Creating and
registering sites is hosting's: ``hosting/sites.py``.)"""

import zlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import TaskState

from guard import audit
from orgs.authority import require_manager
from orgs.errors import (
    DomainError, PermissionRefused, clean_or_refuse, describe_validation_error, validate_or_refuse,
)

from .hooks import before_page_create
from .models import ColumnKind


@transaction.atomic
def column_kind_save(*, code, name, category, update_period, approval=None, actor=None, instance=None):
    """Create or change a column kind (management centre only, with history): a
    revision of each version, and one entry of the audit trail with the values before
    and after."""
    require_manager(actor, None)
    if update_period in (None, ""):
        raise DomainError(_("请选择栏目的更新周期;不要求定期更新的栏目请选「不要求」。"), field="update_period")
    kind = instance or ColumnKind()
    values = {"code": code, "name": name, "category": category, "update_period": update_period, "approval": approval}
    created = kind.pk is None
    # Compared with the stored row, not ``instance``: an admin form has already set its values on it.
    before, after = (None, values) if created else audit.changes(ColumnKind.objects.get(pk=kind.pk), values)
    kind.code, kind.name, kind.category, kind.update_period, kind.approval = code, name, category, update_period, approval
    validate_or_refuse(kind)
    kind.save()
    revision = kind.save_revision(user=actor)
    audit.record(kind, "portal.column_kind.create" if created else "portal.column_kind.update", actor=actor,
                 before=before, after=after, revision=revision)
    return kind


def _check_can_add(parent, actor):
    if actor is not None and not parent.permissions_for_user(actor).can_add_subpage():
        raise PermissionRefused(f"您没有在「{parent.title}」下添加内容的权限。")


def _default_slug(page):
    """ASCII slugs keep addresses readable when shared: the title if it is Latin,
    otherwise the publication date and a short checksum of the title."""
    latin = slugify(page.title)
    if latin and len(latin) >= len(page.title) // 2:
        return latin[:60]
    stamp = getattr(page, "pub_date", None) or timezone.now()
    return f"{timezone.localtime(stamp):%Y%m%d}-{zlib.crc32(page.title.encode()) % 100000:05d}"


def _free_slug(parent, base):
    taken = set(parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def page_create(*, parent, page, actor=None, publish=False):
    """Add ``page`` under ``parent`` as a draft (or published, for system loads).

    ``publish=True`` is for the demo loader and migrations only: every person
    goes through :func:`page_submit_for_review`.
    """
    _check_can_add(parent, actor)
    page.owner = actor
    page.live = publish and page.live
    page.slug = _free_slug(parent, page.slug or _default_slug(page))
    page._parent_for_clean = parent
    clean_or_refuse(page, exclude=["path", "depth", "numchild", "url_path", "draft_title", "live"])
    before_page_create(parent=parent, page=page)
    try:
        parent.add_child(instance=page)
    except ValidationError as exc:
        raise DomainError(describe_validation_error(exc, page)) from exc
    revision = page.save_revision(user=actor, log_action=True)
    if publish:
        revision.publish(user=actor)
        page.refresh_from_db()
    return page


@transaction.atomic
def page_submit_for_review(*, page, actor):
    """Start the unit's review workflow for the page's latest revision."""
    if not page.permissions_for_user(actor).can_submit_for_moderation():
        raise PermissionRefused("此页面不能提交审核(可能已在审核中,或您没有权限)。")
    workflow = page.get_workflow()
    if workflow is None:
        raise DomainError("此页面所属网站没有设置审核流程。")
    return workflow.start(page, actor)


@transaction.atomic
def page_review(*, page, actor, approve, comment=""):
    """Approve or send back the review step the page is waiting on."""
    state = page.current_workflow_state
    if state is None or state.current_task_state is None:
        raise DomainError("此页面没有待审核的步骤。")
    task_state = state.current_task_state
    task = task_state.task.specific
    names = {name for name, _, _ in task.get_actions(page, actor)}
    action = "approve" if approve else "reject"
    if action not in names:
        raise PermissionRefused(f"您不能处理「{task.name}」这一步。")
    if task_state.status != TaskState.STATUS_IN_PROGRESS:
        raise DomainError("这一步已经处理过了。")
    task.on_action(task_state, actor, action, comment=comment)
    return page.specific.__class__.objects.get(pk=page.pk)
