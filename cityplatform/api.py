"""The platform's open API, /api/v1/ (django-ninja, OpenAPI at /api/v1/openapi.json)."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.urls import register_converter
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from guard.webrequests import RequestRefused
from orgs.errors import DomainError, Unauthenticated

MAX_ID = 2**63 - 1


class IdConverter:
    """``{id:name}`` in an API path: a database id, 1 to 2**63-1. Anything else (a
    negative, huge or non-numeric id) matches no route, so the answer is the typed
    404, never an overflow deep in the database driver (a 500)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError("id out of range")
        return number

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")

api = NinjaAPI(
    title="城市政府网站集约化平台 API",
    version="1",
    description="网站群、单位、栏目和内容的开放接口。错误以 {code, message} 返回,message 为中文说明。",
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


class Error(Schema):
    code: str
    message: str


STATUS_FOR_CODE = {"forbidden": 403, "not_found": 404, "conflict": 409, "too_many": 429}


@api.exception_handler(DomainError)
def domain_error(request, exc):
    return api.create_response(request, {"code": exc.code, "message": exc.message}, status=STATUS_FOR_CODE.get(exc.code, 400))


@api.exception_handler(RequestRefused)
def request_refused(request, exc):
    return api.create_response(request, {"code": exc.code, "message": exc.message}, status=exc.status)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc):
    fields = []
    for error in exc.errors:
        location = ".".join(str(part) for part in error.get("loc", []) if part not in ("body", "payload", "query"))
        fields.append(location or "请求")
    message = "请求数据格式不正确:" + "、".join(fields) if fields else "请求数据格式不正确。"
    return api.create_response(request, {"code": "invalid", "message": message, "errors": exc.errors}, status=422)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    response = api.create_response(request, {
        "code": "unauthorized",
        "message": "令牌无效:请在请求头带上 Authorization: Bearer <令牌>(门户网站管理中心登记接口客户端时发放)。",
    }, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(Unauthenticated)
def credentials_refused(request, exc):
    """A token that was good once: its client expired or was revoked, or it was replaced."""
    response = api.create_response(request, {"code": exc.code, "message": exc.message}, status=401)
    response["WWW-Authenticate"] = f'Bearer realm="api", error="invalid_token", error_description="{exc.code}"'
    return response


@api.exception_handler(HttpError)
def http_error(request, exc):
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        return api.create_response(request, {
            "code": "invalid", "message": "请求数据不是有效的 JSON:请以 application/json 发送 UTF-8 编码的 JSON 对象。",
        }, status=422)
    return api.create_response(request, {"code": "error", "message": str(exc)}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def too_large(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return api.create_response(request, {
        "code": "too_large", "message": f"请求过大:整个请求不能超过 {limit} MB(附件经 base64 编码后约增大三分之一)。",
    }, status=400)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "message": "没有找到请求的对象。"}, status=404)


api.add_router("/", "portal.api.router")
api.add_router("/", "letters.api.router")
api.add_router("/publish", "publishing.api.router")
api.add_router("/", "search.api.router")
# Live data: the push API, the open boards and the GTFS-Realtime republication.
api.add_router("/live", "livedata.api.router")
api.add_router("/live", "livedata.public_api.router")
api.add_router("/live", "livedata.feed_api.router")
