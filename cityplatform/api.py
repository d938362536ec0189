"""The platform's open API, /api/v1/ (django-ninja, OpenAPI at /api/v1/openapi.json)."""

from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError as NinjaValidationError

from orgs.errors import DomainError

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


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc):
    fields = []
    for error in exc.errors:
        location = ".".join(str(part) for part in error.get("loc", []) if part not in ("body", "payload", "query"))
        fields.append(location or "请求")
    message = "请求数据格式不正确:" + "、".join(fields) if fields else "请求数据格式不正确。"
    return api.create_response(request, {"code": "invalid", "message": message, "errors": exc.errors}, status=422)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "message": "没有找到请求的对象。"}, status=404)


api.add_router("/", "portal.api.router")
api.add_router("/", "letters.api.router")
api.add_router("/publish", "publishing.api.router")
