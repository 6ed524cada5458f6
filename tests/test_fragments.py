"""Cards, the lead and article bodies cached by what they show (news/fragments.py): made again
exactly when what they show changes, renames included, and never another item's text."""

import re

import pytest
from django.core.cache import cache

from news import fragments
from news.corrections import Correction
from news.models import Article, Community, Reporter, Street


@pytest.fixture
def made(monkeypatch):
    """The fragments rendered (not taken from the cache) since the last `made.clear()`."""
    rendered = []
    store = fragments._set_many

    def recording(entries):
        rendered.extend(key.split(":")[1] + ":" + key.split(":")[3] for key in entries)
        store(entries)

    monkeypatch.setattr(fragments, "_set_many", recording)
    return rendered


def cards_of(html):
    """{article id: card HTML} for every card of a listing page."""
    found = re.findall(r'<article class="card.*?</article>', html, re.S)
    return {int(re.search(r'href="/news/(\d+)/"', card)[1]): card for card in found}


def test_a_second_render_takes_every_card_from_the_cache(client, bulletin, made):
    first = client.get("/reporters/zheng-lin/").content.decode()
    assert sorted(made) == ["card:1", "card:2", "card:5", "card:7", "card:8"]
    made.clear()
    again = client.get("/reporters/zheng-lin/").content.decode()
    assert made == []
    assert again == first


def test_the_listing_reads_no_text_when_every_card_is_cached(
    client, bulletin, django_assert_num_queries
):
    client.get("/streets/yingbin/")
    # the places' token (the street and its communities from the worker's copy), its count
    # (the tally), the stamps of the page (ids, counts, names): no query for the cards
    with django_assert_num_queries(3):
        page = client.get("/streets/yingbin/")
    assert "清理枯树" in page.content.decode()


def test_any_write_of_an_item_makes_its_card_again_and_no_other(client, bulletin, made):
    client.get("/reporters/zheng-lin/")
    made.clear()
    # A bulk UPDATE: no signal, no save(); the database's count of writes still moves.
    Article.objects.filter(pk=7).update(headline="清理枯树 保障平安出行")
    page = client.get("/reporters/zheng-lin/").content.decode()
    assert made == ["card:7"]
    assert "清理枯树 保障平安出行" in cards_of(page)[7]


def test_a_renamed_reporter_remakes_exactly_the_cards_that_name_them(client, bulletin, made):
    client.get("/")
    made.clear()
    Reporter.objects.filter(slug="yang-cuiye").update(name="杨翠叶（特约）")
    page = client.get("/").content.decode()
    assert sorted(made) == ["card:3", "card:4", "card:6"]
    cards = cards_of(page)
    assert all("杨翠叶（特约）" in cards[pk] for pk in (3, 4, 6))
    assert not any("杨翠叶（特约）" in cards[pk] for pk in (2, 5, 7, 8))


@pytest.mark.parametrize(
    ("model", "slug", "field", "value", "remade"),
    [
        (Street, "yingbin", "name", "迎宾路街道", ["card:7", "card:8"]),
        (Street, "yingbin", "slug", "yingbinlu", ["card:7", "card:8"]),
        (Community, "yonganli", "name", "永安里新社区", ["card:8"]),
    ],
)
def test_a_renamed_place_remakes_exactly_the_cards_that_show_it(
    client, bulletin, made, model, slug, field, value, remade
):
    client.get("/")
    made.clear()
    model.objects.filter(slug=slug).update(**{field: value})
    page = client.get("/").content.decode()
    assert sorted(made) == remade
    assert all(value in cards_of(page)[int(key[5:])] for key in remade)


def test_cached_cards_show_their_own_item(client, bulletin):
    """Served from the cache, every card is the one its own item renders to, and no other's."""
    cold = client.get("/streets/xinwang/").content.decode()
    warm = client.get("/streets/xinwang/").content.decode()
    assert warm == cold
    for pk, card in cards_of(warm).items():
        headline = Article.objects.get(pk=pk).headline
        assert headline in card
        others = Article.objects.exclude(pk=pk).values_list("headline", flat=True)
        assert not any(other in card for other in others)


def test_an_item_with_the_same_count_as_another_keeps_its_own_card(client, bulletin):
    """Two items can hold the same count of writes: the id keeps their cards apart."""
    assert Article.objects.get(pk=3).changes == Article.objects.get(pk=4).changes
    cards = cards_of(client.get("/streets/xinwang/").content.decode())
    assert "送学上门暖人心" in cards[3] and "科创体验学科学" in cards[4]


def test_the_lead_and_the_article_body_are_made_again_when_they_change(client, bulletin, made):
    client.get("/")
    client.get("/news/1/")
    made.clear()
    Article.objects.filter(pk=1).update(kicker="平城区")
    assert "平城区" in client.get("/").content.decode()
    assert "平城区" in client.get("/news/1/").content.decode()
    assert sorted(made) == ["lead:1", "story:1"]


def test_a_new_correction_note_makes_the_body_again(client, bulletin, made):
    client.get("/news/6/")
    made.clear()
    Correction.objects.create(article_id=6, note="原稿中的时间有误，已改正。")
    page = client.get("/news/6/").content.decode()
    assert "更正：原稿中的时间有误，已改正。" in page
    assert made == ["story:6"]


def test_pages_still_render_when_the_cache_fails(client, bulletin, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache gone")

    monkeypatch.setattr(cache, "get_many", broken)
    monkeypatch.setattr(cache, "set_many", broken)
    page = client.get("/streets/yingbin/")
    assert page.status_code == 200
    assert set(cards_of(page.content.decode())) == {7, 8}
