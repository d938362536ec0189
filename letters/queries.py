"""Reads of the mailbox used by the public pages, the staff pages, the API and supervision."""

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from .models import OPEN_STATUSES, Feedback, Letter, Mailbox, NotAcceptedReason, Rating, Status

REPLIED = (Status.REPLIED, Status.CLOSED)


def letter_stats(*, mailbox=None, unit=None, since=None):
    """Received, accepted, not accepted by reason, replied, on time, overdue, average
    working days to reply and satisfaction, for a mailbox, a handling unit or all."""
    letters = Letter.objects.all()
    if mailbox is not None:
        letters = letters.filter(mailbox=mailbox)
    if unit is not None:
        letters = letters.filter(handling_unit=unit)
    if since is not None:
        letters = letters.filter(received_at__gte=since)
    today = timezone.localdate()
    totals = letters.aggregate(
        received=Count("id"),
        accepted=Count("id", filter=Q(routed_at__isnull=False)),
        not_accepted=Count("id", filter=Q(status=Status.NOT_ACCEPTED)),
        duplicates=Count("id", filter=Q(status=Status.DUPLICATE)),
        spam=Count("id", filter=Q(status=Status.SPAM)),
        replied=Count("id", filter=Q(status__in=REPLIED)),
        on_time=Count("id", filter=Q(status__in=REPLIED, replied_at__date__lte=F("due_on"))),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, due_on__lt=today)),
        escalated=Count("id", filter=Q(escalated_on__isnull=False)),
        avg_reply=Avg(
            ExpressionWrapper(F("replied_at") - F("routed_at"), output_field=DurationField()),
            filter=Q(status__in=REPLIED, routed_at__isnull=False),
        ),
    )
    reasons = dict(
        letters.filter(status=Status.NOT_ACCEPTED).values_list("not_accepted_reason").annotate(n=Count("id"))
    )
    totals["not_accepted_by_reason"] = {NotAcceptedReason(k).label: v for k, v in reasons.items() if k}
    ratings = dict(
        Feedback.objects.filter(letter__in=letters.values("id")).values_list("rating").annotate(n=Count("id"))
    )
    totals["ratings"] = {Rating(k).label: ratings.get(k, 0) for k in Rating.values}
    rated = sum(ratings.values())
    good = ratings.get(Rating.SATISFIED, 0) + ratings.get(Rating.BASICALLY, 0)
    totals["satisfaction"] = round(100 * good / rated, 1) if rated else None
    average = totals.pop("avg_reply")
    # Calendar days between routing and reply, scaled to working days (5 of 7): an
    # estimate that needs no per-letter calendar walk over a million letters.
    totals["avg_working_days_to_reply"] = round(average.total_seconds() / 86400 * 5 / 7, 1) if average else None
    totals["on_time_rate"] = round(100 * totals["on_time"] / totals["replied"], 1) if totals["replied"] else None
    return totals


def published_letters(*, unit=None, letter_type=None, date_from=None, date_to=None, q=None):
    letters = Letter.objects.filter(published=True).select_related("mailbox", "letter_type", "handling_unit")
    if unit is not None:
        letters = letters.filter(handling_unit=unit)
    if letter_type is not None:
        letters = letters.filter(letter_type=letter_type)
    if date_from:
        letters = letters.filter(received_at__date__gte=date_from)
    if date_to:
        letters = letters.filter(received_at__date__lte=date_to)
    if q:
        letters = letters.filter(Q(title__icontains=q) | Q(body__icontains=q))
    return letters.order_by("-replied_at", "-id")


def criticism_list():
    """Units with letters escalated (督办) and still unanswered: the list for public criticism."""
    return (
        Letter.objects.filter(escalated_on__isnull=False)
        .values("handling_unit__name")
        .annotate(letters=Count("id"), still_open=Count("id", filter=Q(status__in=OPEN_STATUSES)))
        .order_by("-still_open", "-letters")
    )


def active_mailboxes():
    return Mailbox.objects.filter(active=True).select_related("unit")


def mailboxes_for_unit(unit_id):
    """The mailboxes a site's interaction column offers: its unit's own, then the mayor's."""
    return list(Mailbox.objects.filter(active=True).filter(Q(unit_id=unit_id) | Q(is_mayor=True)).order_by("is_mayor", "sort_order"))
