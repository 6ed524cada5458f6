"""The admin's 审核 pages: submit and each step, the 校对 beside them, 终审's confirmation of
personal data, the 错敏词 list kept in the admin, the 审核表 and the CSV of records."""

import csv
import io

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from news.models import Article, Reporter
from newsroom import publishing, review, versions
from newsroom.models import Review, WrongWord

PASSWORD = "Pingcheng-2022-review"
ID_NUMBER = "11010519491231002X"  # the standard's own example: a valid checksum


def member(client_factory, username, *roles):
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=roles))
    client = client_factory()
    client.force_login(user)
    return user, client


@pytest.fixture
def people(db, bulletin):
    from django.test import Client

    return {
        role: member(Client, name, label)
        for role, name, label in [
            ("writer", "zhuangao", "撰稿"),
            ("first", "chushen", "初审"),
            ("second", "fushen", "复审"),
            ("final", "zhongshen", "终审"),
            ("publisher", "fabu", "发布"),
        ]
    }


@pytest.fixture
def item(people):
    article = Article(
        headline="永安里社区开展义诊",
        reporter=Reporter.objects.get(slug="yang-cuiye"),
        body="近日，永安里社区开展义诊活动，请按装好软件后预约。",
        status=Article.Status.DRAFT,
    )
    publishing.save(article, user=people["writer"][0])
    return article


def page(client, article):
    return client.get(reverse("admin:news_article_review", args=[article.pk]))


def act(client, article, **data):
    newest = versions.latest(article)
    return client.post(
        reverse("admin:news_article_review", args=[article.pk]),
        {"version": newest.pk, **data},
        follow=True,
    )


def test_the_writer_sees_the_checks_and_submits(people, item):
    _, writer = people["writer"]
    html = page(writer, item).content.decode()
    assert "状态：<strong>草稿</strong>" in html
    assert 'class="proof proof-word proof-' in html and "按装" in html
    assert "建议改为“安装”" in html  # the seeded 错敏词 list, highlighted with its suggestion
    assert "提交审核</button>" in html and "通过</button>" not in html
    done = act(writer, item, action="submit").content.decode()
    assert "已提交审核。" in done and "状态：<strong>待初审</strong>" in done


def test_only_the_holder_of_the_step_sees_and_uses_its_buttons(people, item):
    review.submit(item.pk, user=people["writer"][0])
    _, second = people["second"]
    assert "通过</button>" not in page(second, item).content.decode()
    refused = act(second, item, action="pass", step="first").content.decode()
    assert "只有初审能在这一步审核" in refused
    assert review.state(item) == "待初审"
    _, first = people["first"]
    assert "<h2>初审</h2>" in page(first, item).content.decode()


def test_a_send_back_without_an_opinion_is_refused_then_recorded(people, item):
    review.submit(item.pk, user=people["writer"][0])
    _, first = people["first"]
    refused = act(first, item, action="return", step="first", opinion="").content.decode()
    assert "退回修改时请写审核意见" in refused and review.state(item) == "待初审"
    done = act(first, item, action="return", step="first", opinion="时间地点写清楚。")
    html = done.content.decode()
    assert "初审：已退回修改。" in html and "时间地点写清楚。" in html
    assert review.state(item) == "草稿"


def test_final_review_must_confirm_each_personal_data_hit_with_a_reason(people, item):
    changed = Article.objects.get(pk=item.pk)
    changed.body = f"居民王某（身份证号 {ID_NUMBER}）参加了义诊。"
    publishing.save(changed, user=people["writer"][0], opened_on=changed.edit_version)
    review.submit(item.pk, user=people["writer"][0])
    review.decide(item.pk, user=people["first"][0], step=review.Step.FIRST, passed=True)
    review.decide(item.pk, user=people["second"][0], step=review.Step.SECOND, passed=True)
    _, final = people["final"]
    html = page(final, item).content.decode()
    assert "个人信息 1 处" in html and f"身份证号码“{ID_NUMBER}”可以公开" in html
    refused = act(final, item, action="pass", step="final", hits="1").content.decode()
    assert "请逐条确认可以公开并写明理由" in refused and review.state(item) == "待终审"
    refused = act(final, item, action="pass", step="final", hits="1", **{"confirm-0": "1"})
    assert "请逐条确认" in refused.content.decode()
    act(
        final,
        item,
        action="pass",
        step="final",
        hits="1",
        **{"confirm-0": "1", "reason-0": "本人书面同意公开"},
    )
    assert review.state(item) == "已签发"
    record = Review.objects.filter(step="final").get()
    assert record.confirmed_hits == [
        {"kind": "id_card", "label": "身份证号码", "text": ID_NUMBER, "reason": "本人书面同意公开"}
    ]
    sheet = final.get(reverse("admin:news_article_sheet", args=[item.pk])).content.decode()
    assert f"身份证号码“{ID_NUMBER}”：本人书面同意公开" in sheet


def test_a_block_level_word_cannot_pass_final_review(people, item):
    WrongWord.objects.filter(word="按装").update(level="block")
    review.submit(item.pk, user=people["writer"][0])
    review.decide(item.pk, user=people["first"][0], step=review.Step.FIRST, passed=True)
    review.decide(item.pk, user=people["second"][0], step=review.Step.SECOND, passed=True)
    refused = act(people["final"][1], item, action="pass", step="final").content.decode()
    assert "终审不能通过：正文里有必须改正的错字 “按装”（应为“安装”）" in refused
    assert review.state(item) == "待终审"


def test_the_word_list_is_kept_in_the_admin_and_feeds_the_checks(admin_client, people, item):
    assert WrongWord.objects.filter(word="既使", suggestion="即使").exists()  # seeded
    response = admin_client.post(
        reverse("admin:newsroom_wrongword_add"),
        {"word": "义珍", "suggestion": "义诊", "level": "warn"},
    )
    assert response.status_code == 302
    changed = Article.objects.get(pk=item.pk)
    changed.body = "社区开展义珍活动。"
    publishing.save(changed, user=people["writer"][0], opened_on=changed.edit_version)
    html = page(people["writer"][1], item).content.decode()
    assert "义珍</mark>" in html and "建议改为“义诊”" in html


def test_the_review_sheet_lists_every_step_and_the_publisher(people, item, client):
    review.submit(item.pk, user=people["writer"][0])
    review.decide(
        item.pk, user=people["first"][0], step=review.Step.FIRST, passed=True, opinion="文字通顺。"
    )
    review.decide(item.pk, user=people["second"][0], step=review.Step.SECOND, passed=True)
    review.decide(item.pk, user=people["final"][0], step=review.Step.FINAL, passed=True)
    approved = versions.latest(item)
    publishing.publish(item.pk, user=people["publisher"][0])
    url = reverse("admin:news_article_sheet", args=[item.pk]) + f"?version={approved.pk}"
    html = people["first"][1].get(url).content.decode()
    assert '<td colspan="3">永安里社区开展义诊</td>' in html and "<td>杨翠叶</td>" in html
    assert (
        f"<td>{len('近日，永安里社区开展义诊活动，请按装好软件后预约。')} 字（正文）</td>" in html
    )
    for who in ("zhuangao", "chushen", "fushen", "zhongshen"):
        assert f"<td>{who}</td>" in html
    assert "文字通顺。" in html and "<td>fabu</td>" in html
    assert review.fingerprint(versions.content(approved)) in html
    assert client.get(url).status_code == 302  # the public is sent to the login page


def test_the_records_export_as_csv_for_a_date_range(people, item):
    review.submit(item.pk, user=people["writer"][0])
    review.decide(
        item.pk,
        user=people["first"][0],
        step=review.Step.FIRST,
        passed=False,
        opinion='=HYPERLINK("x")',
    )
    today = timezone.localdate().isoformat()
    url = reverse("admin:news_article_review_records")
    response = people["final"][1].get(url, {"from": today, "to": today})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert rows[0][:4] == ["稿件编号", "主题", "版本", "环节"]
    assert [(r[3], r[4], r[5]) for r in rows[1:]] == [
        ("提交审核", "提交", "zhuangao"),
        ("初审", "退回修改", "chushen"),
    ]
    assert rows[2][7] == '\'=HYPERLINK("x")'  # never a formula in the office's spreadsheet
    yesterday = (timezone.localdate() - timezone.timedelta(days=1)).isoformat()
    empty = people["final"][1].get(url, {"from": yesterday, "to": yesterday}).content.decode()
    assert len(empty.strip().splitlines()) == 1
    bad = people["final"][1].get(url, {"from": "昨天"})
    assert bad.status_code == 400 and "请给出日期范围" in bad.content.decode()


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"action": "pass", "step": "submit"}, "这个审核环节没有启用"),
        ({"action": "pass", "step": "boss"}, "表单有误"),
        ({"action": "pass", "step": "first", "hits": "many"}, "表单有误"),
        ({"action": "publish"}, "不知道要做什么"),
    ],
)
def test_bad_review_posts_get_a_chinese_answer_not_an_error(people, item, data, expected):
    review.submit(item.pk, user=people["writer"][0])
    response = act(people["first"][1], item, **data)
    assert response.status_code == 200 and expected in response.content.decode()
    assert review.state(item) == "待初审"


def test_a_version_that_is_not_the_items_is_a_404(people, item):
    url = reverse("admin:news_article_review", args=[item.pk])
    response = people["writer"][1].post(url, {"version": "abc", "action": "submit"})
    assert response.status_code == 404
    sheet = reverse("admin:news_article_sheet", args=[item.pk])
    assert people["writer"][1].get(sheet, {"version": "999999"}).status_code == 404
