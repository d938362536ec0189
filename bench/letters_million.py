#!/usr/bin/env python
"""A million letters: bulk load, then the staff queue and the statistics pages.

    .venv/bin/python bench/letters_million.py --template bench_letters_base \\
        --write docs/performance-letters.md

1. Database ``--db`` (default ``bench_letters_1m``): a copy of ``--template`` (a
   database with the demo city, made by ``letters_intake.py --template``), or a
   fresh one that is migrated and loaded with ``load_demo --items-per-column 1``;
   ``--skip-load`` measures a database loaded earlier as it is.
2. Adds ``--letters`` letters (default 1,000,000) received over the last
   ``--years`` years (weekdays busier than weekends, daytime busier than night,
   the volume growing 30 % over the period), written in batches of 2 × ``--batch``
   letters, one transaction a batch, with Django's ``bulk_create`` (``--method
   bulk_create``, the default) or PostgreSQL ``COPY`` (``--method copy``, about
   1.5 times as fast here):

   * mailboxes: the mayor's ~35 %, the others by size; a unit mailbox's letter is
     handled by its unit (8 % transferred elsewhere), a mayor's letter by one of
     the districts and departments (10 % by the general office itself);
   * statuses: letters of the last days mostly 待审查 (screening); of the older
     ones ~30 % open (routed 5 %, handling 19 %, reply pending 6 %), not accepted
     5 %, duplicates 2 %, spam 1.5 %, replied 24 %, closed (rated) 37.5 %, and
     0.2 % forgotten in screening; one open letter in six is overdue (5 % of
     all), some of them reminded and escalated (督办);
   * deadlines from the real working-day calendar (``letters.calendar``); 85 % of
     replies on time;
   * ``Reply`` rows: one approved reply per replied or closed letter, a draft
     for each letter pending approval, an earlier rejected draft for 8 %;
     ``Feedback`` for each closed (rated) and reopened letter; ``Extension`` rows
     for letters with an extension and a few hundred pending requests;
   * serials ``X<yyyymmdd><nnnnn>`` numbered per day after any serial already
     there, query codes computed with ``letters.codes`` from a nonce derived
     from the serial: unique and deterministic (``--seed``).

   Left out on purpose: the history (``Event``), the outbox (``Notification``),
   contact views and attachments; no measured page reads them. Then
   ``VACUUM (ANALYZE)`` of the letters tables.
3. Measures, with Django's test client logged in as the mayor's-mailbox
   dispatcher (``cq_bgt_mailbox``), a unit handler (``yuzhong_mailbox``) and the
   supervisor (``cq_dcs_supervisor``): the staff queue (/admin/letters/) on its
   tabs 待审查 ``?tab=screening``, 本单位待办 ``?tab=mine``, 超期
   ``?tab=overdue``, 全部 ``?tab=all`` and a deep page of 全部 (``--deep-page``,
   reached by the pager's 下一页 link, which carries the position of the last
   letter shown, and by its page number alone, which pages by OFFSET), the staff
   statistics (/admin/letters/stats/, this year as by default and all time), the
   public statistics (/mailbox/stats/: from the page cache, and rendered with
   the page cache emptied before each request), and, as function calls, the
   periodic task's work (``services.stats_refresh()``: every figure of all time
   and of this year) and ``queries.letter_stats()`` computed now for one mailbox
   and for all (what the supervision work calls). The pages read the figures the
   task computed (its first run is one of the warm-up requests). p50/p95 in ms
   and SQL queries per request; EXPLAIN ANALYZE of the slowest query of each
   page slower than the target (p50 < 100 ms).

It reports; it never fails on a target. The database is dropped at the end
unless ``--keep``.
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from common import fmt, pct, say  # noqa: E402

TARGET_MS = 100.0

MAILBOX_WEIGHTS = {
    "mayor": 0.35, "yuzhong": 0.08, "jiangbei": 0.07, "shapingba": 0.07, "wanzhou": 0.06, "shizhu": 0.03,
    "fzggw": 0.03, "jw": 0.05, "rlsbj": 0.05, "zfcxjw": 0.05, "wsjkw": 0.04, "jtj": 0.04,
    "airport": 0.02, "cqnorth": 0.02, "water": 0.04,
}
# Status of a letter older than a few days: (status, probability); "open" is split below.
OLD_STATUSES = [("open", 0.30), ("not_accepted", 0.05), ("duplicate", 0.02), ("spam", 0.015), ("replied", 0.24),
                ("closed", 0.373), ("screening", 0.002)]
OPEN_SPLIT = [("routed", 5 / 30), ("handling", 19 / 30), ("reply_pending", 6 / 30)]
OVERDUE_SHARE_OF_OPEN = 1 / 6
RATINGS = [("satisfied", 0.72), ("basically", 0.18), ("unsatisfied", 0.10)]

OPENINGS = [
    ("小区夜间施工噪音扰民", "我家附近的工地每天晚上十一点以后还在施工,搅拌机和渣土车的声音很大,老人孩子都休息不好。"),
    ("公交线路调整后出行不便", "原来的公交线路调整以后,我们小区到最近的车站要走二十多分钟,上班的人和老年人出行都很不方便。"),
    ("老旧小区加装电梯补贴咨询", "我们单元是九十年代的老房子,住户大多是老人,想咨询加装电梯的补贴标准、申请流程和需要准备的材料。"),
    ("道路井盖破损存在安全隐患", "路口的井盖已经破损多日,晚上光线暗,骑电瓶车的人很容易摔倒,希望有关部门尽快修复。"),
    ("社保转移接续办理进度", "我从外省调动到本市工作,三个月前申请了养老保险关系转移,至今没有办结,想了解目前的办理进度。"),
    ("学校周边交通拥堵", "每天上下学时段学校门口车辆乱停乱放,道路堵得水泄不通,建议增设临时停车区并加强交通疏导。"),
    ("农贸市场环境卫生差", "农贸市场地面积水、垃圾清运不及时,夏天气味很大,希望加强日常管理和清扫保洁。"),
    ("企业开办手续咨询", "我准备注册一家小型餐饮企业,想了解营业执照和食品经营许可能否一次办理,以及网上办理的入口。"),
    ("供水水压不足", "最近一个月我们楼栋高层住户早晚用水高峰时水压明显不足,热水器经常无法启动,希望供水公司检查处理。"),
    ("医保异地就医备案", "我父母长期在外地随子女居住,想了解医保异地就医备案的条件、办理渠道以及报销比例是否有变化。"),
    ("小区违规停车堵塞消防通道", "小区内消防通道长期被私家车占用,物业多次劝说无效,一旦发生火灾后果不堪设想。"),
    ("建议增设公共充电桩", "我们片区电动汽车越来越多,但公共充电桩很少,晚上经常排队,建议在停车场和社区增设充电设施。"),
]
FILLERS = [
    "此事已经持续了一段时间,我们也向物业和社区反映过,但是问题一直没有得到解决。",
    "恳请相关部门高度重视,尽快调查处理,并将处理结果告知。",
    "周边居民意见很大,不少人已经多次拨打热线电话,希望这次能够得到答复。",
    "我们理解城市建设和管理的难处,但也希望在方便群众方面多想办法。",
    "具体情况可以到现场了解,我们愿意配合相关工作。谢谢!",
]
REPLY_TEXT = ("您好!收到来信后,我单位高度重视,立即安排相关科室到现场核查。经核实,您反映的情况属实,"
              "已责成责任单位限期整改,并将持续跟踪落实情况。如有疑问,请拨打12345热线咨询。感谢您对我们工作的支持。")


def weighted(rng, pairs):
    x = rng.random()
    for value, p in pairs:
        x -= p
        if x < 0:
            return value
    return pairs[-1][0]


# --- Loading ---------------------------------------------------------------------------

SHANGHAI = dt.timedelta(hours=8)  # Asia/Shanghai, no daylight saving since 1991
UTC = dt.timezone.utc
OPEN_STATUSES_STR = ("routed", "handling", "reply_pending")


class Loader:
    """Generates the letters day by day (dicts of column values, ids assigned here)
    and writes them in batches, one transaction a batch, with ``bulk_create``
    (``--method bulk_create``) or PostgreSQL ``COPY`` (``--method copy``)."""

    def __init__(self, args):
        from django.db.models import Max
        from django.utils import timezone

        from letters.models import Extension, Feedback, Letter, LetterType, Mailbox, Reply
        from orgs.models import Membership, Role, Unit

        self.args = args
        self.rng = random.Random(args.seed)
        self.now = timezone.now().astimezone(UTC) - dt.timedelta(minutes=5)
        self.today = (self.now + SHANGHAI).date()
        self.mailboxes = {m.code: m for m in Mailbox.objects.select_related("unit")}
        pairs = [(self.mailboxes[c], w) for c, w in MAILBOX_WEIGHTS.items() if c in self.mailboxes]
        total = sum(w for _, w in pairs)
        self.mailbox_pairs = [(m, w / total) for m, w in pairs]
        self.types = list(LetterType.objects.filter(active=True))
        units = {u.code: u for u in Unit.objects.all()}
        self.handling_units = [u for u in units.values()
                               if u.kind in ("district_government", "municipal_department", "window_unit")]
        self.bgt = units.get("cq-bgt")
        self.handlers, self.leaders = {}, {}
        for m in Membership.objects.filter(role__in=[Role.MAILBOX_HANDLER, Role.LEADER]):
            (self.handlers if m.role == Role.MAILBOX_HANDLER else self.leaders).setdefault(m.unit_id, m.user_id)
        self.models = {"letter": Letter, "reply": Reply, "feedback": Feedback, "extension": Extension}
        self.columns = {}
        for key, model in self.models.items():
            fields = [f for f in model._meta.concrete_fields if not (key != "letter" and f.primary_key)]
            self.columns[key] = [(f.attname, f.column, None if f.primary_key else f.get_default()) for f in fields]
        self.next_id = (Letter.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self.due_memo = {}
        self.recent_ids = []
        self.counts = {"letters": 0, "replies": 0, "feedback": 0, "extensions": 0}

    # Dates -------------------------------------------------------------------
    def day_counts(self):
        """Letters per local day, summing to --letters: weekends at 45 %, public holidays
        at 35 %, a linear 30 % growth over the period, today only up to now."""
        import chinese_calendar

        start = self.today - dt.timedelta(days=round(365 * self.args.years) - 1)
        days = [start + dt.timedelta(days=i) for i in range((self.today - start).days + 1)]
        weights = []
        for i, day in enumerate(days):
            w = 1.0 + 0.3 * i / max(len(days) - 1, 1)
            try:
                if not chinese_calendar.is_workday(day):
                    w *= 0.45 if day.weekday() >= 5 else 0.35
            except NotImplementedError:
                w *= 0.45 if day.weekday() >= 5 else 1.0
            weights.append(w)
        local_now = self.now + SHANGHAI
        weights[-1] *= (local_now.hour * 3600 + local_now.minute * 60) / 86400
        total = sum(weights)
        counts, acc, given = [], 0.0, 0
        for w in weights:
            acc += w * self.args.letters / total
            n = round(acc) - given
            counts.append(n)
            given += n
        return list(zip(days, counts))

    def moments(self, day, n):
        """n sorted UTC datetimes within local day ``day``; daytime (8–22 h) busier."""
        base = dt.datetime.combine(day, dt.time.min, tzinfo=UTC) - SHANGHAI
        limit = (self.now - base).total_seconds() if day == self.today else 86400
        rnd = self.rng.random
        out = []
        while len(out) < n:
            s = rnd() * 86400
            if (28800 <= s <= 79200 or rnd() < 0.25) and s < limit:
                out.append(s)
        out.sort()
        return [base + dt.timedelta(seconds=s) for s in out]

    def due(self, start, limit):
        from letters import calendar

        key = (start, limit)
        if key not in self.due_memo:
            self.due_memo[key] = calendar.add_working_days(start, limit).due
        return self.due_memo[key]

    # One letter ---------------------------------------------------------------
    def letter(self, serial, received):
        from guard import codes
        from letters.models import NotAcceptedReason

        rng = self.rng
        mailbox = weighted(rng, self.mailbox_pairs)
        letter_type = self.types[rng.randrange(len(self.types))]
        age = (self.now - received).total_seconds() / 86400
        if age < 0.1:
            status = "screening"
        elif age < 2:
            status = "screening" if rng.random() < 0.9 else weighted(rng, [("routed", 0.6), ("handling", 0.4)])
        elif age < 5:
            status = "screening" if rng.random() < 0.3 else weighted(rng, OPEN_SPLIT)
        else:
            status = weighted(rng, OLD_STATUSES)
            if status == "open":
                status = weighted(rng, OPEN_SPLIT)
        title, opening = OPENINGS[rng.randrange(len(OPENINGS))]
        body = opening + "".join(FILLERS[rng.randrange(len(FILLERS))] for _ in range(rng.randint(1, 9)))
        nonce = hashlib.sha256(f"bench-nonce:{serial}".encode()).hexdigest()[:32]
        code = codes.query_code(serial, nonce)
        letter_id = self.next_id
        self.next_id += 1
        row = {
            "id": letter_id, "serial": serial, "query_code_hash": codes.code_hash(code), "query_nonce": nonce,
            "mailbox_id": mailbox.pk, "letter_type_id": letter_type.pk,
            "source": weighted(rng, [("web", 0.8), ("email", 0.15), ("api", 0.05)]),
            "writer_name": "王李张刘陈杨黄赵吴周"[rng.randrange(10)] + ("建国", "秀英", "志强", "丽娟", "海涛", "小红")[rng.randrange(6)],
            "writer_phone": f"1{'3456789'[rng.randrange(7)]}{rng.randrange(10**9):09d}",
            "writer_email": f"c{serial.lower()}@example.com" if rng.random() < 0.5 else "",
            "writer_ip": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            "title": title, "body": body, "consent_publish": rng.random() < 0.4, "status": status,
            "received_at": received, "version": 1,
        }
        extra = {"replies": [], "feedback": None, "extension": None}
        if status == "not_accepted":
            if not hasattr(self, "reason_codes"):  # the reasons are rows (seeded by a migration), read once
                self.reason_codes = list(NotAcceptedReason.objects.order_by("id").values_list("code", flat=True))
            row["not_accepted_reason"] = self.reason_codes[rng.randrange(len(self.reason_codes))]
            row["version"] = 2
            return row, extra
        if status == "duplicate":
            row["duplicate_of_id"] = self.recent_ids[rng.randrange(len(self.recent_ids))] if self.recent_ids else None
            row["version"] = 2
            return row, extra
        if status in ("spam", "screening"):
            row["version"] = 2 if status == "spam" else 1
            return row, extra

        # Routed: everything below has a handling unit and a deadline.
        if mailbox.is_mayor:
            unit = self.bgt if rng.random() < 0.10 or not self.handling_units else self.handling_units[
                rng.randrange(len(self.handling_units))]
        else:
            unit = mailbox.unit if rng.random() < 0.92 else self.handling_units[rng.randrange(len(self.handling_units))]
        row["handling_unit_id"] = unit.pk
        routed = received + dt.timedelta(hours=rng.uniform(1, 72 if age > 5 else 12))
        latest = self.now - dt.timedelta(minutes=30)
        if routed > latest:
            routed = latest
        row["routed_at"] = routed
        routed_day = (routed + SHANGHAI).date()
        limit = 10 if mailbox.is_mayor and unit.pk != mailbox.unit_id else letter_type.time_limit
        row["time_limit"] = limit
        extension_days = 0
        if rng.random() < 0.05:
            extension_days = rng.randint(5, 15)
            row["extension_days"] = extension_days
            extra["extension"] = ("approved", extension_days)
        due = self.due(routed_day, limit + extension_days)
        row["version"] = 2
        if status in OPEN_STATUSES_STR:
            if rng.random() < OVERDUE_SHARE_OF_OPEN and age > 3:
                back = rng.randint(1, max(1, min(90, int(age) - 2)))
                row["due_on"] = self.today - dt.timedelta(days=back)
                row["reminded_on"] = row["due_on"] + dt.timedelta(days=1)
                if back > 7 and rng.random() < 0.4:
                    row["escalated_on"] = row["due_on"] + dt.timedelta(days=8)
            else:
                # The brief's mix (30 % open, 5 % overdue) over two years means most open
                # letters are old yet not overdue: their deadline is taken as moved to the
                # coming weeks (extension, reopening).
                row["due_on"] = due if due >= self.today else self.today + dt.timedelta(days=rng.randint(0, 20))
                if rng.random() < 0.003:
                    extra["extension"] = ("pending", rng.randint(3, 10))
            if status != "routed":
                row["assignee_id"] = self.handlers.get(unit.pk)
                row["version"] = 3
            if status == "handling" and rng.random() < 0.02:
                row["reopened"] = True
                extra["feedback"] = "unsatisfied"
            if status == "reply_pending":
                drafted = min(self.now - dt.timedelta(minutes=10), routed + dt.timedelta(days=rng.uniform(0.5, 8)))
                extra["replies"].append((unit.pk, drafted, None, ""))
                row["version"] = 4
            return row, extra

        # Replied or closed.
        row["due_on"] = due
        due_end = dt.datetime.combine(due, dt.time(18), tzinfo=UTC) - SHANGHAI
        if rng.random() < 0.85:
            replied = routed + (due_end - routed) * rng.uniform(0.15, 1.0)
        else:
            replied = due_end + dt.timedelta(days=rng.uniform(1, 15))
            if rng.random() < 0.2:
                row["reminded_on"] = due + dt.timedelta(days=1)
                row["escalated_on"] = due + dt.timedelta(days=8)
        latest = self.now - dt.timedelta(minutes=20)
        if replied > latest:
            replied = latest
        if replied <= routed:
            replied = routed + dt.timedelta(minutes=15)
        row["replied_at"] = replied
        row["published"] = row["consent_publish"] and rng.random() < 0.9
        if rng.random() < 0.08:
            extra["replies"].append((unit.pk, replied - dt.timedelta(days=2), None, "答复内容不够具体,请补充办理结果。"))
        extra["replies"].append((unit.pk, replied - dt.timedelta(hours=rng.uniform(1, 48)), replied, ""))
        row["version"] = 5
        if status == "closed":
            extra["feedback"] = weighted(rng, RATINGS)
            row["version"] = 6
        return row, extra

    # Batches -------------------------------------------------------------------
    def rows(self, batch):
        letters, replies, feedback, extensions = [], [], [], []
        rng = self.rng
        for row, extra in batch:
            letters.append(row)
            for unit_id, drafted, approved, rejected in extra["replies"]:
                replies.append({"letter_id": row["id"], "unit_id": unit_id, "body": REPLY_TEXT, "drafted_at": drafted,
                                "drafted_by_id": self.handlers.get(unit_id), "approved_at": approved,
                                "approved_by_id": self.leaders.get(unit_id) if approved else None,
                                "rejected_reason": rejected})
            if extra["feedback"]:
                at = (row.get("replied_at") or row["received_at"]) + dt.timedelta(days=rng.uniform(0.5, 10))
                feedback.append({"letter_id": row["id"], "rating": extra["feedback"],
                                 "comment": "" if rng.random() < 0.7 else "处理及时,态度很好。",
                                 "created_at": min(at, self.now)})
            if extra["extension"]:
                kind, days = extra["extension"]
                requested = min(row["routed_at"] + dt.timedelta(days=2), self.now - dt.timedelta(minutes=5))
                extensions.append({"letter_id": row["id"], "days": days, "reason": "需要协调多个部门现场核查",
                                   "requested_by_id": self.handlers.get(row["handling_unit_id"]), "requested_at": requested,
                                   "decided_at": requested + dt.timedelta(days=1) if kind == "approved" else None,
                                   "approved": True if kind == "approved" else None,
                                   "decided_by_id": None})
        return {"letter": letters, "reply": replies, "feedback": feedback, "extension": extensions}

    def write(self, key, dicts, cursor):
        if not dicts:
            return
        columns = self.columns[key]
        model = self.models[key]
        if self.args.method == "copy":
            names = ", ".join(f'"{column}"' for _, column, _ in columns)
            with cursor.copy(f'COPY "{model._meta.db_table}" ({names}) FROM STDIN') as copy:
                for d in dicts:
                    copy.write_row([d.get(attname, default) for attname, _, default in columns])
        else:
            # (Feedback.created_at is auto_now_add: bulk_create sets it to now; no measured page reads it.)
            objs = [model(**{attname: d.get(attname, default) for attname, _, default in columns}) for d in dicts]
            model.objects.bulk_create(objs, batch_size=self.args.batch)

    def flush(self, batch):
        from django.db import connection, transaction

        if not batch:
            return
        tables = self.rows(batch)
        with transaction.atomic(), connection.cursor() as wrapper:
            cursor = wrapper.cursor  # the psycopg cursor, for COPY
            for key in ("letter", "reply", "feedback", "extension"):
                self.write(key, tables[key], cursor)
        self.recent_ids = [row["id"] for row in tables["letter"][-500:]]
        self.counts["letters"] += len(tables["letter"])
        self.counts["replies"] += len(tables["reply"])
        self.counts["feedback"] += len(tables["feedback"])
        self.counts["extensions"] += len(tables["extension"])

    def finish(self):
        """Move the id sequences past the explicit ids; when the platform numbers
        serials from ``letters.SerialCounter``, set each day's counter to the day's
        highest serial, so that a letter submitted afterwards takes the next one."""
        from django.db import connection

        with connection.cursor() as cursor:
            for model in self.models.values():
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"GREATEST((SELECT max(id) FROM \"{table}\"), 1))")
            if "letters_serialcounter" in connection.introspection.table_names(cursor):
                cursor.execute(
                    "INSERT INTO letters_serialcounter (day, last) "
                    "SELECT to_date(substr(serial, 2, 8), 'YYYYMMDD'), max(substr(serial, 10)::int) "
                    "FROM letters_letter GROUP BY 1 "
                    "ON CONFLICT (day) DO UPDATE SET last = GREATEST(letters_serialcounter.last, excluded.last)"
                )

    def run(self):
        from django.db.models import Max
        from django.db.models.functions import Substr

        from letters.models import Letter

        existing = dict(
            Letter.objects.annotate(day=Substr("serial", 2, 8)).values("day").annotate(last=Max("serial"))
            .values_list("day", "last")
        )
        plan = self.day_counts()
        started, batch, last_report = time.monotonic(), [], 0
        for day, n in plan:
            tag = day.strftime("%Y%m%d")
            first = int(existing[tag][9:]) + 1 if tag in existing else 1
            if first + n - 1 > 99999:
                raise SystemExit(f"{day}: more than 99,999 letters in a day do not fit the serial format")
            for k, received in enumerate(self.moments(day, n)):
                batch.append(self.letter(f"X{tag}{first + k:05d}", received))
            if len(batch) >= self.args.batch * 2:
                self.flush(batch)
                batch = []
                if self.counts["letters"] - last_report >= 100_000:
                    last_report = self.counts["letters"]
                    rate = self.counts["letters"] / (time.monotonic() - started)
                    say(f"  {self.counts['letters']:,} / {self.args.letters:,} letters ({rate:,.0f}/s; "
                        f"{self.counts['replies']:,} replies, {self.counts['feedback']:,} feedback)")
        self.flush(batch)
        self.finish()
        return time.monotonic() - started


def redis_flush(url):
    import redis

    redis.Redis.from_url(url).flushdb()


def vacuum_analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("letters_letter", "letters_reply", "letters_feedback", "letters_extension"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def distribution():
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from letters.models import OPEN_STATUSES, Extension, Feedback, Letter, Reply

    total = Letter.objects.count()
    by_status = dict(Letter.objects.values_list("status").annotate(n=Count("id")))
    overdue = Letter.objects.filter(status__in=OPEN_STATUSES, due_on__lt=timezone.localdate()).count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('letters_letter')), "
                       "pg_size_pretty(pg_relation_size('letters_letter')), pg_size_pretty(pg_database_size(current_database()))")
        sizes = cursor.fetchone()
    return {
        "letters": total, "by_status": by_status, "open": sum(by_status.get(s, 0) for s in OPEN_STATUSES),
        "overdue": overdue, "replies": Reply.objects.count(), "feedback": Feedback.objects.count(),
        "extensions": Extension.objects.count(), "pending_extensions": Extension.objects.filter(approved__isnull=True).count(),
        "escalated": Letter.objects.filter(escalated_on__isnull=False).count(),
        "size_total": sizes[0], "size_heap": sizes[1], "size_db": sizes[2],
    }


# --- Measuring ------------------------------------------------------------------------

class Scenario:
    def __init__(self, key, name, *, user=None, url=None, func=None, note="", page=None):
        self.key, self.name, self.user, self.url, self.func, self.note = key, name, user, url, func, note
        self.page = url is not None if page is None else page  # a page request, judged against the target
        self.times, self.status, self.queries, self.sql_ms, self.captured = [], None, None, None, []
        self.client = None

    def once(self):
        if self.func is not None:
            self.func()
            self.status = "—"
            return
        response = self.client.get(self.url)
        self.status = response.status_code
        if response.status_code != 200:
            raise RuntimeError(f"{self.name}: GET {self.url} -> {response.status_code} {response.get('Location', '')}")

    def p(self, q):
        return pct(sorted(self.times), q)


def deep_position(page):
    """The position the 下一页 link of page ``page - 1`` of 全部 carries: received_at
    and id of that page's last letter (found here by OFFSET, once)."""
    from types import SimpleNamespace

    from letters.admin_views import PER_PAGE, _position
    from letters.models import Letter

    received_at, pk = Letter.objects.order_by("-received_at", "-id").values_list("received_at", "id")[
        (page - 1) * PER_PAGE - 1]
    return _position(SimpleNamespace(received_at=received_at, pk=pk))


def scenarios(args):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from letters import queries, services
    from letters.models import Mailbox

    User = get_user_model()
    dispatcher = User.objects.get(username="cq_bgt_mailbox")
    handler = User.objects.get(username="yuzhong_mailbox")
    supervisor = User.objects.get(username="cq_dcs_supervisor")
    mayor = Mailbox.objects.get(code="mayor")
    unit_box = Mailbox.objects.get(code="yuzhong")
    q = "/admin/letters/"
    deep = args.deep_page
    after = deep_position(deep)
    public = Client()

    def public_stats_rendered():
        from django.core.cache import cache

        cache.clear()  # the page cache (and everything else in the benchmark's Redis db)
        response = public.get("/mailbox/stats/")
        if response.status_code != 200:
            raise RuntimeError(f"/mailbox/stats/ -> {response.status_code}")

    out = [
        Scenario("q_disp_screening", "队列 待审查 · dispatcher", user=dispatcher, url=f"{q}?tab=screening"),
        Scenario("q_disp_mine", "队列 本单位待办 · dispatcher", user=dispatcher, url=f"{q}?tab=mine"),
        Scenario("q_disp_overdue", "队列 超期 · dispatcher", user=dispatcher, url=f"{q}?tab=overdue"),
        Scenario("q_hand_screening", "队列 待审查 · handler (渝中区)", user=handler, url=f"{q}?tab=screening"),
        Scenario("q_hand_mine", "队列 本单位待办 · handler (渝中区)", user=handler, url=f"{q}?tab=mine"),
        Scenario("q_hand_overdue", "队列 超期 · handler (渝中区)", user=handler, url=f"{q}?tab=overdue"),
        Scenario("q_sup_screening", "队列 待审查 · supervisor", user=supervisor, url=f"{q}?tab=screening"),
        Scenario("q_sup_overdue", "队列 超期 · supervisor", user=supervisor, url=f"{q}?tab=overdue"),
        Scenario("q_sup_all", "队列 全部 · supervisor", user=supervisor, url=f"{q}?tab=all"),
        Scenario("q_sup_all_deep", f"队列 全部 page {deep} (下一页 link) · supervisor", user=supervisor,
                 url=f"{q}?tab=all&page={deep}&after={after}"),
        Scenario("q_sup_all_deep_offset", f"队列 全部 page {deep} (page number alone, OFFSET) · supervisor", user=supervisor,
                 url=f"{q}?tab=all&page={deep}"),
        Scenario("q_sup_extensions", "队列 延期申请 · supervisor", user=supervisor, url=f"{q}?tab=extensions"),
        Scenario("s_admin_sup", "统计 (admin, this year) · supervisor", user=supervisor, url=f"{q}stats/"),
        Scenario("s_admin_sup_all", "统计 (admin, all time) · supervisor", user=supervisor, url=f"{q}stats/?since="),
        Scenario("s_admin_hand", "统计 (admin, this year) · handler (渝中区)", user=handler, url=f"{q}stats/"),
        Scenario("s_public", "公开统计 /mailbox/stats/ · anonymous (page cache)", url="/mailbox/stats/"),
        Scenario("s_public_rendered", "公开统计 /mailbox/stats/ · anonymous (page cache emptied)", func=public_stats_rendered,
                 page=True),
        Scenario("f_refresh", "stats_refresh() (the periodic task)", func=services.stats_refresh),
        Scenario("f_stats_mayor", "letter_stats(mailbox=市长信箱)", func=lambda: queries.letter_stats(mailbox=mayor)),
        Scenario("f_stats_unit", "letter_stats(mailbox=渝中区)", func=lambda: queries.letter_stats(mailbox=unit_box)),
        Scenario("f_stats_all", "letter_stats() overall", func=lambda: queries.letter_stats()),
    ]
    clients = {}
    for sc in out:
        if sc.func is None:
            key = sc.user.pk if sc.user else None
            if key not in clients:
                clients[key] = Client()
                if sc.user:
                    clients[key].force_login(sc.user)
            sc.client = clients[key]
    if args.only:
        keys = set(args.only.split(","))
        out = [sc for sc in out if sc.key in keys or any(sc.key.startswith(k) for k in keys)]
    return out


def measure(items, args):
    """Warm up, then time in interleaved rounds; a scenario stops at --n requests or
    when it has used --budget seconds (at least --min-n requests)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for sc in items:
        for _ in range(args.warmup):
            t = time.perf_counter()
            sc.once()
            if time.perf_counter() - t > 2:  # a page of seconds is warm after one request
                break
    spent = {sc.key: 0.0 for sc in items}
    rounds = max(1, args.rounds)
    for r in range(rounds):
        for sc in items:
            quota = args.n // rounds + (1 if r < args.n % rounds else 0)
            for _ in range(quota):
                if len(sc.times) >= args.min_n and spent[sc.key] > args.budget:
                    break
                t = time.perf_counter()
                sc.once()
                ms = (time.perf_counter() - t) * 1000
                sc.times.append(ms)
                spent[sc.key] += ms / 1000
    for sc in items:
        timer = common.QueryTimer()
        with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timer):
            sc.once()
        sc.queries = len(ctx.captured_queries)
        sc.sql_ms = sum(timer.times)
        sc.captured = [{"sql": q["sql"], "ms": ms} for q, ms in zip(ctx.captured_queries, timer.times)]
        say(f"  {sc.name:<44} p50 {sc.p(50):8.1f} ms  p95 {sc.p(95):8.1f}  n={len(sc.times):3d}  "
            f"{sc.queries:3d} queries {sc.sql_ms:8.1f} ms SQL  [{sc.status}]")


def explain(sql):
    from django.db import connection

    with connection.cursor() as cursor:
        try:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        except Exception as exc:  # noqa: BLE001  (a query that does not re-run as logged)
            return f"(could not explain: {exc})"


def shorten(sql, width=200):
    import re

    sql = re.sub(r"SELECT .*? FROM", "SELECT … FROM", sql, count=1, flags=re.S)
    return sql if len(sql) <= width else sql[:width] + " …"


def groups(captured):
    """Queries of one request grouped by shape (literals stripped): count, total ms."""
    import re

    shapes = {}
    for q in captured:
        shape = re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"])
        entry = shapes.setdefault(shape, {"n": 0, "ms": 0.0, "sql": q["sql"]})
        entry["n"] += 1
        entry["ms"] += q["ms"]
    return sorted(shapes.values(), key=lambda e: -e["ms"])


def markdown(items, args, dist, load_info, started_at, ver, load_start, plans):
    lines = common.header_lines(f"A million letters: {dist['letters']:,} letters", started_at, ver=ver, load=load_start, extra=[
        f"- Database `{args.db}`: {dist['letters']:,} letters ({dist['size_heap']} heap, {dist['size_total']} with "
        f"indexes and TOAST; database {dist['size_db']}), {dist['open']:,} open ({100 * dist['open'] / max(dist['letters'], 1):.1f} %), "
        f"{dist['overdue']:,} overdue ({100 * dist['overdue'] / max(dist['letters'], 1):.1f} %), "
        f"{dist['by_status'].get('screening', 0):,} in screening, {dist['escalated']:,} escalated; {dist['replies']:,} replies, "
        f"{dist['feedback']:,} feedback, {dist['extensions']:,} extensions ({dist['pending_extensions']:,} pending)",
        f"- Load: {load_info}",
        f"- Method: Django test client in one process (DEBUG=False), logged in with `force_login`; {args.warmup} warm-up "
        f"requests, then up to {args.n} timed requests per page in {args.rounds} interleaved rounds (a page stops after "
        f"{args.budget:.0f} s, with at least {args.min_n}); queries counted and timed on one further request. "
        f"`letter_stats()` timed as a function call.",
        "",
    ])
    lines += [
        "| Page | User | p50 ms | p95 ms | n | SQL queries | SQL ms | Target p50 | |",
        "|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for sc in items:
        # The target is for pages; functions (the periodic task, letter_stats) are shown for what they cost.
        ok = ("met" if sc.p(50) < TARGET_MS else "**not met**") if sc.page else "(not a page)"
        who = sc.user.username if sc.user else ("anonymous" if sc.page else "(function)")
        what = f"`{sc.url}`" if sc.url else sc.name
        lines.append(f"| {sc.name} {what if sc.url else ''} | {who} | {fmt(sc.p(50))} | {fmt(sc.p(95))} | {len(sc.times)} "
                     f"| {sc.queries} | {fmt(sc.sql_ms)} | {f'< {TARGET_MS:.0f} ms' if sc.page else '—'} | {ok} |")
    lines.append("")
    lines += ["#### Where the SQL time goes (one request each; queries of the same shape summed)", ""]
    for sc in items:
        lines += [f"{sc.name}: {sc.queries} queries, {fmt(sc.sql_ms)} ms SQL", "", "```"]
        for g in groups(sc.captured)[:6]:
            lines.append(f"{g['ms']:8.1f} ms  ×{g['n']:<3d} {shorten(g['sql'])}")
        lines += ["```", ""]
    if plans:
        lines += ["#### EXPLAIN ANALYZE of the slowest query of each page over the target, and of the periodic task", ""]
        for name, ms, sql, plan in plans:
            lines += [f"{name} — {ms:.1f} ms:", "", "```sql", sql[:3000], "```", "", "```", plan, "```", ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="bench_letters_1m", help="database (default bench_letters_1m)")
    parser.add_argument("--template", metavar="NAME", help="start from a copy of NAME (letters_intake.py --template)")
    parser.add_argument("--skip-load", action="store_true", help="measure --db as it is (loaded by an earlier run)")
    parser.add_argument("--letters", type=int, default=1_000_000, help="letters to add (default 1,000,000)")
    parser.add_argument("--years", type=float, default=2, help="received over this many years (default 2)")
    parser.add_argument("--batch", type=int, default=5000, help="rows per INSERT (default 5000; a transaction holds two)")
    parser.add_argument("--method", choices=("bulk_create", "copy"), default="bulk_create",
                        help="write with Django bulk_create (default) or PostgreSQL COPY")
    parser.add_argument("--seed", type=int, default=2005209)
    parser.add_argument("-n", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--min-n", type=int, default=5, help="timed requests per page at least (default 5)")
    parser.add_argument("--budget", type=float, default=30, help="seconds per page before it stops early (default 30)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up requests per page (default 2)")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds (default 4)")
    parser.add_argument("--deep-page", type=int, default=200, help="the deep page of the 全部 tab (default 200)")
    parser.add_argument("--only", default="", help="comma-separated scenario keys or prefixes (q_, s_, f_ …)")
    parser.add_argument("--load-only", action="store_true", help="load, then stop (implies --keep); measure later with --skip-load")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/8", help="REDIS_URL (the cache), flushed before and after")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--label", default="", help="section name in --write")
    parser.add_argument("--write", metavar="FILE", help="put the Markdown section into FILE (docs/performance-letters.md)")
    parser.add_argument("--json", metavar="FILE", help="also write the raw figures as JSON")
    args = parser.parse_args(argv)
    started_at = common.utcnow()
    load_start = os.getloadavg()[0]

    if args.skip_load:
        if not common.db_exists(args.db):
            raise SystemExit(f"--skip-load: database {args.db} does not exist")
    elif args.template:
        say(f"creating database {args.db} as a copy of {args.template}")
        common.create_db(args.db, template=args.template)
    else:
        say(f"creating database {args.db}")
        common.create_db(args.db)
    common.use_database(args.db)
    os.environ["REDIS_URL"] = args.redis
    redis_flush(args.redis)
    common.setup_django()
    from django.conf import settings

    settings.DEBUG = False
    ver = common.versions()
    if not args.skip_load and not args.template:
        migrate_s, demo_s = common.migrate_and_load_demo(items_per_column=1)
        say(f"migrate {migrate_s:.1f}s, load_demo {demo_s:.1f}s")

    if args.skip_load:
        load_info = "loaded by an earlier run (--skip-load)"
    else:
        loader = Loader(args)
        say(f"loading {args.letters:,} letters over {args.years:g} years in batches of {args.batch} …")
        seconds = loader.run()
        c = loader.counts
        say(f"loaded {c['letters']:,} letters, {c['replies']:,} replies, {c['feedback']:,} feedback, "
            f"{c['extensions']:,} extensions in {seconds:.0f}s ({c['letters'] / seconds:,.0f} letters/s)")
        t = time.monotonic()
        vacuum_analyze()
        vacuum_s = time.monotonic() - t
        say(f"VACUUM (ANALYZE) {vacuum_s:.0f}s")
        load_info = (f"{c['letters']:,} letters + {c['replies']:,} replies + {c['feedback']:,} feedback + "
                     f"{c['extensions']:,} extensions with {'`COPY`' if args.method == 'copy' else '`bulk_create`'} (transactions of {2 * args.batch} letters) in {seconds:.0f} s "
                     f"({c['letters'] / seconds:,.0f} letters/s), then VACUUM (ANALYZE) in {vacuum_s:.0f} s")
    dist = distribution()
    say(f"database: {dist['letters']:,} letters, by status {dist['by_status']}, overdue {dist['overdue']:,}, "
        f"{dist['size_total']} letters table")

    if args.load_only:
        common.close_connections()
        redis_flush(args.redis)
        say(f"--load-only: database {args.db} kept; measure with --skip-load --db {args.db}")
        return 0
    items = scenarios(args)
    say(f"measuring {len(items)} pages …")
    measure(items, args)
    plans = []
    for sc in items:
        if ((sc.page and sc.p(50) >= TARGET_MS) or sc.key == "f_refresh") and sc.captured:
            slowest = max(sc.captured, key=lambda q: q["ms"])
            plans.append((sc.name, slowest["ms"], slowest["sql"], explain(slowest["sql"])))
    text = markdown(items, args, dist, load_info, started_at, ver, load_start, plans)
    print()
    print(text)
    if args.write:
        common.write_section(args.write, f"letters-million {args.label or args.db}", text)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({
            "date": started_at.isoformat(), "distribution": dist, "load": load_info,
            "scenarios": [{"key": s.key, "name": s.name, "url": s.url, "times_ms": s.times, "p50": s.p(50), "p95": s.p(95),
                           "queries": s.queries, "sql_ms": s.sql_ms,
                           "slowest": sorted(s.captured, key=lambda q: -q["ms"])[:5]} for s in items],
        }, ensure_ascii=False, indent=1, default=str))
    common.close_connections()
    redis_flush(args.redis)
    if not args.keep:
        common.drop_db(args.db)
        say(f"database {args.db} dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
