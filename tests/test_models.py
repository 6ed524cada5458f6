import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from news.models import Article, Community, Reporter, Street
from news.text import validate_plain_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    yingbin = Street.objects.create(name="迎宾街道", slug="yingbin")
    yongtai = Street.objects.create(name="永泰街道", slug="yongtai")
    yonganli = Community.objects.create(street=yingbin, name="永安里社区", slug="yonganli")
    return yingbin, yongtai, yonganli


def test_community_must_belong_to_the_articles_street(places):
    yingbin, yongtai, yonganli = places
    reporter = Reporter.objects.create(name="郑林", slug="zheng-lin")
    article = Article(
        headline="标题", body="正文。", reporter=reporter, street=yongtai, community=yonganli
    )
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "所选社区不属于所选街道" in str(error.value)
    article.street = None
    with pytest.raises(ValidationError):
        article.full_clean()
    article.street = yingbin
    article.full_clean()  # no error


def test_community_slug_and_name_are_unique_within_a_street(places):
    yingbin, yongtai, _ = places
    Community.objects.create(
        street=yongtai, name="永安里社区", slug="yonganli"
    )  # other street: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        Community.objects.create(street=yingbin, name="另一个", slug="yonganli")
    with pytest.raises(IntegrityError), transaction.atomic():
        Community.objects.create(street=yingbin, name="永安里社区", slug="other")


def test_street_slug_is_unique(places):
    with pytest.raises(IntegrityError), transaction.atomic():
        Street.objects.create(name="别的街道", slug="yingbin")


def test_published_means_published_and_due(make_article):
    now = timezone.now()
    visible = make_article(headline="已发布")
    make_article(headline="草稿", status=Article.Status.DRAFT)
    make_article(headline="定时", published_at=now + timezone.timedelta(minutes=5))
    assert list(Article.objects.published()) == [visible]


def test_scheduled_item_appears_by_itself_when_due(make_article):
    article = make_article(published_at=timezone.now() + timezone.timedelta(seconds=1))
    assert not Article.objects.published().exists()
    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    assert Article.objects.published().get() == article


def test_paragraphs_split_on_blank_lines(make_article):
    article = make_article(body="第一段。\r\n\r\n第二段\n接着。\n\n\n\n第三段。")
    assert article.paragraphs == ["第一段。", "第二段 接着。", "第三段。"]


def test_string_forms_and_urls(places):
    yingbin, _, yonganli = places
    reporter = Reporter.objects.create(name="郑林", slug="zheng-lin")
    article = Article.objects.create(headline="污水外溢 快速处理", body="正文。", reporter=reporter)
    assert str(yingbin) == "迎宾街道" and str(yonganli) == "永安里社区" and str(reporter) == "郑林"
    assert str(article) == "污水外溢 快速处理"
    assert yingbin.get_absolute_url() == "/streets/yingbin/"
    assert yonganli.get_absolute_url() == "/streets/yingbin/yonganli/"
    assert reporter.get_absolute_url() == "/reporters/zheng-lin/"
    assert article.get_absolute_url() == f"/news/{article.pk}/"
    assert article.dateline == "本报讯"
    assert article.status == Article.Status.DRAFT  # new items start as drafts


def test_natural_keys_round_trip(places):
    _, _, yonganli = places
    assert Community.objects.get_by_natural_key(*yonganli.natural_key()) == yonganli
    assert Street.objects.get_by_natural_key("yingbin").name == "迎宾街道"


def test_street_with_articles_cannot_be_deleted(places, make_article):
    from django.db.models import ProtectedError

    yingbin, _, _ = places
    make_article(street=yingbin)
    with pytest.raises(ProtectedError):
        yingbin.delete()


def test_community_slug_cannot_shadow_a_street_page(places):
    yingbin, _, _ = places
    community = Community(street=yingbin, name="公告社区", slug="digest")
    with pytest.raises(ValidationError) as error:
        community.full_clean()
    assert "保留" in str(error.value)


def test_every_text_field_of_the_editors_models_refuses_control_characters():
    """The rule (news.text.validate_plain_text) is on the fields, so every way in meets it; a
    text field added later without it fails here."""
    text_fields = [
        field
        for model in (Article, Street, Community, Reporter)
        for field in model._meta.fields
        if isinstance(field, models.CharField | models.TextField) and not field.choices
    ]
    assert len(text_fields) == 16  # names, slugs, bio, the article's texts, import_key
    assert [f for f in text_fields if validate_plain_text not in f.validators] == []


def test_neighbours_follow_the_site_order_and_skip_what_is_not_public(make_article):
    """上一篇/下一篇 walk (-published_at, id): newer first, the earlier-entered first among
    items of the same time; drafts and items still to come are never a neighbour."""
    t = timezone.now().replace(microsecond=0) - timezone.timedelta(days=10)
    day = timezone.timedelta(days=1)
    oldest = make_article(headline="最早", published_at=t - 2 * day)
    make_article(headline="草稿", published_at=t - day, status=Article.Status.DRAFT)
    same_a = make_article(headline="同时甲", published_at=t)
    same_b = make_article(headline="同时乙", published_at=t)
    same_c = make_article(headline="同时丙", published_at=t)
    newest = make_article(headline="最新", published_at=t + 3 * day)
    make_article(headline="定时", published_at=timezone.now() + day)
    listing = [newest, same_a, same_b, same_c, oldest]
    assert list(Article.objects.published()) == listing
    for position, article in enumerate(listing):
        previous, following = article.neighbours()
        assert previous == (listing[position - 1] if position else None)
        assert following == (listing[position + 1] if position + 1 < len(listing) else None)
    assert newest.neighbours()[1].headline == "同时甲"


def test_neighbours_are_one_query(make_article, django_assert_num_queries):
    t = timezone.now() - timezone.timedelta(days=3)
    first, second = make_article(published_at=t), make_article(published_at=t)
    make_article(published_at=t - timezone.timedelta(days=1))
    with django_assert_num_queries(1):
        assert second.neighbours()[0] == first


def test_where_sql_refuses_conditions_on_other_tables():
    sql, params = Article.objects.published().filter(street_id=3).where_sql()
    assert '"news_article"."status"' in sql and 3 in params
    with pytest.raises(ValueError):
        Article.objects.published().filter(street__slug="yingbin").where_sql()
