"""Disclosure's data, one module per part of the app:

- ``documents``: government documents and their disclosure metadata (索引号 …);
- ``guides``: matters (事项) and their service guides (办事指南), themes and life events;
- ``catalogue``: the government-information catalogue (the tree of statutory
  content and its template), policy interpretations and annual reports;
- ``applications``: applications for disclosure (依申请公开).

Later parts (unit profiles, online forms) add a module each and are imported here,
so ``disclosure.models`` stays the one public name other apps use.
"""

from .applications import (  # noqa: F401
    AnswerDocument, AnswerKind, ApplicantType, Application, ApplicationCounter, ApplicationEvent, AppStatus,
    Delivery, IdType, OPEN_APP_STATUSES, RefusalReason,
)
from .catalogue import (  # noqa: F401
    AnnualReportPage, CatalogueNode, CatalogueTemplateNode, DisclosureTextPage, InterpretationPage,
)
from .documents import DocumentType, GovDocumentPage, IndexCounter, TopicCategory, Validity  # noqa: F401
from .guides import (  # noqa: F401
    Audience, GuideLegalBasis, GuideMaterial, GuideStep, LifeEvent, MaterialForm, MaterialOriginal, MatterType,
    ServiceGuidePage, Theme,
)
