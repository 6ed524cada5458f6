# Text stored before the fields refused control characters (news.text.validate_plain_text) may
# hold them: an editor could not save such an item again, and could not see what to delete. This
# takes them out once. A migration keeps its own copy of the rule, as it was when written.

import re

from django.db import IntegrityError, migrations, transaction

REFUSED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|[\ud800-\udfff\ufffe\uffff]"
)
# Slugs are left alone: their own rule never let such characters in, and they are URLs.
FIELDS = {
    "street": ["name"],
    "community": ["name"],
    "reporter": ["name", "bio"],
    "article": [
        "kicker",
        "headline",
        "subtitle",
        "dateline",
        "body",
        "photo_caption",
        "photo_alt",
        "photo_credit",
        "import_key",
    ],
}


def remove_control_characters(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        rows = apps.get_model("news", model_name)._base_manager
        changes = []
        for pk, *values in rows.values_list("pk", *fields).iterator(chunk_size=2000):
            cleaned = {
                name: REFUSED.sub("", value)
                for name, value in zip(fields, values)
                if value and REFUSED.search(value)
            }
            if cleaned:
                changes.append((pk, cleaned))
        for pk, cleaned in changes:
            # update(), not save(): the text is what the editor wrote, so updated_at (which
            # readers see as a correction) stays as it was.
            try:
                with transaction.atomic():
                    rows.filter(pk=pk).update(**cleaned)
            except IntegrityError:
                pass  # the cleaned name is another row's: left for an editor to rename


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0007_listing_indexes"),
    ]

    operations = [
        migrations.RunPython(remove_control_characters, migrations.RunPython.noop, elidable=True),
    ]
