"""The bulletin fixtures against the printed page: nothing lost, nothing invented."""

import json
import re
import unicodedata
from pathlib import Path

import pytest

from news.models import Article, Community, Reporter, Street

ROOT = Path(__file__).resolve().parent.parent
# The printed page, as handed to the project (shared/seeds/), with a copy kept in the repository
# so the check runs from any clone.
SOURCE = ROOT / "fixtures" / "source" / "000_fb969b08d7965303.txt"
SHARED_SOURCE = ROOT.parent / "shared" / "seeds" / SOURCE.name
FIXTURE = ROOT / "fixtures" / "bulletin.json"

# A Latin or half-width punctuation mark touching a CJK character: what the transcription
# had to turn full-width. (“+” in 党建引领+新就业群体 is a sign, not punctuation.)
HALF_WIDTH_NEXT_TO_CJK = re.compile(r"[\u4e00-\u9fff][,()\:;!?]|[,()\:;!?][\u4e00-\u9fff]")


def normalise(text):
    """Fold widths (，→, and so on), drop Markdown emphasis/heading marks and all white space."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"^#+ ", "", text, flags=re.MULTILINE).replace("**", "")
    return re.sub(r"\s+", "", text)


def site_text(articles):
    """Everything the site shows of the bulletin, in page order, as the source lays it out."""
    parts = []
    for a in articles:
        parts += [a.kicker, a.headline, a.subtitle, a.photo_caption]
        parts.append(f"{a.dateline}(记者 {a.reporter.name})")
        parts.append(a.body)
    return "".join(parts)


@pytest.fixture
def source_text():
    return SOURCE.read_text(encoding="utf-8")


def test_kept_copy_is_the_shared_source():
    assert SOURCE.is_file(), f"bulletin source not found at {SOURCE}"
    if SHARED_SOURCE.is_file():  # beside the clone on the project's machines and in CI
        assert SOURCE.read_bytes() == SHARED_SOURCE.read_bytes()


def test_fixtures_reproduce_the_source_exactly(bulletin, source_text):
    articles = Article.objects.select_related("reporter").order_by("pk")
    assert normalise(site_text(articles)) == normalise(source_text)


def test_every_source_paragraph_is_in_one_article(bulletin, source_text):
    bodies = normalise("".join(Article.objects.values_list("body", flat=True)))
    for paragraph in re.split(r"\n\s*\n", source_text):
        text = normalise(re.sub(r"^\*\*本报讯\*\* \(记者 \S+\) ", "", paragraph.strip()))
        if len(text) > 20:  # headlines and captions live in their own fields
            assert text in bodies, paragraph[:40]


def test_column_breaks_are_rejoined(bulletin):
    lead = Article.objects.get(pk=1)
    assert "等内容进行培训" in lead.body
    assert "调整自己的工作方法" in lead.body
    assert len(lead.paragraphs) == 3
    assert "在辖区内设置了" in Article.objects.get(headline__startswith="骑手").body
    # Every paragraph ends a sentence: a column break left unjoined would end mid-sentence.
    for article in Article.objects.all():
        for paragraph in article.paragraphs:
            assert re.search(r"[。！？”…]$", paragraph), (article.pk, paragraph[-10:])


def test_chinese_punctuation_is_full_width(bulletin):
    for article in Article.objects.all():
        for field in ("kicker", "headline", "body", "photo_caption"):
            value = getattr(article, field)
            assert not HALF_WIDTH_NEXT_TO_CJK.search(value), (article.pk, field)
    assert "近日，平城区社工总站" in Article.objects.get(pk=1).body
    assert "说：“谢谢社区的热心帮忙" in Article.objects.get(headline="清理枯树 保障出行").body


def test_lead_item_keeps_kicker_caption_and_is_the_lead(bulletin):
    lead = Article.objects.get(is_lead=True)
    assert lead.kicker == "平城区社工总站开展培训建立督导体系"
    assert lead.headline == "打造特色服务 提升社工能力"
    assert lead.photo_caption == "高敏与儿童交流"
    assert not lead.photo
    assert lead.street is None  # 社工总站: district-wide


@pytest.mark.parametrize(
    "headline, street, community, reporter",
    [
        ("打造特色服务 提升社工能力", None, None, "郑林"),
        ("文艺演出迎国庆", "永泰街道", "兴国寺社区", "郑林"),
        ("送学上门暖人心", "新旺街道", "向西街社区", "杨翠叶"),
        ("科创体验学科学", "新旺街道", None, "杨翠叶"),  # 御河九号科创中心 is a venue
        ("骑手化身“哨兵” 助力社区管理", "鹿苑街道", "同丰社区", "郑林"),
        ("暖“新”议事 认领服务", "水泊寺街道", "太和社区", "杨翠叶"),
        ("清理枯树 保障出行", "迎宾街道", "北馨园社区", "郑林"),
        ("污水外溢 快速处理", "迎宾街道", "永安里社区", "郑林"),
    ],
)
def test_each_item_is_attributed_as_the_text_says(bulletin, headline, street, community, reporter):
    article = Article.objects.select_related("street", "community", "reporter").get(
        headline=headline
    )
    assert (article.street.name if article.street else None) == street
    assert (article.community.name if article.community else None) == community
    assert article.reporter.name == reporter
    assert article.dateline == "本报讯"
    assert article.status == Article.Status.PUBLISHED
    if community:
        assert article.community.street == article.street


def test_no_venue_is_a_community(bulletin):
    assert not Community.objects.filter(name__contains="科创中心").exists()
    assert Community.objects.count() == 6
    assert Street.objects.count() == 5
    assert set(Reporter.objects.values_list("slug", flat=True)) == {"zheng-lin", "yang-cuiye"}


def test_publication_date_is_the_estimated_one(bulletin):
    from django.utils import timezone

    dates = {timezone.localtime(a.published_at).date().isoformat() for a in Article.objects.all()}
    assert dates == {"2022-09-30"}


def test_loading_twice_changes_nothing(bulletin):
    from django.core.management import call_command

    def stored():
        # every column but `changes`, the database's count of writes to each article row
        # (loading again writes the rows: their cached cards are made again, with the same text)
        return [
            list(model.objects.order_by("pk").values(*fields(model)))
            for model in (Street, Community, Reporter, Article)
        ]

    def fields(model):
        return [f.attname for f in model._meta.concrete_fields if f.attname != "changes"]

    before = stored()
    call_command("loaddata", "bulletin", verbosity=0)
    assert stored() == before


def test_fixture_uses_natural_keys_and_explicit_article_keys():
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for record in records:
        if record["model"] == "news.article":
            assert isinstance(record["pk"], int)
            assert isinstance(record["fields"]["reporter"], list)
        else:
            assert "pk" not in record, record
