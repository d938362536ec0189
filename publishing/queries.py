"""Reads shared by the publish API, the admin and the tests."""

from wagtail.models import Page, TaskState, WorkflowState

from portal.models import ColumnPage

from .models import ApiSubmission, PublishGrant, WithdrawalState


def site_root_paths(unit):
    """Tree paths of the home pages of the sites ``unit`` runs on the platform."""
    return list(
        Page.objects.filter(sites_rooted_here__record__unit=unit).order_by("path").values_list("path", flat=True)
    )


def unit_columns(unit):
    """Every column on ``unit``'s hosted sites."""
    paths = site_root_paths(unit)
    if not paths:
        return ColumnPage.objects.none()
    from django.db.models import Q

    under = Q()
    for path in paths:
        under |= Q(path__startswith=path)
    return ColumnPage.objects.filter(under)


def granted_columns(client):
    """Pks of the columns ``client``'s publish grants name (empty: no narrowing)."""
    return list(PublishGrant.objects.filter(client=client).values_list("column_id", flat=True))


def client_columns(client):
    """The published columns ``client`` (an ``orgs.MachineClient``) may submit to: its
    unit's, narrowed to the columns granted to it if any were."""
    columns = unit_columns(client.unit).live()
    chosen = granted_columns(client)
    if chosen:
        columns = columns.filter(pk__in=chosen)
    return columns.select_related("kind").order_by("path")


def column_trails(columns):
    """``{column pk: "网站 / 栏目 / 子栏目"}`` for a list of columns, in one query."""
    def ancestors(column):  # from the site's home page down, without the column itself
        return [column.path[:end] for end in range(ColumnPage.steplen * 2, len(column.path), ColumnPage.steplen)]

    titles = dict(Page.objects.filter(path__in={p for c in columns for p in ancestors(c)}).values_list("path", "title"))
    return {c.pk: " / ".join([titles.get(p, "") for p in ancestors(c)] + [c.title]) for c in columns}


STATUS_LABELS = {
    "in_review": "审核中",
    "rejected": "退回修改",
    "published": "已发布",
    "withdrawal_requested": "已申请撤下",
    "withdrawn": "已撤回",
    "unpublished": "已下线",
    "cancelled": "审核已取消",
    "deleted": "已删除",
}


def submission_status(submission):
    """Where a submitted item stands, as the business system is told it."""
    page = submission.page.specific if submission.page_id and submission.page else None
    status = {"step": None, "step_number": None, "comment": "", "url": None, "published_at": None,
              "index_number": getattr(page, "index_number", None) or None}
    if page is None:
        code = "deleted"
    elif submission.withdrawal == WithdrawalState.WITHDRAWN:
        code = "withdrawn"
        status["comment"] = submission.withdrawal_comment or submission.withdrawal_reason
    elif page.live:
        code = "withdrawal_requested" if submission.withdrawal == WithdrawalState.REQUESTED else "published"
        status["url"] = page.get_full_url()
        status["published_at"] = page.last_published_at
        if submission.withdrawal == WithdrawalState.DECLINED:
            status["comment"] = f"撤稿申请未获同意:{submission.withdrawal_comment}"
    elif page.first_published_at is not None:
        code = "unpublished"
    else:
        code, step, number, comment = _review_position(page)
        status.update(step=step, step_number=number, comment=comment)
    status.update(code=code, label=STATUS_LABELS[code])
    return status


def _review_position(page):
    state = WorkflowState.objects.for_instance(page).order_by("-created_at", "-id").first()
    if state is None or state.status == WorkflowState.STATUS_CANCELLED:
        return "cancelled", None, None, ""
    task_state = state.current_task_state
    if task_state is None:
        return "in_review", None, None, ""
    task = task_state.task
    order = list(state.workflow.workflow_tasks.order_by("sort_order").values_list("task_id", flat=True))
    number = order.index(task.pk) + 1 if task.pk in order else None
    if state.status == WorkflowState.STATUS_NEEDS_CHANGES or task_state.status == TaskState.STATUS_REJECTED:
        return "rejected", task.name, number, task_state.comment
    return "in_review", task.name, number, ""


def pending_withdrawals(units):
    return (
        ApiSubmission.objects.filter(withdrawal=WithdrawalState.REQUESTED, client__unit__in=units)
        .select_related("client", "client__unit", "page")
        .order_by("withdrawal_requested_at", "id")
    )


def review_outcome_message(*, page, user):
    """What the step ``user`` just took in ``page``'s review led to, in a sentence for
    the admin's message bar; None if ``user`` took no step in its latest review."""
    from django.utils.translation import gettext as _

    state = WorkflowState.objects.for_instance(page).order_by("-id").first()
    if state is None:
        return None
    mine = (
        state.task_states.filter(finished_by=user).exclude(status=TaskState.STATUS_CANCELLED)
        .select_related("task").order_by("-finished_at", "-id").first()
    )
    if mine is None:
        return None
    title = page.get_admin_display_title()
    if mine.status == TaskState.STATUS_REJECTED:
        return _("「%(title)s」已退回修改,编辑修改后可再次提交审核。") % {"title": title}
    if mine.status != TaskState.STATUS_APPROVED:
        return None
    if state.status == WorkflowState.STATUS_APPROVED:
        page.refresh_from_db(fields=["live"])
        if page.live:
            return _("「%(title)s」已批准,审核完成,已发布。") % {"title": title}
        return _("「%(title)s」已批准,审核完成。") % {"title": title}
    current = state.current_task_state
    latest_revision_id = page.get_latest_revision().pk if page.get_latest_revision() else None
    if mine.revision_id != latest_revision_id and current is not None:
        return _("「%(title)s」的内容有修改,已保存为新版本并重新进入审核,当前环节:%(task)s。") % {
            "title": title, "task": current.task.name}
    if current is not None and current.status == TaskState.STATUS_IN_PROGRESS:
        return _("「%(title)s」已批准,已转交「%(task)s」。") % {"title": title, "task": current.task.name}
    return _("「%(title)s」已批准。") % {"title": title}
