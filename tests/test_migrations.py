import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_system_checks_pass():
    call_command("check", fail_level="WARNING")


@pytest.mark.django_db(transaction=True)
def test_text_stored_before_the_rule_loses_its_control_characters_once():
    """Rows written before the fields refused control characters (here through the model state
    of the migration before) come out of the data migration without them, and editable again."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    (cleaning,) = [
        key for key in executor.loader.graph.nodes if key[1].endswith("remove_control_characters")
    ]
    before = sorted(executor.loader.graph.node_map[cleaning].parents)[0].key
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps
    nul = "\x00" if connection.vendor == "sqlite" else ""  # PostgreSQL never stored NUL
    street = old.get_model("news", "Street").objects.create(name=f"迎宾{nul}街道", slug="yingbin")
    reporter = old.get_model("news", "Reporter").objects.create(
        name="郑林", slug="zheng-lin", bio="社区\u202e记者"
    )
    article = old.get_model("news", "Article").objects.create(
        headline=f"社区\x1b[31m活动{nul}",
        body="第一段。\r\n\r\n第二段\t\u200f。\x85",
        reporter=reporter,
        street=street,
        status="published",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from news.models import Article, Reporter, Street

    cleaned = Article.objects.get(pk=article.pk)
    assert cleaned.headline == "社区[31m活动"
    assert cleaned.body == "第一段。\r\n\r\n第二段\t\u200f。"  # CR LF, tab and the mark stay
    assert cleaned.updated_at == article.updated_at  # not a correction
    assert Street.objects.get(pk=street.pk).name == "迎宾街道"
    assert Reporter.objects.get(pk=reporter.pk).bio == "社区记者"
    cleaned.full_clean()
