from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here, as a migration must be (and `news` never imports the editors' app, newsroom):
# the 编辑 group and what it could do when this migration was written.
EDITOR_GROUP = "编辑"


def editor_permission_codenames():
    return [
        f"{action}_{model}"
        for model in ["article", "street", "community", "reporter"]
        for action in ["add", "change", "delete", "view"]
    ]


def create_editor_group(apps, schema_editor):
    # Permissions are normally created after all migrations have run; make sure ours exist now.
    news = apps.get_app_config("news")
    news.models_module = True
    create_permissions(news, apps=apps, verbosity=0)
    news.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="news", codename__in=editor_permission_codenames()
        )
    )


def remove_editor_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITOR_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0002_photo_processing"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editor_group, remove_editor_group)]
