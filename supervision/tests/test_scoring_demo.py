"""The demo city scored: every watched site gets its scorecard, and the columns the
demo leaves stale or blank on purpose (demo/city.py STALE) are found with their
evidence (the column's title and address, how old its newest item is)."""

import pytest
from django.utils import timezone

from demo import city as data
from demo.loader import load
from orgs.models import SiteRecord
from supervision.models import Scorecard
from supervision.scoring import score_all
from supervision.services import watched_records


@pytest.mark.django_db
def test_the_demo_city_is_scored_and_its_stale_and_blank_columns_are_found(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    load(items_per_column=1)
    count = score_all()
    records = list(watched_records())
    assert count == len(records) == SiteRecord.objects.count()
    assert Scorecard.objects.count() == count
    period_start = timezone.localdate().replace(day=1)
    for (unit_code, title), days in data.STALE.items():
        record = SiteRecord.objects.get(unit__code=unit_code)
        card = Scorecard.objects.get(record=record, period_start=period_start)
        rows = {c["title"]: c for c in card.measurements["measures"]["columns"]["value"]["columns"]}
        row = rows[title]
        if days is None:
            assert row["blank"], (unit_code, title)
        else:
            assert not row["blank"] and row["stale"], (unit_code, title)
            assert row["days_since"] in (days, days + 1), (unit_code, title, row["days_since"])
        found = [e for i in card.vetoes + card.deductions for e in i["evidence"] if e["what"] == f"栏目“{title}”"]
        assert found, (unit_code, title, [i["rule"] for i in card.deductions])
        evidence = found[0]
        assert evidence["url"].rstrip("/").endswith(row["url"].rstrip("/").rsplit("/", 1)[-1])
        if days is None:
            assert evidence["detail"] == "开设以来没有内容"
        else:
            assert f"{row['days_since']}天未更新" in evidence["detail"]
    # a site the demo keeps fresh loses nothing for its news column
    fresh = Scorecard.objects.get(record__unit__code="yuzhong", period_start=period_start)
    assert "pub-news" not in {d["rule"] for d in fresh.deductions}
