"""The watcher: follows file-system events in the publish root (inotify through
watchdog where the system has it) and checks every file they name within a moment,
and scans the whole root every ``scan_seconds`` for what events miss (a watcher
restarted, a file system without events).

One process per publish root; ``manage.py watch_publish_root`` runs it and
bin/run-platform starts it beside the web server and the worker.
"""

import logging
import os
import queue
import threading
import time
from pathlib import Path

from django.db import close_old_connections, connection

from . import integrity, services
from .layout import SERVING, publish_root

log = logging.getLogger("delivery.integrity")

# Events come in bursts (the bake writes a listing's every page); gather them for a moment.
GATHER_SECONDS = 0.5


class Watcher:
    def __init__(self, *, scan_seconds=60.0, use_events=True, out=None):
        self.scan_seconds = scan_seconds
        self.use_events = use_events
        self.out = out or (lambda line: None)
        self.changed = queue.Queue()
        self.stopping = threading.Event()
        self.observer = None

    def start_events(self):
        if not self.use_events:
            return False
        try:
            from watchdog.events import FileSystemEventHandler
            from watchdog.observers import Observer
        except ImportError:  # pragma: no cover - watchdog is a dependency
            return False
        root = Path(os.path.abspath(publish_root()))
        root.mkdir(parents=True, exist_ok=True)
        changed = self.changed

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event):
                if event.is_directory and event.event_type not in ("created", "deleted", "moved"):
                    return
                for path in (getattr(event, "src_path", None), getattr(event, "dest_path", None)):
                    if path:
                        changed.put(path if isinstance(path, str) else path.decode())

        self.observer = Observer()
        self.observer.schedule(Handler(), str(root), recursive=True)
        self.observer.start()
        return True

    def stop(self):
        self.stopping.set()
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)

    def run(self):
        events = self.start_events()
        self.out(f"防篡改监测已启动:{publish_root()}(文件事件:{'是' if events else '否'},全量扫描每 {self.scan_seconds:.0f} 秒)")
        next_scan = 0.0
        while not self.stopping.is_set():
            if time.monotonic() >= next_scan:
                self._guarded(self.full_scan)
                next_scan = time.monotonic() + self.scan_seconds
            self.step(timeout=min(1.0, max(0.05, next_scan - time.monotonic())))

    def step(self, timeout):
        """Check the files named by the events of the next ``timeout`` seconds
        (gathered for a moment, as they come in bursts). Returns the events recorded."""
        try:
            first = self.changed.get(timeout=timeout)
        except queue.Empty:
            return []
        paths = {first}
        deadline = time.monotonic() + GATHER_SECONDS
        while time.monotonic() < deadline:
            try:
                paths.add(self.changed.get(timeout=max(0.01, deadline - time.monotonic())))
            except queue.Empty:
                break
        recorded = []
        self._guarded(lambda: recorded.extend(self.check(paths)))
        return recorded

    def _guarded(self, work):
        if not connection.in_atomic_block:
            close_old_connections()  # a long-lived process: drop a connection the database closed
        try:
            work()
        except Exception:  # noqa: BLE001 - the watcher keeps watching
            log.exception("integrity check failed")

    def full_scan(self):
        events = integrity.scan_and_repair()
        for event in events:
            self.out(f"{event.get_kind_display()}:{event.path}")
        return events

    def check(self, absolute_paths):
        root = Path(os.path.abspath(publish_root()))  # links not resolved: a link is itself a finding
        relatives, manifest_trees = [], set()
        for absolute in absolute_paths:
            try:
                relative = Path(os.path.abspath(absolute)).relative_to(root).as_posix()
            except ValueError:
                continue
            if relative.endswith("/" + integrity.MANIFEST_NAME):
                parts = relative.split("/")
                manifest_trees.add(parts[1] if parts[0] == "sites" and len(parts) == 3 else None)
            elif relative == SERVING:
                manifest_trees.add(SERVING)
            elif os.path.islink(root / relative):
                relatives.append(relative)
            elif (root / relative).is_dir():
                # A directory made (or moved in): what is already inside it came before
                # any event could be watched for.
                relatives += list(integrity._walk_below(root / relative, root))
            else:
                relatives.append(relative)
        findings = integrity.check_paths(relatives) if relatives else []
        wrong = [(tree, problem) for tree in manifest_trees
                 if (problem := services.serving_check() if tree == SERVING else services.manifest_check(tree))]
        events = integrity.repair(findings, wrong)
        for event in events:
            self.out(f"{event.get_kind_display()}:{event.path}")
        return events
