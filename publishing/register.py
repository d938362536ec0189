"""The publication register (发布登记): one record per publication, with its review
levels, and the unit's register as an XLSX workbook."""

from io import BytesIO

from django.utils import timezone
from wagtail.models import TaskState

from guard.sheets import append_row

from .models import ApiSubmission, PublicationRecord

# The one approval level of a page migrated from an independent site.
MIGRATION_LEVEL = "网站迁移"


def register_publication(*, page, workflow_state=None, user=None):
    """The register line of ``page``, just published by ``user``: with the approved
    levels of ``workflow_state`` (the review that published it), if any."""
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
    return _record(
        page=page, user=user, approvals=approvals,
        submitted_by=workflow_state.requested_by.get_username() if workflow_state and workflow_state.requested_by else "",
        submitted_at=workflow_state.created_at if workflow_state else None,
    )


def register_migrated_publication(*, page, user, original_url, original_published):
    """The register line of a page migrated from an independent site and published
    by ``user`` (who ran the migration): its submitter, with the migration as its
    one approval level, naming the old address and the original publication date."""
    by = user.get_username() if user else "系统"
    approval = {
        "level": MIGRATION_LEVEL,
        "by": by,
        "at": timezone.now().isoformat(),
        "comment": f"自独立网站迁移;原网址 {original_url};原发布日期 {timezone.localtime(original_published):%Y-%m-%d}",
    }
    return _record(page=page, user=user, approvals=[approval], submitted_by=by, submitted_at=None)


def _record(*, page, user, approvals, submitted_by, submitted_at):
    revision = page.live_revision or page.get_latest_revision()
    home = page.home
    column = page.get_parent()
    submission = ApiSubmission.objects.filter(page_id=page.pk).select_related("client").order_by("-id").first()
    return PublicationRecord.objects.create(
        unit=home.unit,
        page=page,
        page_title=page.title,
        page_type=str(page._meta.verbose_name),
        revision=revision,
        submitted_by=submitted_by,
        submitted_at=submitted_at,
        approvals=approvals,
        published_by=user.get_username() if user else "系统",
        published_at=timezone.now(),
        column_title=column.title if column else "",
        api_client=submission.client if submission else None,
    )


REGISTER_HEADERS = ["发布时间", "标题", "类型", "栏目", "版本", "提交人", "提交时间", "各级审核", "发布人", "来源"]


def register_rows(unit):
    records = PublicationRecord.objects.filter(unit=unit).select_related("api_client").order_by("published_at", "id")
    for rec in records:
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
            f"发布接口:{rec.api_client.name}" if rec.api_client else "后台",
        ]


def register_export_xlsx(unit):
    """The unit's publication register as an XLSX workbook (bytes)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="发布登记")
    append_row(sheet, [f"{unit.name} 信息发布登记簿"])
    append_row(sheet, REGISTER_HEADERS)
    for row in register_rows(unit):
        append_row(sheet, row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
