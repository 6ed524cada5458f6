from pathlib import Path

from django.db import migrations

# The list as shipped when this migration was written is read from the file, which stays in
# the repository: later edits to the file do not change what this migration did before.
LIST = Path(__file__).resolve().parent.parent / "data" / "wrong_words.tsv"


def seed(apps, schema_editor):
    WrongWord = apps.get_model("newsroom", "WrongWord")
    for line in LIST.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, suggestion, level = (field.strip() for field in line.split("\t"))
        WrongWord.objects.get_or_create(
            word=word, defaults={"suggestion": suggestion, "level": level}
        )


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0005_wrong_words")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
