"""Citizens' pages of disclosure: the catalogue's listing (inside a site's 政府信息公开
column, through portal's column-context hook) and applications for disclosure
(apply, track, clarify, download the documents of an answer) at their own addresses
(``/xxgk/``), dynamic like the mailbox's forms."""

import hashlib
import time
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from guard import challenge, codes, ratelimit
from orgs.errors import DomainError
from orgs.models import Unit
from portal import framecache, pagecache
from portal.queries import paginate, portal_context, url_below

from . import applications, files, queries
from .catalogue import texts
from .models import (
    AnswerDocument, AnswerKind, ApplicantType, AppStatus, Delivery, DocumentType, IdType, TopicCategory, Validity,
)

# --- The catalogue (a column page's context) ---------------------------------------------------------


def catalogue_context(*, column, request):
    """The tree, the reader's filters and one page of what is filed under the
    chosen node, for a site's 政府信息公开 column."""
    home = column.home
    frame = framecache.kept(("catalogue", column.pk), lambda: _catalogue_frame(column), request=request)
    nodes = frame["nodes"]
    node_code = (request.GET.get("ml") or "").strip()[:40]
    filters = queries.Filters.from_query(request.GET)
    items = queries.catalogue_items(home, node_code=node_code, filters=filters, nodes=nodes, columns=frame["columns"])
    if items is None:
        raise Http404("没有这个目录。")
    requested = request.GET.get("page")
    # The count (the costliest query of a filtered page: every matching row is joined
    # to its column and page) is kept until the next publication, like a column's;
    # a filtered listing's is counted only as far as the pages it offers.
    count_key = f"catalogue:{column.pk}:{node_code}:" + hashlib.sha256(urlencode(filters.as_query()).encode()).hexdigest()[:16]
    page = paginate(items, requested, queries.CATALOGUE_PAGE_SIZE, count_key=count_key,
                    bounded=filters.active)
    if requested is not None and requested != str(page.number):
        pagecache.refuse(request)
    object_list = list(page.object_list)
    links = queries.document_links(object_list, framecache.kept(
        ("document-relations",), queries.document_relations, request=request))
    choices = _choices()
    topics, validity = dict(choices["topics"]), dict(choices["validity"])
    home_url = home.get_url(request)

    def link(target):
        return {"title": target.title, "url": url_below(home_url, home, target, request)}

    rows = []
    for item in object_list:
        doc = queries._document_of(item)
        versions = links.get(item.pk) if doc else None
        published = timezone.localtime(item.pub_date)
        rows.append({"item": item, "doc": doc, "url": url_below(home_url, home, item, request),
                     "published": published.strftime("%Y-%m-%d"), "published_iso": published.isoformat(),
                     "written": doc.date_written.isoformat() if doc and doc.date_written else "",
                     "replaces": link(versions["replaces"]) if versions and versions["replaces"] else None,
                     "replaced_by": [link(p) for p in versions["replaced_by"]] if versions else [],
                     "policy": doc is not None and doc.doc_type == DocumentType.NORMATIVE,
                     "interpreted": bool(versions and versions["interpreted"]),
                     "topic": topics.get(doc.topic, "") if doc else "",
                     "validity": validity.get(doc.validity, "") if doc else ""})
    current = next((n for n, _d in nodes if n.code == node_code), None)
    catalogue_url = column.get_url(request)
    tree = framecache.kept(("catalogue-tree", column.pk, node_code, catalogue_url), lambda: render_to_string(
        "disclosure/includes/catalogue_tree.html",
        {"catalogue_url": catalogue_url, "catalogue_nodes": nodes, "catalogue_node": current}), request=request)
    query = [("ml", node_code)] if node_code else []
    query += filters.as_query()
    this_year = timezone.localdate().year
    return {
        "column_body_template": "disclosure/includes/catalogue.html",
        "catalogue_url": catalogue_url,
        "catalogue_tree": tree,
        "catalogue_texts": frame["texts"],
        "column_replaces_items": True,
        "catalogue_nodes": nodes,
        "catalogue_node": current,
        "catalogue_rows": rows,
        "catalogue_page": page,
        "catalogue_filters": filters,
        "catalogue_query": urlencode(query),
        "catalogue_choices": {**choices, "years": list(range(this_year, frame["earliest_year"] - 1, -1))},
    }


def _catalogue_frame(column):
    """What every request of a catalogue shows whatever the filters (kept until the
    next publication): the tree, the site's columns it files, the guide and rules,
    the oldest year."""
    home = column.home
    return {"nodes": queries.catalogue_nodes(home), "columns": queries.site_columns(home),
            "texts": list(texts(column)), "earliest_year": queries.earliest_year(home)}


_CHOICES = {}


def _choices():
    """The filters' choices with their labels translated once per language (a page
    renders some forty labels; translating each lazily costs more than the listing's
    queries)."""
    language = get_language()
    if language not in _CHOICES:
        _CHOICES[language] = {name: [(value, str(label)) for value, label in choices] for name, choices in (
            ("topics", TopicCategory.choices), ("types", DocumentType.choices), ("validity", Validity.choices))}
    return _CHOICES[language]


def apply_context(*, column, request):
    unit = column.home.unit
    return {"column_includes": ["disclosure/includes/apply_links.html"], "apply_unit": unit}


# --- Applications (citizens) --------------------------------------------------------------------------------

APPLICATIONS_PER_HOUR = 5
WINDOW = 3600


def _render(request, template, context, status=200):
    return render(request, template, {**portal_context(), **context}, status=status)


def _form_context(unit):
    return {
        "unit": unit, "page_title": f"向{unit.name}申请政府信息公开",
        "applicant_types": ApplicantType.choices, "id_types": IdType.choices, "deliveries": Delivery.choices,
        "time_limit": applications.TIME_LIMIT, "max_description": applications.MAX_DESCRIPTION,
    }


@never_cache
def apply(request, unit_code):
    unit = get_object_or_404(Unit, code=unit_code)
    context = _form_context(unit)
    if request.method != "POST":
        question, token = challenge.new_challenge()
        return _render(request, "disclosure/apply.html", {**context, "question": question, "token": token,
                                                          "values": {"applicant_type": "citizen",
                                                                     "id_type": "id_card", "delivery": "online"}})
    values = request.POST
    resent = _submitted_before(request)
    if resent is not None:
        return _render(request, "disclosure/applied.html", {**context, **resent})
    fields = {name: values.get(name, "") for name in applications.FIELDS}
    field_errors = applications.application_field_errors(**fields)
    error = None
    if values.get("website"):
        error = "提交未通过校验,请重试。"
    elif not challenge.passes(values.get("challenge_token"), values.get("challenge_answer")):
        error = "验证题答案不正确、已过期或已使用过,请回答新的验证题。"
    if values.get("consent") != "on":
        field_errors = {**field_errors, "consent": "请确认所填信息真实。"}
    key = f"disclosure-apply:{ratelimit.client_key(request)}"
    refused = None
    if error is None and not field_errors:
        quota = ratelimit.hit(key, limit=APPLICATIONS_PER_HOUR, window=WINDOW)
        if not quota.allowed:
            error, refused = "您提交得太频繁了,请一小时后再试。", quota
    if error is None and not field_errors:
        try:
            app, code = applications.application_submit(unit=unit, ip=ratelimit.client_ip(request), **fields)
        except DomainError as exc:
            ratelimit.undo(key)
            field_errors, error = exc.field_errors, None if exc.field_errors else exc.message
        else:
            request.session[SUBMITTED_KEY] = {"form": _fingerprint(request), "app": app.pk, "code": code,
                                              "at": time.time()}
            return _render(request, "disclosure/applied.html", {**context, "application": app, "code": code})
    question, token = challenge.new_challenge()
    response = _render(request, "disclosure/apply.html", {**context, "question": question, "token": token,
                                                          "values": values, "error": error,
                                                          "field_errors": field_errors}, status=400)
    return ratelimit.too_many(response, refused)


SUBMITTED_KEY = "disclosure_submitted"


def _fingerprint(request):
    parts = sorted((k, v) for k, vs in request.POST.lists() if k != "csrfmiddlewaretoken" for v in vs)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _submitted_before(request):
    """The same form sent again (refresh, back): its result, not a second application."""
    from .models import Application

    entry = request.session.get(SUBMITTED_KEY)
    if not entry or entry.get("form") != _fingerprint(request) or time.time() - entry.get("at", 0) > 1800:
        return None
    app = Application.objects.filter(pk=entry["app"]).first()
    return {"application": app, "code": entry["code"], "resent": True} if app else None


def _track_errors(code, check):
    errors = {}
    if not (code or "").strip():
        errors["code"] = "请填写查询码。"
    elif codes.normalise(code) is None:
        errors["code"] = "查询码格式不正确:应为12位字母数字,如 AB12-CD34-EF56。"
    check = (check or "").strip()
    if not (check.isdigit() and len(check) == 4):
        errors["check"] = "请填写申请时所留联系电话的后四位数字。"
    return errors


def _find(request):
    return applications.application_find_guarded(code=request.POST.get("code"), check=request.POST.get("check"),
                                                 client=ratelimit.client_key(request))


def _failed(request, exc):
    status = 429 if exc.code == "too_many" else 404
    return _render(request, "disclosure/track.html", {"page_title": "依申请公开查询", "error": exc.message,
                                                      "values": request.POST}, status=status)


def _status(request, app, status=200, **extra):
    return _render(request, "disclosure/status.html", {
        "page_title": "依申请公开查询", "application": app, "code": request.POST.get("code", ""),
        "check": request.POST.get("check", ""), "events": app.events.filter(public=True),
        "documents": app.documents.all(), "deadline": applications.deadline_explanation(app),
        "overdue": applications.is_overdue(app), "answered": app.status == AppStatus.ANSWERED,
        "clarification": app.status == AppStatus.CLARIFICATION, "partly": app.answer_kind == AnswerKind.PARTLY,
        **extra,
    }, status=status)


@never_cache
def track(request):
    context = {"page_title": "依申请公开查询"}
    if request.method != "POST":
        return _render(request, "disclosure/track.html", context)
    errors = _track_errors(request.POST.get("code"), request.POST.get("check"))
    if errors:
        return _render(request, "disclosure/track.html", {**context, "field_errors": errors, "values": request.POST},
                       status=400)
    try:
        app = _find(request)
    except DomainError as exc:
        return _failed(request, exc)
    return _status(request, app)


@never_cache
@require_POST
def clarify(request):
    """The applicant's answer to a request for clarification (code and check again)."""
    try:
        app = _find(request)
    except DomainError as exc:
        return _failed(request, exc)
    try:
        app = applications.clarification_answer(application=app, text=request.POST.get("text", ""))
    except DomainError as exc:
        return _status(request, app, status=400, field_errors=exc.field_errors or {"text": exc.message},
                       text=request.POST.get("text", ""))
    return _status(request, app, clarified=True)


@never_cache
@require_POST
def document(request, document_id):
    """An answer's document, for the applicant who gives the code and check again."""
    try:
        app = _find(request)
    except DomainError as exc:
        return _failed(request, exc)
    item = get_object_or_404(AnswerDocument, pk=document_id, application=app)
    return files.serve(item)


