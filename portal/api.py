from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from orgs.models import SiteRecord, Unit

from .models import ColumnPage
from .queries import column_items

router = Router(tags=["网站群"])


class Error(Schema):
    code: str
    message: str


# An offset past any real column; larger ones would overflow the database's OFFSET.
MAX_OFFSET = 10**9


class SiteOut(Schema):
    name: str
    kind: str
    hosting: str
    hostname: str
    url: str
    site_id_code: str
    icp_number: str
    psb_number: str
    sponsor: str
    unit_code: str


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    sector: str
    parent_code: str | None


class ItemOut(Schema):
    id: int
    title: str
    url: str
    pub_date: datetime
    source: str


@router.get("/sites", response=list[SiteOut], summary="网站群中的全部网站")
def list_sites(request):
    records = SiteRecord.objects.select_related("unit", "site").order_by("kind", "sort_order", "id")
    return [
        SiteOut(
            name=r.name, kind=r.kind, hosting=r.hosting, hostname=r.hostname, url=r.public_url,
            site_id_code=r.site_id_code, icp_number=r.icp_number, psb_number=r.psb_number,
            sponsor=r.sponsor, unit_code=r.unit.code,
        )
        for r in records
    ]


@router.get("/units", response=list[UnitOut], summary="单位及其上级")
def list_units(request):
    units = Unit.objects.select_related("parent").order_by("sort_order", "id")
    return [
        UnitOut(code=u.code, name=u.name, kind=u.kind, sector=u.sector, parent_code=u.parent.code if u.parent else None)
        for u in units
    ]


# {id:…} is the API's id converter (cityplatform/api.py): an id out of range is a 404.
@router.get("/columns/{id:column_id}/items", response={200: list[ItemOut], 400: Error, 404: Error, 422: Error},
            summary="栏目中已发布的内容(含推送)")
def list_column_items(request, column_id: int, limit: int = Query(20, description="每页条数,1–100"),
                      offset: int = Query(0, description="跳过的条数")):
    column = get_object_or_404(ColumnPage.objects.live(), pk=column_id)
    limit = max(1, min(limit, 100))
    offset = max(0, min(offset, MAX_OFFSET))
    items = column_items(column)[offset : offset + limit]
    return [ItemOut(id=i.id, title=i.title, url=i.get_url(request), pub_date=i.pub_date, source=i.source) for i in items]
