from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_disclosure_actions(actions):
    actions.register_action("disclosure.index_number.allocate", _("分配索引号"), _("为政府文件分配了索引号"))
