"""The hierarchy's levels as data: administrators may change them later."""

from django.db import migrations

LEVELS = [
    ("trung-uong", "trung ương", 0),
    ("tinh", "tỉnh", 1),
    ("huyen", "huyện", 2),
    ("xa", "xã", 3),
]


def add_levels(apps, schema_editor):
    Level = apps.get_model("reports", "Level")
    for code, name, order in LEVELS:
        Level.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(add_levels, migrations.RunPython.noop)]
