"""Wagtail's site history report (站点历史) as the platform's audit trail.

Wagtail shows a person the page entries of the pages they may explore, and the
entries of any other model whose content type they hold some Django permission
for. The trail written by :mod:`guard.audit` needs a rule of its own:

- the portal management centre — superusers, and the site administrators and
  supervisors of a unit that sees across units — read the whole trail: every
  action of every app, including who opened a writer's contact data;
- everyone else keeps Wagtail's view of page entries (their own sites' pages)
  and of Wagtail's own model actions (``wagtail.*``), but no entry of the trail
  (a unit's staff do not read other units' letters, roles or migrations there).

The action, user and type filters offer exactly what the person may see.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import IntegerField, Value
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import ContentTypeFilter
from wagtail.admin.views.reports.audit_logging import LogEntriesView, SiteHistoryReportFilterSet
from wagtail.log_actions import registry
from wagtail.models import ModelLogEntry

from orgs.models import Role
from orgs.queries import sees_every_unit

TRAIL_READER_ROLES = (Role.SITE_ADMIN, Role.SUPERVISOR)


def may_read_trail(user):
    """Whether ``user`` reads the whole audit trail (the portal management centre)."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    cached = getattr(user, "_may_read_audit_trail", None)
    if cached is None:
        cached = sees_every_unit(user, roles=TRAIL_READER_ROLES)
        user._may_read_audit_trail = cached
    return cached


def visible_entries(log_model, user):
    """The entries of ``log_model`` that ``user`` may see in the report."""
    if issubclass(log_model, ModelLogEntry):
        if may_read_trail(user):
            return log_model.objects.all()
        return log_model.objects.viewable_by_user(user).filter(action__startswith="wagtail.")
    return log_model.objects.viewable_by_user(user)


def _visible(user):
    return [visible_entries(log_model, user) for log_model in registry.get_log_entry_models()]


def _content_types(user):
    ids = set()
    for entries in _visible(user):
        ids |= entries.get_content_type_ids()
    return ContentType.objects.filter(pk__in=ids).order_by("model")


class AuditTrailFilterSet(SiteHistoryReportFilterSet):
    object_type = ContentTypeFilter(
        label=_("Type"), method="filter_object_type", queryset=lambda request: _content_types(request.user)
    )

    def get_action_choices(self):
        used = set()
        for entries in _visible(self.request.user):
            used |= entries.get_actions()
        return [choice for choice in registry.get_choices() if choice[0] in used]

    def get_users_queryset(self):
        ids = set()
        for entries in _visible(self.request.user):
            ids |= entries.get_user_ids()
        User = get_user_model()
        return User.objects.filter(pk__in=ids).order_by(User.USERNAME_FIELD)

    class Meta(SiteHistoryReportFilterSet.Meta):
        pass


class AuditTrailReportView(LogEntriesView):
    """Wagtail's report with :func:`visible_entries` in place of each model's
    ``viewable_by_user`` (the rest of the report — union, paging, export — is Wagtail's)."""

    filterset_class = AuditTrailFilterSet

    def get_filtered_queryset(self):
        self.log_models = list(registry.get_log_entry_models())
        queryset = None
        for index, log_model in enumerate(self.log_models):
            entries = (
                visible_entries(log_model, self.request.user)
                .values("pk", "timestamp")
                .annotate(log_model_index=Value(index, output_field=IntegerField()))
            )
            entries = self.filter_queryset(entries).order_by()
            queryset = entries if queryset is None else queryset.union(entries, all=True)
        return queryset.order_by("-timestamp")
