"""Disclosure's data, one module per part of the app:

- ``documents``: government documents and their disclosure metadata (索引号 …);
- ``guides``: matters (事项) and their service guides (办事指南), themes and life events.

Later parts (unit profiles, online forms, the catalogue, applications for
disclosure) add a module each and are imported here, so ``disclosure.models``
stays the one public name other apps use.
"""

from .documents import DocumentType, GovDocumentPage, IndexCounter, TopicCategory, Validity  # noqa: F401
from .guides import (  # noqa: F401
    Audience, CatchAllPhrase, GuideLegalBasis, GuideMaterial, GuideStep, LifeEvent, MaterialForm, MaterialOriginal, MatterType,
    ServiceGuidePage, Theme,
)
