"""The admin's 防篡改与静态化 page: integrity events and pages that failed to bake."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import path

from . import queries


def _readers_only(request):
    if not queries.may_read_events(request.user):
        raise PermissionDenied("只有网站管理员和监督人员可以查看防篡改事件。")


def index(request):
    _readers_only(request)
    events = Paginator(queries.integrity_events_for(request.user), 50).get_page(request.GET.get("p"))
    problems = list(queries.bake_problems_for(request.user)[:50])
    return render(request, "delivery/admin/index.html", {"events": events, "problems": problems})


def event(request, pk):
    _readers_only(request)
    item = get_object_or_404(queries.integrity_events_for(request.user), pk=pk)
    return render(request, "delivery/admin/event.html", {"event": item})


urlpatterns = [path("", index, name="index"), path("<int:pk>/", event, name="event")]
