"""The admin index's queues (待我审核, 我的稿件), the list's filter by state, and the notices."""

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.test import Client
from django.urls import reverse

from news.models import Article, Reporter
from newsroom import publishing, review

PASSWORD = "Pingcheng-2022-review"


def member(username, *roles, email=""):
    user = User.objects.create_user(
        username, password=PASSWORD, is_staff=True, email=email or f"{username}@example.cn"
    )
    user.groups.add(*Group.objects.filter(name__in=roles))
    client = Client()
    client.force_login(user)
    return user, client


@pytest.fixture
def people(db, bulletin):
    return {
        "writer": member("zhuangao", "撰稿"),
        "first": member("chushen", "初审"),
        "second": member("fushen", "复审"),
        "final": member("zhongshen", "终审"),
    }


def write(people, headline):
    article = Article(
        headline=headline, reporter=Reporter.objects.get(slug="yang-cuiye"), body="正文。"
    )
    publishing.save(article, user=people["writer"][0])
    return article


def index(client):
    return client.get(reverse("admin:index")).content.decode()


def test_each_reviewer_sees_the_items_waiting_at_their_step_oldest_first(people):
    older, newer = write(people, "先提交的稿件"), write(people, "后提交的稿件")
    review.submit(older.pk, user=people["writer"][0])
    review.submit(newer.pk, user=people["writer"][0])
    html = index(people["first"][1])
    assert "待我审核（2）" in html
    assert html.index("先提交的稿件") < html.index("后提交的稿件")
    assert "1 分钟" in html  # the waiting time
    assert "待我审核（0）" in index(people["second"][1])
    review.decide(older.pk, user=people["first"][0], step=review.Step.FIRST, passed=True)
    assert "待我审核（1）" in index(people["first"][1])
    second = index(people["second"][1])
    assert "待我审核（1）" in second and "先提交的稿件" in second


def test_the_writer_sees_their_items_with_state_and_latest_opinion(people):
    sent_back = write(people, "被退回的稿件")
    review.submit(sent_back.pk, user=people["writer"][0])
    review.decide(
        sent_back.pk,
        user=people["first"][0],
        step=review.Step.FIRST,
        passed=False,
        opinion="补充时间。",
    )
    waiting = write(people, "在审的稿件")
    review.submit(waiting.pk, user=people["writer"][0])
    html = index(people["writer"][1])
    assert "我的稿件" in html and "待我审核" not in html
    assert "<td>草稿</td><td>初审退回修改：补充时间。</td>" in html
    assert "在审的稿件</a></td><td>待初审</td>" in html


def test_the_list_filters_by_state(admin_client, people):
    waiting = write(people, "在审的稿件")
    write(people, "没提交的稿件")
    review.submit(waiting.pk, user=people["writer"][0])
    url = reverse("admin:news_article_changelist")
    found = admin_client.get(url, {"review": "待初审"}).context["cl"].result_list
    assert [a.headline for a in found] == ["在审的稿件"]
    drafts = admin_client.get(url, {"review": "草稿"}).context["cl"].result_list
    assert [a.headline for a in drafts] == ["没提交的稿件"]
    live = admin_client.get(url, {"review": "已发布"}).context["cl"].result_count
    assert live == Article.objects.filter(status=Article.Status.PUBLISHED).count() == 8


def test_reaching_a_step_mails_its_holders(people, django_capture_on_commit_callbacks):
    article = write(people, "要通知的稿件")
    with django_capture_on_commit_callbacks(execute=True):
        review.submit(article.pk, user=people["writer"][0])
    assert [m.to for m in mail.outbox] == [["chushen@example.cn"]]
    assert mail.outbox[0].subject == "待初审：要通知的稿件"
    with django_capture_on_commit_callbacks(execute=True):
        review.decide(article.pk, user=people["first"][0], step=review.Step.FIRST, passed=True)
    assert mail.outbox[-1].to == ["fushen@example.cn"]
    with django_capture_on_commit_callbacks(execute=True):
        review.decide(
            article.pk,
            user=people["second"][0],
            step=review.Step.SECOND,
            passed=False,
            opinion="改。",
        )
    assert len(mail.outbox) == 2  # a send-back reaches no step


def test_a_step_nobody_holds_sends_nothing_and_the_index_says_so(
    db, bulletin, admin_client, django_capture_on_commit_callbacks
):
    writer, _ = member("zhuangao", "撰稿")
    article = Article(headline="没人审的稿件", reporter=Reporter.objects.first(), body="正文。")
    publishing.save(article, user=writer)
    with django_capture_on_commit_callbacks(execute=True):
        review.submit(article.pk, user=writer)
    assert mail.outbox == []
    html = index(admin_client)
    assert "没有人担任初审、复审、终审，稿件到了这一步不会通知任何人" in html
