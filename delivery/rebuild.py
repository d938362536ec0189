"""A full rebuild of the publish root: every public page of every site, their
sitemaps and 404 pages, the static files and the manifests.

It shows its progress, resumes a run that was killed (pages baked since that run
started are not baked again), and can run in several processes, each taking every
n-th page. A page whose rendering fails keeps its previous file and is reported.
"""

import multiprocessing
import time

from django.db import connections
from django.db.models import F
from django.utils import timezone

from . import services
from .models import BakedFile, BakeRun, FileKind, PendingBake

CHUNK = 50


def rebuild(*, processes=1, resume=False, hostnames=None, out=print):
    all_sites = services.sites()
    chosen = [s for s in all_sites.values() if not hostnames or s.hostname in hostnames]
    run = BakeRun.objects.filter(finished_at__isnull=True).first() if resume else None
    if run is None:
        run = BakeRun.objects.create(started_at=timezone.now(), processes=processes)
    ids = []
    for info in chosen:
        ids += list(services.bakeable_pages(info).values_list("pk", flat=True))
    done_before = set(BakedFile.objects.filter(page_id__in=ids, kind=FileKind.PAGE, page_number=1,
                                               baked_at__gte=run.started_at).values_list("page_id", flat=True))
    todo = [pk for pk in ids if pk not in done_before]
    BakeRun.objects.filter(pk=run.pk).update(total=len(ids), done=len(ids) - len(todo), processes=processes)
    out(f"静态化:{len(chosen)} 个网站,{len(ids)} 个页面,本次需生成 {len(todo)} 个"
        + (f"(续上次中断的任务,已完成 {len(done_before)} 个)" if done_before else ""))
    started = time.monotonic()
    if processes > 1 and todo:
        connections.close_all()
        context = multiprocessing.get_context("fork")
        workers = [context.Process(target=_work, args=(run.pk, todo[i::processes])) for i in range(processes)]
        for worker in workers:
            worker.start()
        while any(w.is_alive() for w in workers):
            time.sleep(1)
            _progress(run.pk, started, out)
        for worker in workers:
            worker.join()
        if any(w.exitcode for w in workers):
            out("有进程异常退出;再次运行 manage.py bake --resume 可继续。")
            return run
    else:
        _work(run.pk, todo, progress=lambda: _progress(run.pk, started, out), fork=False)
    for info in chosen:
        services.site_files_bake(info)
        services.manifest_write(info.hostname)
    # What was noted before the run started is baked now (changes since are kept).
    PendingBake.objects.filter(created_at__lt=run.started_at).delete()
    copied = services.static_copy()
    services.serving_write(all_sites)
    run.refresh_from_db()
    BakeRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    seconds = time.monotonic() - started
    rate = (run.done - len(done_before)) / seconds if seconds else 0
    out(f"完成:{run.done}/{run.total} 个页面,失败 {run.failed} 个,用时 {seconds:.1f} 秒"
        f"({rate:.1f} 页/秒);静态文件更新 {copied} 个。")
    return run


def _work(run_id, page_ids, progress=None, fork=True):
    from wagtail.models import Page

    if fork:
        connections.close_all()  # the parent's connections are not this process's
    all_sites = services.sites()
    last = 0.0
    for start in range(0, len(page_ids), CHUNK):
        chunk = page_ids[start:start + CHUNK]
        pages = list(Page.objects.filter(pk__in=chunk).order_by("path"))
        report = services.bake_pages(pages, all_sites, site_files=False, finish=False)
        failed_pages = len({p for p in report.failed})
        BakeRun.objects.filter(pk=run_id).update(done=F("done") + len(pages), failed=F("failed") + failed_pages)
        if progress and time.monotonic() - last > 1:
            last = time.monotonic()
            progress()
    if fork:
        connections.close_all()


def _progress(run_id, started, out):
    run = BakeRun.objects.get(pk=run_id)
    seconds = time.monotonic() - started
    out(f"  {run.done}/{run.total} 个页面({100 * run.done // max(run.total, 1)}%),失败 {run.failed},"
        f"{seconds:.0f} 秒")
