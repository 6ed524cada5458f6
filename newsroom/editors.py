"""The 编辑 group: exactly what the district's editors need, and nothing over accounts."""

EDITOR_GROUP = "编辑"
# Articles, streets, communities and reporters: add, change, delete, view; and publishing
# (news.publish_article: an item, or a working version of a published one). Nothing on users,
# groups, permissions, sessions or the admin log.
EDITOR_MODELS = ["article", "street", "community", "reporter"]
EDITOR_ACTIONS = ["add", "change", "delete", "view"]
EDITOR_EXTRA = ["publish_article"]


def editor_permission_codenames():
    return [f"{action}_{model}" for model in EDITOR_MODELS for action in EDITOR_ACTIONS] + [
        *EDITOR_EXTRA
    ]


# The review roles of 先审后发 (newsroom/review.py; groups made by migration 0004_review_roles).
ROLES = ["撰稿", "初审", "复审", "终审", "发布"]
