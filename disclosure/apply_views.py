"""Citizens' pages of online pre-acceptance (网上填表预受理): a guide's online form,
the receipt, tracking with the query code, the correction, and the service
statistics. Dynamic views at their own addresses (never kept by the page cache);
thin faces over ``applyforms``, as the mailbox's ``letters.views``.
"""

import hashlib
import time

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control, never_cache

from guard import challenge, codes, ratelimit
from orgs.errors import DomainError
from portal.queries import portal_context

from . import applyforms
from .formbuilder import IDENTITY_FIELDS, choices_of, form_field_name, guide_fields
from .models import SubmitterType, SubmissionStatus, FormSubmission, ServiceGuidePage

QUOTA_WINDOW = 3600  # seconds; the quota is settings.ONLINE_APPLICATIONS_PER_HOUR
TRACKED_KEY, TRACKED_SECONDS = "applyforms_tracked", 30 * 60
SUBMITTED_KEY, RESEND_SECONDS = "applyforms_submitted", 30 * 60
MULTIPLE = ("checkboxes",)


def quota_key(client):
    return f"applyforms:{client}"


def _render(request, template, context, status=200):
    return render(request, template, {**portal_context(), **context}, status=status)


# Page ids are 64-bit at most; a larger number in the address is no guide (and would
# overflow the database driver).
MAX_ID = 2**63 - 1


def _guide(guide_id):
    if guide_id > MAX_ID:
        raise Http404("该事项未开通网上填表预受理。")
    guide = ServiceGuidePage.objects.live().filter(pk=guide_id).first()
    if not applyforms.form_available(guide):
        raise Http404("该事项未开通网上填表预受理。")
    return guide


# --- The form's fields as the template shows them ----------------------------------------------

def _posted_values(post, fields, names=None):
    values = {}
    for field in fields:
        name = form_field_name(field)
        if names is not None and name not in names:
            continue
        key = applyforms.field_key(name)
        values[name] = post.getlist(key) if field.field_type in MULTIPLE else post.get(key, "")
        if field.field_type == "checkbox":
            values[name] = "on" if post.get(key) else ""
    return values


def _uploads(files, materials):
    return {m.pk: [(f.name, f.read()) for f in files.getlist(applyforms.material_key(m))] for m in materials}


def _field_rows(fields, values, errors, editable=None):
    """One row per field: what the template needs to draw it (or show it read-only)."""
    rows = []
    for field in fields:
        name = form_field_name(field)
        key = applyforms.field_key(name)
        value = values.get(name)
        if value is None:
            value = [] if field.field_type in MULTIPLE else ""
        rows.append({
            "key": key, "label": field.label, "type": field.field_type, "required": field.required,
            "help": field.help_text, "choices": choices_of(field) if field.field_type in ("dropdown", "radio", "checkboxes") else [],
            "value": value, "error": errors.get(key), "editable": editable is None or name in editable,
        })
    return rows


def _material_rows(materials, errors, current=None, editable=None, chosen=None):
    """``chosen``: the names of the files sent with a form that comes back with errors.
    A browser never fills a file input again, so the row says which to choose again."""
    rows = []
    for material in materials:
        key = applyforms.material_key(material)
        rows.append({"key": key, "material": material, "error": errors.get(key),
                     "files": [m for m in (current or []) if m.material_id == material.pk],
                     "editable": editable is None or material.pk in editable,
                     "choose_again": [name for name, _content in (chosen or {}).get(material.pk, [])]})
    return rows


def _form_context(guide, *, identity, values, errors, uploads=None):
    materials = applyforms.upload_materials(guide)
    question, token = challenge.new_challenge()
    rows = _material_rows(materials, errors, chosen=uploads)
    return {
        "guide": guide, "unit": applyforms.guide_unit(guide), "identity": identity,
        "fields": _field_rows(guide_fields(guide), values, errors), "materials": rows,
        "choose_again": any(row["choose_again"] for row in rows),
        "field_errors": errors, "question": question, "token": token, "applicant_types": SubmitterType.choices,
        "answer_days": applyforms.answer_limit_for(applyforms.guide_unit(guide)),
        "max_request_mb": settings.MAX_REQUEST_BYTES // (1024 * 1024),
        "max_file_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        "file_types": "、".join(sorted(applyforms.MATERIAL_TYPES)), "max_files": applyforms.MAX_FILES_PER_MATERIAL,
        "page_title": f"在线办理 · {guide.title}",
    }


# --- The form and its receipt -------------------------------------------------------------------------

@never_cache
def apply(request, guide_id):
    guide = _guide(guide_id)
    if request.method != "POST":
        return _render(request, "disclosure/forms/apply.html", _form_context(guide, identity={}, values={}, errors={}))
    fingerprint = _fingerprint(request)
    resent = _submitted_before(request, fingerprint)
    if resent is not None:
        return _render(request, "disclosure/forms/receipt.html", {**resent, "page_title": "申请已提交"})
    fields = guide_fields(guide)
    identity = {name: request.POST.get(name, "") for name in IDENTITY_FIELDS}
    values = _posted_values(request.POST, fields)
    uploads = _uploads(request.FILES, applyforms.upload_materials(guide))
    error = _spam_check(request.POST)
    # Every rule is checked even when the challenge failed: all there is to correct, in one answer.
    errors, _, _ = applyforms.submission_errors(guide=guide, identity=identity, values=values, uploads=uploads)
    key = quota_key(ratelimit.client_key(request))
    refused = None
    if error is None and not errors:
        quota = ratelimit.hit(key, limit=settings.ONLINE_APPLICATIONS_PER_HOUR, window=QUOTA_WINDOW)
        if not quota.allowed:
            error, refused = "您提交得太频繁了,请一小时后再试。", quota
    if error is None and not errors:
        try:
            application, code = applyforms.submission_create(guide=guide, identity=identity, values=values,
                                                              uploads=uploads, ip=ratelimit.client_ip(request))
        except DomainError as exc:
            ratelimit.undo(key)  # refused for a mistake: stored nothing, counts nothing
            errors = exc.field_errors
            error = None if errors else exc.message
        else:
            request.session[SUBMITTED_KEY] = {"form": fingerprint, "application": application.pk, "code": code,
                                              "at": time.time()}
            return _render(request, "disclosure/forms/receipt.html",
                           {"application": application, "code": code, "page_title": "申请已提交"})
    context = _form_context(guide, identity=identity, values=values, errors=errors, uploads=uploads)
    response = _render(request, "disclosure/forms/apply.html", {**context, "error": error}, status=400)
    return ratelimit.too_many(response, refused)


def _fingerprint(request):
    parts = sorted((k, v) for k, values in request.POST.lists() if k != "csrfmiddlewaretoken" for v in values)
    parts += sorted((name, f.name, str(f.size)) for name, files in request.FILES.lists() for f in files)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _submitted_before(request, fingerprint):
    """The same form sent again (refresh, back): its receipt, not a second application."""
    entry = request.session.get(SUBMITTED_KEY)
    if not entry or entry.get("form") != fingerprint or time.time() - entry.get("at", 0) > RESEND_SECONDS:
        return None
    application = FormSubmission.objects.filter(pk=entry["application"]).first()
    return {"application": application, "code": entry["code"], "resent": True} if application else None


def _spam_check(values):
    if values.get("website"):
        return "提交未通过校验,请重试。"
    if not challenge.passes(values.get("challenge_token"), values.get("challenge_answer")):
        return "验证题答案不正确、已过期或已使用过,请回答新的验证题。"
    return None


# --- Tracking and correcting ------------------------------------------------------------------------------

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


@never_cache
def track(request):
    context = {"page_title": "办件查询"}
    if request.method != "POST":
        application = _tracked(request) if request.GET.get("again") else None
        if application is not None:
            return _render(request, "disclosure/forms/status.html", {**context, **_status_context(application)})
        return _render(request, "disclosure/forms/track.html", context)
    code, check = request.POST.get("code", ""), request.POST.get("check", "")
    errors = _track_errors(code, check)
    if errors:
        return _render(request, "disclosure/forms/track.html",
                       {**context, "field_errors": errors, "values": request.POST}, status=400)
    try:
        application = applyforms.submission_find_guarded(code=code, check=check, client=ratelimit.client_key(request))
    except DomainError as exc:
        status = 429 if exc.code == "too_many" else 404
        return _render(request, "disclosure/forms/track.html",
                       {**context, "error": exc.message, "values": request.POST}, status=status)
    request.session[TRACKED_KEY] = {"application": application.pk, "at": time.time()}
    return _render(request, "disclosure/forms/status.html", {**context, **_status_context(application)})


def _tracked(request):
    """The application this browser found with its code a short while ago."""
    entry = request.session.get(TRACKED_KEY)
    if not entry or time.time() - entry.get("at", 0) > TRACKED_SECONDS:
        return None
    return FormSubmission.objects.select_related("unit", "guide").filter(pk=entry["application"]).first()


def _status_context(application, *, identity=None, values=None, errors=None, uploads=None):
    context = {
        "application": application,
        "events": application.events.filter(public=True),
        "overdue": applyforms.is_overdue(application),
        "deadline": applyforms.deadline_explanation(application),
        "shown_fields": applyforms.shown_fields(application),
        "current_materials": application.materials.filter(current=True),
        "statuses": SubmissionStatus,
    }
    if application.status == SubmissionStatus.CORRECTION:
        editable_identity, editable_fields, editable_materials = applyforms.correction_editable(application)
        stored_identity = {name: getattr(application, name) for name in IDENTITY_FIELDS}
        errors = errors or {}
        guide = application.guide
        context.update({
            "correcting": True,
            "corrections": application.corrections,
            "identity_rows": [
                {"key": name, "label": label, "value": (identity or stored_identity).get(name, ""),
                 "error": errors.get(name)}
                for name, label in applyforms.IDENTITY_LABELS.items() if name in editable_identity
            ],
            "fields": _field_rows(guide_fields(guide), {**(application.data or {}), **(values or {})}, errors,
                                  editable=editable_fields),
            "materials": _material_rows([m for m in applyforms.upload_materials(guide) if m.pk in editable_materials],
                                        errors, current=list(context["current_materials"]), chosen=uploads),
            "field_errors": errors,
            "file_types": "、".join(sorted(applyforms.MATERIAL_TYPES)), "max_files": applyforms.MAX_FILES_PER_MATERIAL,
            "max_file_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        })
    return context


@never_cache
def correct(request):
    """The applicant's correction, sent from the status page of an application this
    browser has just tracked with its code (the session remembers it)."""
    application = _tracked(request)
    if application is None:
        return redirect("disclosure:form_track")
    if request.method != "POST":
        return _render(request, "disclosure/forms/status.html", {"page_title": "办件查询", **_status_context(application)})
    context = {"page_title": "办件查询"}
    identity = {name: request.POST.get(name, "") for name in IDENTITY_FIELDS}
    fields = guide_fields(application.guide)
    values = _posted_values(request.POST, fields)
    uploads = _uploads(request.FILES, applyforms.upload_materials(application.guide))
    try:
        application = applyforms.submission_resubmit(application=application, identity=identity, values=values,
                                                      uploads=uploads, version=request.POST.get("version"))
    except DomainError as exc:
        application.refresh_from_db()
        errors = exc.field_errors
        return _render(request, "disclosure/forms/status.html", {
            **context, **_status_context(application, identity=identity, values=values, errors=errors,
                                         uploads=uploads),
            "error": None if errors else exc.message}, status=400)
    request.session[TRACKED_KEY] = {"application": application.pk, "at": time.time()}
    return _render(request, "disclosure/forms/status.html",
                   {**context, **_status_context(application), "resubmitted": True})


# --- Statistics -----------------------------------------------------------------------------------------------

STAT_COLUMNS = [("received", "收到申请"), ("corrections", "要求补正"), ("pre_accepted", "预受理"),
                ("not_accepted", "不予受理"), ("answered", "已答复"), ("on_time", "按时答复"), ("completed", "办结")]


@cache_control(public=True, max_age=300)
def stats(request):
    months = []
    for snapshot in applyforms.stats_published():
        totals = applyforms.stats_totals(snapshot.rows)
        months.append({"snapshot": snapshot, "rows": [{"name": r["unit_name"], "cells": [r[k] for k, _ in STAT_COLUMNS]}
                                                      for r in snapshot.rows],
                       "totals": [totals[k] for k, _ in STAT_COLUMNS]})
    return _render(request, "disclosure/forms/stats.html",
                   {"months": months, "columns": STAT_COLUMNS, "page_title": "网上办事统计"})
