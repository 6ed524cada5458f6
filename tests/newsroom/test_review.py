"""先审后发 (issue 12): the roles, the states, and every path to the public refusing a version
that has not passed every review step."""

import hashlib
import json
from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.urls import reverse

from news.models import Article, Reporter
from newsroom import backup, publishing, review, versions
from newsroom.models import Review
from tests.admin_forms import article_form, form_of
from tests.review import account

Step = Review.Step
PASSWORD = "Pingcheng-2022-review"
ROLE_PERMISSIONS = {
    "撰稿": {
        "view_article", "view_street", "view_community", "view_reporter",
        "add_article", "change_article", "submit_article",
    },
    "初审": {
        "view_article", "view_street", "view_community", "view_reporter",
        "change_article", "review_first",
    },
    "复审": {
        "view_article", "view_street", "view_community", "view_reporter",
        "change_article", "review_second",
    },
    "终审": {"view_article", "view_street", "view_community", "view_reporter", "review_final"},
    "发布": {
        "view_article", "view_street", "view_community", "view_reporter",
        "change_article", "publish_article",
    },
}  # fmt: skip


def member(username, *roles):
    """An account in the migration's role groups."""
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=roles))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def staff(db):
    return {
        "writer": member("zhuangao", "撰稿"),
        "first": member("chushen", "初审"),
        "second": member("fushen", "复审"),
        "final": member("zhongshen", "终审"),
        "publisher": member("fabu", "发布"),
    }


@pytest.fixture
def draft(staff, bulletin):
    """A new item the writer saved as a draft (version 1)."""
    article = Article(
        headline="永安里社区开展义诊",
        reporter=Reporter.objects.get(slug="yang-cuiye"),
        body="近日，永安里社区开展义诊活动。",
        status=Article.Status.DRAFT,
    )
    publishing.save(article, user=staff["writer"])
    return article


def walk(article, staff, until=None):
    """Submit, then pass each step in order (up to and including `until`)."""
    review.submit(article.pk, user=staff["writer"])
    for step in review.steps():
        review.decide(article.pk, user=staff[step.value], step=step, passed=True)
        if step == until:
            break


def state(article):
    return review.state(Article.objects.get(pk=article.pk))


def is_public(client, article):
    return client.get(f"/news/{article.pk}/").status_code == 200


# --- roles ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
def test_each_role_group_holds_exactly_its_permissions(db, role):
    held = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))
    assert held == ROLE_PERMISSIONS[role]


def test_createeditor_gives_the_roles_asked_for(db, monkeypatch):
    monkeypatch.setenv("PINGCHENG_EDITOR_PASSWORD", PASSWORD)
    out = StringIO()
    call_command("createeditor", "wangli", "--role", "撰稿", "--role", "发布", stdout=out)
    user = User.objects.get(username="wangli")
    assert sorted(user.groups.values_list("name", flat=True)) == ["发布", "撰稿"]
    assert user.is_staff and not user.is_superuser
    assert "已创建编辑账号“wangli”（撰稿、发布）" in out.getvalue()
    call_command("createeditor", "laobian", stdout=StringIO())  # no --role: the 编辑 group
    assert list(User.objects.get(username="laobian").groups.values_list("name", flat=True)) == [
        "编辑"
    ]


def test_createeditor_refuses_an_unknown_role(db, monkeypatch):
    monkeypatch.setenv("PINGCHENG_EDITOR_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="没有“主编”这个角色"):
        call_command("createeditor", "wangli", "--role", "主编", stdout=StringIO())
    assert not User.objects.filter(username="wangli").exists()


# --- states and steps -----------------------------------------------------------------------


def test_an_item_walks_through_every_state_to_the_public(staff, draft, client):
    states = [state(draft)]
    review.submit(draft.pk, user=staff["writer"])
    states.append(state(draft))
    for step in review.steps():
        review.decide(draft.pk, user=staff[step.value], step=step, passed=True)
        states.append(state(draft))
        assert not is_public(client, draft)
    publishing.publish(draft.pk, user=staff["publisher"])
    states.append(state(draft))
    assert states == ["草稿", "待初审", "待复审", "待终审", "已签发", "已发布"]
    assert is_public(client, draft)


def test_a_record_names_the_version_and_the_fingerprint_of_its_text(staff, draft):
    walk(draft, staff)
    newest = versions.latest(draft)
    records = list(Review.objects.filter(article=draft))
    assert [(r.step, r.decision) for r in records] == [
        ("submit", "submit"),
        ("first", "pass"),
        ("second", "pass"),
        ("final", "pass"),
    ]
    assert {r.version_id for r in records} == {newest.pk} and {r.number for r in records} == {1}
    assert [r.reviewer_name for r in records] == ["zhuangao", "chushen", "fushen", "zhongshen"]
    content = versions.content(newest)
    text = json.dumps(
        {
            "kicker": "", "headline": "永安里社区开展义诊", "subtitle": "", "dateline": "本报讯",
            "reporter": content.reporter_id, "street": None, "community": None,
            "body": "近日，永安里社区开展义诊活动。", "photo": "", "photo_caption": "",
            "photo_alt": "", "photo_credit": "",
        },
        ensure_ascii=False,
        sort_keys=True,
    )  # fmt: skip
    assert {r.fingerprint for r in records} == {hashlib.sha256(text.encode()).hexdigest()}


def test_a_send_back_needs_an_opinion_and_returns_the_item_to_draft(staff, draft):
    review.submit(draft.pk, user=staff["writer"])
    with pytest.raises(review.ReviewRefused, match="退回修改时请写审核意见"):
        review.decide(draft.pk, user=staff["first"], step=Step.FIRST, passed=False, opinion=" ")
    assert state(draft) == "待初审"
    review.decide(
        draft.pk, user=staff["first"], step=Step.FIRST, passed=False, opinion="“义诊”时间请写明。"
    )
    assert state(draft) == "草稿"
    assert Review.objects.last().opinion == "“义诊”时间请写明。"
    with pytest.raises(publishing.Refused, match="还没有通过全部审核"):
        publishing.publish(draft.pk, user=staff["publisher"])
    # The writer resubmits (here unchanged) and it starts again at 初审.
    review.submit(draft.pk, user=staff["writer"])
    assert state(draft) == "待初审"


def test_any_save_after_approval_lapses_it(staff, draft, client):
    walk(draft, staff)
    assert state(draft) == "已签发"
    changed = Article.objects.get(pk=draft.pk)
    changed.body = "近日，永安里社区开展义诊活动，共服务居民 80 人。"
    publishing.save(changed, user=staff["second"], opened_on=changed.edit_version)
    assert state(draft) == "草稿"  # the approvals name version 1; version 2 has none
    with pytest.raises(publishing.Refused, match="还没有通过全部审核"):
        publishing.publish(draft.pk, user=staff["publisher"])
    assert not is_public(client, draft)
    assert Review.objects.filter(article=draft, number=1).count() == 4  # the record stays


def test_a_save_that_changes_nothing_still_lapses_the_approval(staff, draft):
    walk(draft, staff)
    same = Article.objects.get(pk=draft.pk)
    publishing.save(same, user=staff["writer"], opened_on=same.edit_version)
    assert state(draft) == "草稿"


@pytest.mark.parametrize(
    "who, step",
    [
        ("writer", Step.FIRST),  # 撰稿 cannot approve
        ("second", Step.FIRST),  # 复审 cannot act at 初审
        ("final", Step.FIRST),
        ("publisher", Step.FIRST),  # 发布 cannot approve
    ],
)
def test_only_the_holder_of_a_steps_role_acts_on_it(staff, draft, who, step):
    review.submit(draft.pk, user=staff["writer"])
    with pytest.raises(review.ReviewRefused, match="只有初审能在这一步审核"):
        review.decide(draft.pk, user=staff[who], step=step, passed=True)
    assert state(draft) == "待初审"


def test_a_step_is_taken_only_when_the_item_waits_there(staff, draft):
    review.submit(draft.pk, user=staff["writer"])
    with pytest.raises(review.ReviewRefused, match="这一版不在复审这一步：现在待初审"):
        review.decide(draft.pk, user=staff["second"], step=Step.SECOND, passed=True)
    with pytest.raises(review.ReviewRefused, match="只有复审能在这一步审核"):
        review.decide(draft.pk, user=staff["first"], step=Step.SECOND, passed=True)


def test_a_reviewer_cannot_submit_and_a_writer_cannot_publish(staff, draft):
    with pytest.raises(review.ReviewRefused, match="没有提交审核的权限"):
        review.submit(draft.pk, user=staff["first"])
    walk(draft, staff)
    with pytest.raises(publishing.Refused, match="你没有发布权限"):
        publishing.publish(draft.pk, user=staff["writer"])
    with pytest.raises(publishing.Refused, match="你没有发布权限"):
        publishing.publish(draft.pk, user=staff["final"])


def test_nobody_approves_their_own_writing_at_the_next_step(staff, draft, settings):
    both = member("liangbian", "撰稿", "初审", "复审")
    review.submit(draft.pk, user=both)
    with pytest.raises(review.ReviewRefused, match="不能审核自己上一步经手的稿件"):
        review.decide(draft.pk, user=both, step=Step.FIRST, passed=True)
    review.decide(draft.pk, user=staff["first"], step=Step.FIRST, passed=True)
    # 复审 by the writer is allowed: 初审 stood between them.
    review.decide(draft.pk, user=both, step=Step.SECOND, passed=True)
    assert state(draft) == "待终审"


def test_a_reviewer_who_passed_one_step_cannot_pass_the_next(staff, draft):
    first_and_second = member("chufu", "初审", "复审")
    review.submit(draft.pk, user=staff["writer"])
    review.decide(draft.pk, user=first_and_second, step=Step.FIRST, passed=True)
    with pytest.raises(review.ReviewRefused, match="复审要由另一位复审来做"):
        review.decide(draft.pk, user=first_and_second, step=Step.SECOND, passed=True)
    # Sending back is always allowed: it approves nothing.
    review.decide(
        draft.pk, user=first_and_second, step=Step.SECOND, passed=False, opinion="数字待核实。"
    )
    assert state(draft) == "草稿"


def test_whoever_saved_the_version_cannot_pass_its_first_step(staff, draft):
    """初审 corrects the text (a new version, by them); the writer submits it; the same 初审
    may not approve their own correction."""
    row = Article.objects.get(pk=draft.pk)
    row.body = "近日，永安里社区开展义诊活动，居民踊跃参加。"
    publishing.save(row, user=staff["first"], opened_on=row.edit_version)
    review.submit(draft.pk, user=staff["writer"])
    with pytest.raises(review.ReviewRefused, match="不能审核自己写的稿件：第 2 版是你保存的"):
        review.decide(draft.pk, user=staff["first"], step=Step.FIRST, passed=True)
    other = member("chushen2", "初审")
    review.decide(draft.pk, user=other, step=Step.FIRST, passed=True)
    assert state(draft) == "待复审"


def test_a_step_the_district_does_not_use_is_refused(staff, draft, settings):
    settings.NEWSROOM_REVIEW_LEVELS = 1
    review.submit(draft.pk, user=staff["writer"])
    for step in (Step.FIRST, Step.SUBMIT):
        with pytest.raises(review.ReviewRefused, match="这个审核环节没有启用"):
            review.decide(draft.pk, user=staff["first"], step=step, passed=True)


def test_the_self_approval_rule_can_be_switched_off(staff, draft, settings):
    settings.NEWSROOM_NO_SELF_APPROVAL = False
    both = member("liangbian", "撰稿", "初审")
    review.submit(draft.pk, user=both)
    review.decide(draft.pk, user=both, step=Step.FIRST, passed=True)
    assert state(draft) == "待复审"


def test_a_superuser_holds_every_role_but_not_two_steps_in_a_row(staff, draft):
    boss = User.objects.create_superuser("zhubian", password=PASSWORD)
    review.submit(draft.pk, user=boss)
    with pytest.raises(review.ReviewRefused, match="不能审核自己上一步经手的稿件"):
        review.decide(draft.pk, user=boss, step=Step.FIRST, passed=True)


@pytest.mark.parametrize(
    "levels, states",
    [
        (1, ["待终审", "已签发"]),
        (2, ["待初审", "待终审", "已签发"]),
        (3, ["待初审", "待复审", "待终审", "已签发"]),
    ],
)
def test_the_number_of_review_levels_is_a_setting(staff, draft, settings, levels, states):
    settings.NEWSROOM_REVIEW_LEVELS = levels
    review.submit(draft.pk, user=staff["writer"])
    seen = [state(draft)]
    for step in review.steps():
        review.decide(draft.pk, user=staff[step.value], step=step, passed=True)
        seen.append(state(draft))
    assert seen == states
    publishing.publish(draft.pk, user=staff["publisher"])
    assert state(draft) == "已发布"


# --- every path to the public refuses an unapproved version ---------------------------------


@pytest.mark.parametrize("until", [None, Step.FIRST, Step.SECOND])
def test_publish_refuses_a_version_short_of_final_approval(staff, draft, client, until):
    if until is None:
        review.submit(draft.pk, user=staff["writer"])
    else:
        walk(draft, staff, until=until)
    for user in (staff["publisher"], None):  # None: a command on the server
        with pytest.raises(publishing.Refused, match="还没有通过全部审核"):
            publishing.publish(draft.pk, user=user)
    assert Article.objects.get(pk=draft.pk).status == Article.Status.DRAFT
    assert not is_public(client, draft)


def test_a_new_item_cannot_be_saved_straight_to_published(staff, bulletin):
    article = Article(
        headline="直接发布的稿件",
        reporter=Reporter.objects.get(slug="yang-cuiye"),
        body="正文。",
        status=Article.Status.PUBLISHED,
    )
    with pytest.raises(publishing.Refused, match="新稿件请先保存为草稿并提交审核"):
        publishing.save(article, user=None)
    assert not Article.objects.filter(headline="直接发布的稿件").exists()


def test_saving_a_draft_as_published_needs_the_approved_text_unchanged(staff, draft, client):
    row = Article.objects.get(pk=draft.pk)
    row.status = Article.Status.PUBLISHED
    with pytest.raises(publishing.Refused, match="还没有通过全部审核"):
        publishing.save(row, user=staff["publisher"], opened_on=row.edit_version)
    walk(draft, staff)
    row = Article.objects.get(pk=draft.pk)
    row.status, row.headline = Article.Status.PUBLISHED, "改过的标题"
    with pytest.raises(publishing.Refused, match="和审核通过的那一版不一样"):
        publishing.save(row, user=staff["publisher"], opened_on=row.edit_version)
    assert not is_public(client, draft)
    row = Article.objects.get(pk=draft.pk)
    row.status = Article.Status.PUBLISHED
    publishing.save(row, user=staff["publisher"], opened_on=row.edit_version)
    assert is_public(client, draft)


def test_the_admin_form_refuses_to_publish_an_unapproved_item(admin_client, staff, draft, client):
    response = admin_client.post(
        reverse("admin:news_article_add"), article_form(status="published")
    )
    assert response.status_code == 200
    assert "新稿件请先保存为草稿并提交审核" in response.content.decode()
    assert not Article.objects.filter(headline="第九篇稿件").exists()
    url = reverse("admin:news_article_change", args=[draft.pk])
    response = admin_client.post(url, form_of(draft, status="published"))
    assert response.status_code == 200
    assert "这一版还没有通过全部审核" in response.content.decode()
    assert not is_public(client, draft)


def test_the_bulk_action_publishes_only_approved_items(admin_client, staff, draft, client):
    other = Article(headline="另一篇", reporter=draft.reporter, body="正文。")
    publishing.save(other, user=staff["writer"])
    walk(other, staff)
    response = admin_client.post(
        reverse("admin:news_article_changelist"),
        {"action": "publish", "_selected_action": [draft.pk, other.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "已发布 1 篇稿件" in html
    assert "没有发布 1 篇（永安里社区开展义诊）：它们的最新一版还没有通过全部审核" in html
    assert is_public(client, other) and not is_public(client, draft)


def test_a_correction_to_a_published_item_goes_through_review_again(staff, bulletin, client):
    live = Article.objects.get(pk=7)
    old_headline = live.headline
    live.headline = "清理倒伏枯树 保障居民出行"
    saved = publishing.save(live, user=staff["writer"], opened_on=live.edit_version)
    assert saved.working and state(live) == "草稿"
    with pytest.raises(publishing.Refused, match="还没有通过全部审核"):
        publishing.publish(7, user=staff["publisher"], correction="标题不准确")
    walk(live, staff, until=Step.SECOND)
    assert state(live) == "待终审"
    with pytest.raises(publishing.Refused, match="还没有通过全部审核"):
        publishing.publish(7, user=staff["publisher"], correction="标题不准确")
    assert old_headline in client.get("/news/7/").content.decode()
    review.decide(7, user=staff["final"], step=Step.FINAL, passed=True)
    publishing.publish(7, user=staff["publisher"], correction="标题不准确")
    assert "清理倒伏枯树 保障居民出行" in client.get("/news/7/").content.decode()


def test_the_admin_publish_page_refuses_an_unapproved_working_version(
    admin_client, staff, bulletin, client
):
    live = Article.objects.get(pk=7)
    live.headline = "清理倒伏枯树 保障居民出行"
    publishing.save(live, user=staff["writer"], opened_on=live.edit_version)
    response = admin_client.post(
        reverse("admin:news_article_publish", args=[7]),
        {"version": versions.latest(live).pk, "correction": "标题不准确"},
        follow=True,
    )
    assert "这一版还没有通过全部审核" in response.content.decode()
    assert "清理倒伏枯树" not in client.get("/news/7/").content.decode()


def test_import_brings_items_in_as_draft_or_submitted_never_live(staff, bulletin, tmp_path, client):
    items = [
        {
            "id": "a",
            "headline": "导入一",
            "reporter": "郑林",
            "body": "正文。",
            "status": "published",
        },
        {"id": "b", "headline": "导入二", "reporter": "郑林", "body": "正文。", "status": "draft"},
    ]
    path = tmp_path / "items.json"
    path.write_text(json.dumps({"items": items}, ensure_ascii=False), encoding="utf-8")
    call_command("import_bulletin", str(path), stdout=StringIO())
    first, second = Article.objects.get(import_key="a"), Article.objects.get(import_key="b")
    assert (state(first), state(second)) == ("待初审", "草稿")
    assert first.status == second.status == Article.Status.DRAFT
    assert not is_public(client, first) and not is_public(client, second)
    record = Review.objects.get(article=first)
    assert (record.step, record.reviewer, record.reviewer_name) == ("submit", None, "导入程序")


@pytest.mark.django_db(transaction=True)
def test_a_restore_of_a_backup_taken_mid_review_makes_nothing_live(tmp_path, settings, client):
    """Transactional (a restore commits); the role groups may have been flushed by an earlier
    transactional test, so the accounts hold their permissions directly (tests/review.py)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("loaddata", "bulletin", verbosity=0)
    item = Article(headline="备份时在审的稿件", reporter=Reporter.objects.first(), body="正文。")
    publishing.save(item, user=account("writer"))
    review.submit(item.pk, user=account("writer"))
    for step in (Step.FIRST, Step.SECOND):
        review.decide(item.pk, user=account(step.value), step=step, passed=True)
    archive, manifest = backup.backup(tmp_path / "backups")
    assert manifest["counts"]["newsroom.review"] == 3
    review.decide(item.pk, user=account("final"), step=Step.FINAL, passed=True)
    publishing.publish(item.pk, user=account("publisher"))
    assert is_public(client, item)

    backup.restore(archive)

    assert Article.objects.get(pk=item.pk).status == Article.Status.DRAFT
    assert not is_public(client, item)
    assert state(item) == "待终审"  # the records came back with the versions
    with pytest.raises(publishing.Refused, match="还没有通过全部审核"):
        publishing.publish(item.pk, user=account("publisher"))


def test_an_item_taken_down_goes_through_review_before_it_returns(staff, draft, client):
    walk(draft, staff)
    publishing.publish(draft.pk, user=staff["publisher"])
    publishing.take_down(draft.pk, user=staff["publisher"])
    assert state(draft) == "草稿" and not is_public(client, draft)
    with pytest.raises(publishing.Refused, match="还没有通过全部审核"):
        publishing.publish(draft.pk, user=staff["publisher"])
    walk(draft, staff)
    publishing.publish(draft.pk, user=staff["publisher"])
    assert is_public(client, draft)
