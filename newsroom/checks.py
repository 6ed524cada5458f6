"""The 校对 results shown at submit and beside every review step: personal data and the
editors' 错敏词 list (newsroom.proofing over the WrongWord table), and the copy checks."""

from news.models import Article

from . import proofing
from .copycheck import TEXT_FIELDS, copy_warnings
from .models import WrongWord


def word_entries():
    """The editors' list as (word, suggestion, level); proofing builds its automaton once per
    distinct list."""
    return tuple(WrongWord.objects.order_by("pk").values_list("word", "suggestion", "level"))


def check(article):
    """(ProofReport, copy warnings) for `article` (a row or a version's content)."""
    fields = {name: getattr(article, name) for name in TEXT_FIELDS}
    fields["photo_credit"] = article.photo_credit
    return proofing.run_checks(fields, word_entries()), copy_warnings(article)


def labelled(report):
    """[(field label, FieldReport)] for the fields with text, in the form's order."""
    return [
        (Article._meta.get_field(name).verbose_name, field)
        for name, field in report.fields.items()
        if field.text
    ]
