# The tally of articles per (kind, owner, month), kept by triggers: see news/tally.py.

from django.db import migrations


def install(apps, schema_editor):
    # The live module, not a frozen copy: `tally.install` makes the table and the triggers
    # from the settled rule as it stands, and counts the articles already there. (At merge:
    # this migration must run after any migration that adds a column the rule reads.)
    from news import tally

    with schema_editor.connection.cursor() as cursor:
        tally.install(cursor)


def uninstall(apps, schema_editor):
    from news import tally

    with schema_editor.connection.cursor() as cursor:
        tally.uninstall(cursor)


class Migration(migrations.Migration):

    dependencies = [
        ("news", "0010_public_lifecycle"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
