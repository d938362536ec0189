from django.db import migrations


def load(apps, schema_editor):
    from livedata.stations import KNOWN

    Station = apps.get_model("livedata", "Station")
    for kind, rows in KNOWN:
        for code, name, city in rows:
            Station.objects.get_or_create(kind=kind, code=code, defaults={"name": name, "city": city})


class Migration(migrations.Migration):
    dependencies = [("livedata", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
