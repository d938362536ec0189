"""Review workflows and the publication register."""

from io import BytesIO

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from wagtail.models import GroupApprovalTask, TaskState, Workflow, WorkflowPage, WorkflowTask

from orgs.models import Role

from .models import PublicationRecord, ScreeningTask

SCREENING_TASK_NAME = "机器筛查"


def screening_task():
    task = ScreeningTask.objects.filter(name=SCREENING_TASK_NAME).first()
    return task or ScreeningTask.objects.create(name=SCREENING_TASK_NAME)


@transaction.atomic
def unit_workflow_install(*, unit, root_page):
    """Give ``unit`` its 三审 workflow (machine, reviewer, leader) over ``root_page``."""
    workflow = Workflow.objects.create(name=f"{unit.short_name or unit.name}三审")
    reviewer = GroupApprovalTask.objects.create(name=f"{unit.short_name or unit.name}审核")
    reviewer.groups.set([Group.objects.get(name=unit.group_name(Role.REVIEWER))])
    leader = GroupApprovalTask.objects.create(name=f"{unit.short_name or unit.name}领导审签")
    leader.groups.set([Group.objects.get(name=unit.group_name(Role.LEADER))])
    for order, task in enumerate([screening_task(), reviewer, leader]):
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    WorkflowPage.objects.update_or_create(page=root_page, defaults={"workflow": workflow})
    return workflow


def publish_approved_workflow_state(workflow_state, user=None):
    """Called by Wagtail when the last review task approves: publish and register.

    Nobody holds the right to publish directly (see ReviewedPagePermissionTester),
    so the approved end of the workflow publishes without that check.
    """
    page = workflow_state.content_object
    page.get_latest_revision().publish(user=user, skip_permission_checks=True)
    if hasattr(page, "specific"):
        register_publication(page=page.specific, workflow_state=workflow_state, user=user)


def register_publication(*, page, workflow_state=None, user=None):
    revision = page.live_revision or page.get_latest_revision()
    approvals = []
    if workflow_state is not None:
        states = (
            workflow_state.task_states.filter(status=TaskState.STATUS_APPROVED)
            .select_related("task", "finished_by")
            .order_by("started_at", "id")
        )
        for state in states:
            approvals.append(
                {
                    "level": state.task.name,
                    "by": state.finished_by.get_username() if state.finished_by else "系统",
                    "at": state.finished_at.isoformat() if state.finished_at else None,
                    "comment": state.comment,
                }
            )
    home = page.home
    column = page.get_parent()
    return PublicationRecord.objects.create(
        unit=home.unit,
        page=page,
        page_title=page.title,
        page_type=str(page._meta.verbose_name),
        revision=revision,
        submitted_by=workflow_state.requested_by.get_username() if workflow_state and workflow_state.requested_by else "",
        submitted_at=workflow_state.created_at if workflow_state else None,
        approvals=approvals,
        published_by=user.get_username() if user else "系统",
        published_at=timezone.now(),
        column_title=column.title if column else "",
    )


REGISTER_HEADERS = ["发布时间", "标题", "类型", "栏目", "版本", "提交人", "提交时间", "各级审核", "发布人"]


def register_rows(unit):
    for rec in PublicationRecord.objects.filter(unit=unit).order_by("published_at", "id"):
        yield [
            timezone.localtime(rec.published_at).strftime("%Y-%m-%d %H:%M"),
            rec.page_title,
            rec.page_type,
            rec.column_title,
            rec.revision_id or "",
            rec.submitted_by,
            timezone.localtime(rec.submitted_at).strftime("%Y-%m-%d %H:%M") if rec.submitted_at else "",
            ";".join(f"{a['level']}:{a['by']}" for a in rec.approvals),
            rec.published_by,
        ]


def register_export_xlsx(unit):
    """The unit's publication register as an XLSX workbook (bytes)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="发布登记")
    sheet.append([f"{unit.name} 信息发布登记簿"])
    sheet.append(REGISTER_HEADERS)
    for row in register_rows(unit):
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
