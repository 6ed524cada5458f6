# The token that changes on every write to streets, communities and reporters, kept by
# triggers: see news/places.py.

from django.db import migrations


def install(apps, schema_editor):
    from news import places

    with schema_editor.connection.cursor() as cursor:
        places.install(cursor)


def uninstall(apps, schema_editor):
    from news import places

    with schema_editor.connection.cursor() as cursor:
        places.uninstall(cursor)


class Migration(migrations.Migration):

    dependencies = [
        ("news", "0014_article_qr_code"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
