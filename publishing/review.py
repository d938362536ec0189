"""The review workflow (三审): the machine screening task, then the unit's reviewer
and leader, installed over a unit's site; the approved end publishes and registers."""

from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

from orgs.models import Role

from .models import ScreeningTask
from .register import register_publication

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
