from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from guard import audit
from portal.hooks import BEFORE_PAGE_CREATE

from .models import GovDocumentPage
from .services import index_number_assign


@hooks.register("register_log_actions")
def register_disclosure_actions(actions):
    audit.register_action(actions, "disclosure.index_number.allocate", _("分配索引号"), _("为政府文件分配了索引号"))


@hooks.register(BEFORE_PAGE_CREATE)
def give_a_new_document_its_index_number(*, parent, page):
    if isinstance(page, GovDocumentPage):
        index_number_assign(page=page, parent=parent)
