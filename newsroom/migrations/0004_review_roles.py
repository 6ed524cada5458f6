from django.contrib.auth.management import create_permissions
from django.db import migrations

# Each role's permissions, exactly: (app, codename). Everyone reads articles and the places
# they name; nobody but the 编辑 group changes streets, communities and reporters.
READ = [
    ("news", "view_article"),
    ("news", "view_street"),
    ("news", "view_community"),
    ("news", "view_reporter"),
]
WRITE = [("news", "add_article"), ("news", "change_article")]
ROLES = {
    "撰稿": [*READ, *WRITE, ("newsroom", "submit_article")],
    # 初审 and 复审 may correct the text; a correction is a new version, submitted again.
    "初审": [*READ, ("news", "change_article"), ("newsroom", "review_first")],
    "复审": [*READ, ("news", "change_article"), ("newsroom", "review_second")],
    "终审": [*READ, ("newsroom", "review_final")],
    # Publishes what passed, sets its time and takes it down (the list's 撤回 needs change).
    "发布": [*READ, ("news", "change_article"), ("news", "publish_article")],
}


def make_roles(apps, schema_editor):
    for label in ("news", "newsroom"):
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in wanted
            ]
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    """The five roles of 先审后发 (issue 12). The 编辑 group stays as it was."""

    dependencies = [
        ("newsroom", "0003_review"),
        ("news", "0010_public_lifecycle"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(make_roles, remove_roles)]
