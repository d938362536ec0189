from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views
from guard import audit
from .admin_sites import site_record_viewset
from .services import may_migrate


class MigrationMenuItem(MenuItem):
    """Shown to the portal management centre only."""

    def is_shown(self, request):
        return may_migrate(request.user)


@hooks.register("register_admin_urls")
def register_urls():
    return [path("hosting/", include((admin_views.urlpatterns, "hosting_admin"), namespace="hosting_admin"))]


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return MigrationMenuItem("网站迁移", reverse("hosting_admin:index"), name="site-migration", icon_name="upload",
                             order=880)


@hooks.register("register_log_actions")
def register_migration_actions(actions):
    audit.register_action(actions, "hosting.site.register", "登记网站", "登记了网站")
    # Written by the site services before they moved from portal to hosting; kept so
    # that older entries still read in Chinese.
    audit.register_action(actions, "orgs.site.register", "登记网站", "登记了网站")
    audit.register_action(actions, "hosting.migration.create", "登记网站迁移", "上传了网站导出包")
    audit.register_action(actions, "hosting.migration.start", "开始网站迁移", "开始(或继续)了网站迁移")
    audit.register_action(actions, "hosting.migration.supersede", "迁移被接替", "新的导出包接替了未完成的网站迁移")
    audit.register_action(actions, "hosting.migration.run", "执行网站迁移", "后台任务开始(或继续)执行网站迁移")
    audit.register_action(actions, "hosting.migration.stop", "网站迁移停止", "网站迁移中止或失败,可继续迁移")
    audit.register_action(actions, "hosting.migration.finish", "网站迁移完成", "网站迁移完成,网站已开通")
    audit.register_action(actions, "hosting.item.migrate", "迁移发布", "从独立网站迁移并发布")
    audit.register_action(actions, "hosting.item.hold", "迁移待审", "从独立网站迁移,筛查命中,存为草稿待审核")
    audit.register_action(actions, "hosting.site.hosted", "网站迁入平台", "独立网站迁入平台托管")


@hooks.register("register_admin_viewset")
def register_site_records():
    return site_record_viewset
