"""Two systems pushing the same new trips at the same moment (PostgreSQL, where
writers really run side by side)."""

import threading

import pytest
from django.db import connection

from livedata import services
from livedata.models import Change, Trip
from livedata.tests.conftest import flight


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite lets one transaction write at a time anyway")
@pytest.mark.django_db(transaction=True)
def test_the_same_new_trips_pushed_twice_at_once_are_stored_once(live, at):
    for round_ in range(5):
        batch = [flight(f"R{round_}-{i}", number=f"CA{1000 + i}", dep=at(2 + i / 60), arr=at(4 + i / 60),
                        observed_at=at(-1)) for i in range(40)]
        start, results, failures = threading.Barrier(2), [], []

        def push():
            try:
                start.wait(10)
                results.append(services.trips_upsert(unit=live.airport, records=batch, source="api"))
            except Exception as exc:
                failures.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=push) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert failures == []
        assert sorted((r.created, r.unchanged) for r in results) == [(0, 40), (40, 0)]
        assert Trip.objects.filter(ref__startswith=f"R{round_}-").count() == 40
        assert Change.objects.filter(trip__ref__startswith=f"R{round_}-").count() == 40
