"""Jinja2 against Django's template engine on the public pages, on the same context objects.

    DATABASE_URL=sqlite:////tmp/qj_bench.sqlite3 .venv/bin/python bench/jinja_trial.py

bench/jinja/ holds Jinja2 ports of base.html, the front page, the street listing and the article
page with the includes they use (not used by the site). For each page the real view renders it
once through Django's test client (page cache off), which hands back the context it rendered
with (context processors included); both engines then render that same dict, whose querysets
have already been evaluated, so what is timed is the template engine alone. Each round times
the Django template, the Jinja2 template and the whole page (the view, its queries and the
Django template, through the test client) one after the other, so that the machine's load
falls on all three alike; the figures are medians of the rounds' CPU times (time.process_time).
The two engines' HTML is compared (whitespace and the spelling of escapes aside) so that the
ports are known to do the same work. Never a test: the figures go in the README.
"""

import difflib
import html
import logging
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingcheng.settings")
os.environ.setdefault("DJANGO_VAR_DIR", str(ROOT / "bench" / "out" / "render-var"))
RUNS = int(os.environ.get("BENCH_RUNS", "40"))
WARM = 5


def jinja_environment():
    """Jinja2 with what the Django templates use from Django: reverse() for {% url %}, static,
    the date filter (in the current time zone, as Django's engine localises), and the
    pagination tags of news_tags."""
    import jinja2
    from django.template import defaultfilters
    from django.templatetags.static import static
    from django.urls import reverse
    from django.utils.timezone import template_localtime

    from news.templatetags import news_tags

    def url(name, *args, **kwargs):
        return reverse(name, args=args or None, kwargs=kwargs or None)

    def date(value, format_string):
        return defaultfilters.date(template_localtime(value), format_string)

    def page_url(request, number):
        return news_tags.page_url({"request": request}, number)

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(ROOT / "bench" / "jinja"),
        autoescape=True,
        auto_reload=False,
    )
    env.globals.update(
        url=url, static=static, date=date, page_url=page_url, elided_pages=news_tags.elided_pages
    )
    return env


def pages():
    """The front page, the largest street's first page, an article from the corpus's middle."""
    from django.db.models import Count

    from news.models import Article, Street

    street = Street.objects.annotate(n=Count("articles")).order_by("-n", "pk").first()
    middle = Article.objects.order_by("-pk").values_list("pk", flat=True).first() // 2
    article = Article.objects.published().filter(pk__gte=middle).order_by("pk").first()
    return {
        "front": ("/", "news/front_page.html"),
        "street": (street.get_absolute_url(), "news/street_list.html"),
        "article": (article.get_absolute_url(), "news/article_detail.html"),
    }


def normalised(text):
    """HTML with escapes spelled one way (&#x27; and &#39; …) and runs of whitespace as one."""
    return re.sub(r"\s+", " ", html.unescape(text)).replace("> <", "><").strip()


def compare(name, django_html, jinja_html):
    """True if the two engines wrote the same page; else print where they differ."""
    ours, theirs = normalised(django_html), normalised(jinja_html)
    if ours == theirs:
        return True
    diff = difflib.unified_diff(
        ours.replace("><", ">\n<").splitlines(),
        theirs.replace("><", ">\n<").splitlines(),
        lineterm="",
        n=0,
    )
    print(f"{name}: the two engines' HTML differs:", *list(diff)[:20], sep="\n  ")
    return False


def cpu_ms(work):
    started = time.process_time()
    work()
    return (time.process_time() - started) * 1000


def main():
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.template.loader import get_template
    from django.test import Client
    from django.test.utils import (
        override_settings,
        setup_test_environment,
        teardown_test_environment,
    )

    from news.models import Article

    call_command("collectstatic", "--noinput", verbosity=0)
    logging.getLogger("django.request").setLevel(logging.ERROR)
    env, client, captured, rows = jinja_environment(), Client(), [], []
    only_testserver = override_settings(PAGE_CACHE=False, ALLOWED_HOSTS=["testserver"])
    setup_test_environment()  # the test client then hands back each response's context
    with only_testserver:
        for name, (path, template_name) in pages().items():
            response = client.get(path)
            assert response.status_code == 200, path
            context = response.context[0].flatten()  # the page's own template comes first
            captured.append((name, path, template_name, context))
    # Timed without the test instrumentation (it copies the context at every template).
    teardown_test_environment()
    with only_testserver:
        for name, path, template_name, context in captured:
            django_template = get_template(template_name)
            jinja_template = env.get_template(template_name)
            same = compare(name, django_template.render(context), jinja_template.render(context))
            work = {
                "django": lambda t=django_template, c=context: t.render(c),
                "jinja": lambda t=jinja_template, c=context: t.render(c),
                "page": lambda p=path: client.get(p),
            }
            times = {key: [] for key in work}
            for round_ in range(WARM + RUNS):
                figures = {key: cpu_ms(job) for key, job in work.items()}
                if round_ >= WARM:
                    for key, value in figures.items():
                        times[key].append(value)
            medians = {key: statistics.median(values) for key, values in times.items()}
            rows.append((name, path, medians, same))
    print(
        f"{connection.vendor} {Path(connection.settings_dict['NAME']).stem}: "
        f"{Article.objects.count():,} articles; median CPU ms of {RUNS} rounds after {WARM}; "
        f"load {os.getloadavg()[0]:.1f}"
    )
    print("| page | whole page (Django) | Django template | Jinja2 template | Jinja2 / Django "
          "| saved | saved / whole page | same HTML |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, path, m, same in rows:
        saved = m["django"] - m["jinja"]
        print(
            f"| {name} `{path}` | {m['page']:.2f} | {m['django']:.2f} | {m['jinja']:.2f} "
            f"| {m['jinja'] / m['django']:.2f} | {saved:.2f} | {saved / m['page']:.0%} "
            f"| {'yes' if same else 'NO'} |"
        )


if __name__ == "__main__":
    main()
