# `changes`: a count of the writes to an article row, raised by the database (news/fragments.py).
#
# Added with plain ALTER TABLE (in SeparateDatabaseAndState): Django's SQLite schema editor would
# remake the table for a NOT NULL column with a default, dropping the tally's triggers and
# copying every row; ADD COLUMN with a constant default is instant on both databases.

from django.db import migrations, models

SQLITE = [
    # Fires on every UPDATE of a row, whatever it sets `changes` to (the ORM writes back the
    # value it read, which may be stale): the row ends at the old count plus one. SQLite does
    # not fire a trigger from its own statement (recursive_triggers is off), and the tally's
    # update trigger ignores this second write (it changes nothing the tally reads).
    "CREATE TRIGGER news_article_changes AFTER UPDATE ON news_article FOR EACH ROW BEGIN"
    " UPDATE news_article SET changes = old.changes + 1 WHERE id = new.id; END",
]
POSTGRES = [
    "CREATE FUNCTION news_article_changes() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN NEW.changes := OLD.changes + 1; RETURN NEW; END $$",
    "CREATE TRIGGER news_article_changes BEFORE UPDATE ON news_article FOR EACH ROW"
    " EXECUTE FUNCTION news_article_changes()",
]


def add(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE news_article ADD COLUMN changes bigint NOT NULL DEFAULT 0")
        for statement in POSTGRES if connection.vendor == "postgresql" else SQLITE:
            cursor.execute(statement)


def remove(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER news_article_changes ON news_article")
            cursor.execute("DROP FUNCTION news_article_changes()")
        else:
            cursor.execute("DROP TRIGGER news_article_changes")
        cursor.execute("ALTER TABLE news_article DROP COLUMN changes")


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0011_article_tally"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add, remove)],
            state_operations=[
                migrations.AddField(
                    model_name="article",
                    name="changes",
                    field=models.BigIntegerField(default=0, editable=False),
                ),
            ],
        ),
    ]
