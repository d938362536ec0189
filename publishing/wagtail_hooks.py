from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from guard import audit
from orgs.scopes import PUBLISH

from . import views
from .queries import review_outcome_message


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("register/", views.register_index, name="publication_register"),
        path("withdrawals/", views.withdrawal_requests, name="publishing_withdrawals"),
        path("publish-grants/<int:client_id>/", views.publish_grants, name="publishing_grants"),
    ]


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return MenuItem("发布登记", reverse("publication_register"), icon_name="list-ul", order=900)


@hooks.register("register_admin_menu_item")
def withdrawals_menu_item():
    return MenuItem("撤稿申请", reverse("publishing_withdrawals"), icon_name="undo", order=905)


@hooks.register("register_machine_client_links")
def publish_grant_link(request, client):
    """orgs' pages of a machine client link here for its publish API columns."""
    if client.has_scope(PUBLISH) and client.revoked_at is None:
        return [(_("发布栏目"), reverse("publishing_grants", args=[client.pk]))]
    return []


@hooks.register("register_log_actions")
def register_publishing_actions(actions):
    # Entries of the retired publishing.ApiClient (now orgs.MachineClient) keep their labels.
    audit.register_action(actions, "publishing.api_client.create", "登记发布接口", "登记了发布接口")
    audit.register_action(actions, "publishing.api_client.update", "修改发布接口", "修改了发布接口")
    audit.register_action(actions, "publishing.api_client.rotate", "更换接口令牌", "更换了发布接口令牌")
    audit.register_action(actions, "publishing.grant.update", "修改发布栏目", "修改了接口客户端可以提交的栏目")
    audit.register_action(actions, "publishing.api.submit", "接口提交", "业务系统经发布接口提交")
    audit.register_action(actions, "publishing.api.withdraw", "接口撤回", "业务系统撤回了审核中的内容")
    audit.register_action(actions, "publishing.api.withdrawal_request", "申请撤稿", "业务系统申请撤下已发布的内容")
    audit.register_action(actions, "publishing.api.withdrawal_approve", "同意撤稿", "分管领导同意业务系统的撤稿申请,已撤下")
    audit.register_action(actions, "publishing.api.withdrawal_decline", "不予撤稿", "分管领导不同意业务系统的撤稿申请")


@hooks.register("before_edit_page")
def refuse_a_step_already_taken(request, page):
    """A second press of 批准 (a double click, a resubmitted form) finds the step
    taken: say so instead of acting on a review that has moved on."""
    if request.method == "POST" and request.POST.get("action-workflow-action"):
        state = page.current_workflow_state
        if state is None or state.current_task_state is None or \
                state.current_task_state.status != state.current_task_state.STATUS_IN_PROGRESS:
            messages.error(request, _("「%(title)s」的这一步审核已经处理过了,当前状态见下方。")
                           % {"title": page.get_admin_display_title()})
            return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("after_edit_page")
def say_where_the_review_went(request, page):
    """Wagtail answers an approval in the editor with "page updated"; say what the
    approval did (moved on, published, restarted because the content changed)."""
    if request.method == "POST" and request.POST.get("action-workflow-action"):
        message = review_outcome_message(page=page, user=request.user)
        if message:
            messages.success(request, message)
