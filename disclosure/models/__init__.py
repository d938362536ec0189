"""Disclosure's data, one module per part of the app:

- ``documents``: government documents and their disclosure metadata (索引号 …);
- ``guides``: matters (事项) and their service guides (办事指南), themes and life events;
- ``forms``: online forms and pre-acceptance (网上填表预受理) of a guide's matter;
- ``profiles``: unit profiles (机构概况): overview, duties, internal departments,
  leaders and post-responsible persons, contact phones, and the pages showing them;
- ``catalogue``: the government-information catalogue (the tree of statutory
  content and its template), policy interpretations and annual reports;
- ``applications``: applications for disclosure (依申请公开).

Each part's models are imported here, so ``disclosure.models`` stays the one
public name other apps use.
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
    Audience, CatchAllPhrase, GuideLegalBasis, GuideMaterial, GuideStep, LifeEvent, MaterialForm, MaterialOriginal, MatterType,
    ServiceGuidePage, Theme,
)
from .forms import (  # noqa: F401
    ANSWERED, AWAITING_UNIT, AnswerLimit, SubmitterType, SubmissionEvent, SubmissionMaterial, SubmissionStatus,
    SubmissionVersion, FieldType, GuideFormField, FormSubmission, ReceiptCounter, ServiceStatsSnapshot,
)
from .profiles import (  # noqa: F401
    ContactPhone, InternalDepartment, PersonKind, ProfilePage, ProfileSection, UnitPerson, UnitProfile,
)
