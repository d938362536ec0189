from wagtail import hooks

from portal.hooks import BEFORE_PAGE_CREATE

from .models import GovDocumentPage
from .services import index_number_assign


@hooks.register(BEFORE_PAGE_CREATE)
def give_a_new_document_its_index_number(*, parent, page):
    if isinstance(page, GovDocumentPage):
        index_number_assign(page=page, parent=parent)
