"""The catalogue of medical materials (issue 20, item 5): one row per item, with its unit."""

from django.db import migrations

CATALOGUE = [
    ("n95_mask", "piece"),
    ("surgical_mask", "piece"),
    ("protective_suit", "piece"),
    ("goggles", "piece"),
    ("gloves", "pair"),
    ("swab", "piece"),
    ("sampling_tube", "piece"),
    ("reagent", "test"),
    ("disinfectant", "litre"),
]


def fill(apps, schema_editor):
    Item = apps.get_model("supplies", "Item")
    for code, unit in CATALOGUE:
        Item.objects.get_or_create(code=code, defaults={"unit": unit})


class Migration(migrations.Migration):
    dependencies = [("supplies", "0001_initial")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
