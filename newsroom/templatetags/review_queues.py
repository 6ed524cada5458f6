"""{% review_queues %} on the admin index: 待我审核, 我的稿件 and the steps nobody holds."""

from django import template

from newsroom import notices, queues, review

register = template.Library()


@register.inclusion_tag("newsroom/includes/queues.html", takes_context=True)
def review_queues(context):
    user = context["request"].user
    waiting = queues.waiting_for(user)
    return {
        "waiting": waiting,
        "holds_a_step": any(review.may_act(user, step) for step in review.steps()),
        "mine": queues.mine(user) if review.may_act(user, review.Step.SUBMIT) else [],
        "unheld": notices.unheld_steps(),
    }
