from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_GROUP = "编辑"
PUBLISH = "publish_article"


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations have run; make sure ours exists now.
    news = apps.get_app_config("news")
    news.models_module = True
    create_permissions(news, apps=apps, verbosity=0)
    news.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label="news", codename=PUBLISH))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=EDITOR_GROUP):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="news", codename=PUBLISH)
        )


class Migration(migrations.Migration):
    """The 编辑 group may publish an item and its working versions (issue 12 splits this into
    review roles)."""

    dependencies = [
        ("newsroom", "0001_initial"),
        ("news", "0009_article_edit_version"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
