from django import template

from news import links, snippets

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL's query string with `page` set to `number` (other parameters kept)."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.simple_tag
def elided_pages(page_obj):
    """Page numbers around the current one, with Paginator.ELLIPSIS for the gaps."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)


@register.simple_tag
def marked(text, words):
    """`text` with the search words marked; escaped otherwise."""
    return snippets.highlight(text, words)


@register.simple_tag
def snippet(text, words):
    return snippets.snippet(text, words)


@register.simple_tag
def path(viewname, **kwargs):
    """`{% url %}` with keyword arguments for the public pages: the same path, filled into the
    pattern news/links.py reversed once (each reverse() costs ~40 µs; a page has a dozen)."""
    return links.path(viewname, **kwargs)
