"""The 我为政府网站找错 channel's answers, for the indicator: how many reports about a
site arrived in the period and which were answered later than the limit (3 working
days), counted by the mailbox's own calendar (letters.queries.error_reports).

The reports are letters of the platform's own channel, routed to the unit of the
site concerned, so every registered site (hosted or independent) is measured the
same way. Whether every footer carries the entry is the crawl's ``footer`` check."""

from letters.queries import error_report_type, error_reports

from ..measures import OK, PROBLEM, Evidence, Measure, not_checked


def measures(record, period):
    """The ``error_report`` measure of ``record`` for ``period``."""
    letter_type = error_report_type()
    if letter_type is None:
        return [not_checked("error_report", "平台的“我为政府网站找错”留言类型未设置")]
    rows = [row for row in error_reports(unit_ids=[record.unit_id], since=period.start, until=period.until)
            if row["site"] in (None, record.pk)]
    late = [row for row in rows if row["late"]]
    value = {
        "reports": len(rows),
        "late": [{"serial": row["serial"], "received_at": row["received_at"].isoformat(),
                  "working_days": row["working_days"], "page": row["page"], "open": row["open"]} for row in late],
        "limit_days": letter_type.time_limit,
        "open": sum(1 for row in rows if row["open"]),
    }
    evidence = [
        Evidence(what=f"找错留言 {row['serial']}", url=row["page"],
                 detail=(f"至今未答复,已 {row['working_days']} 个工作日" if row["open"]
                         else f"{row['working_days']} 个工作日后答复") + f"(时限 {row['limit']} 个工作日)",
                 at=row["received_at"].isoformat())
        for row in late
    ]
    summary = (f"本期收到找错留言 {len(rows)} 条,超期 {len(late)} 条" if rows else "本期没有收到找错留言")
    return [Measure("error_report", PROBLEM if late else OK, value=value, evidence=evidence, reason=summary,
                    measured_at=period.until.isoformat())]
