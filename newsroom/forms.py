"""The admin's article form: the version it was opened on, the 修改说明, and the refusal of a
save from an older version (with what changed in between)."""

from itertools import groupby

from django import forms

from news.models import Article, Community

from . import diff, publishing, versions

HEADLINE_FITS = 30  # characters the headline box shows at once (copycheck warns past it)


class ByStreet(forms.models.ModelChoiceIterator):
    """Communities under one <optgroup> per street (in the streets' order)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for street, communities in groupby(self.queryset, key=lambda c: c.street):
            yield (street.name, [self.choice(c) for c in communities])


class CommunityChoiceField(forms.ModelChoiceField):
    """The 社区 list grouped by street: a plain <select>, so it works without JavaScript, and
    the editor sees which street each community is in."""

    iterator = ByStreet

    def __init__(self, **kwargs):
        field = Article._meta.get_field("community")
        super().__init__(
            queryset=Community.objects.select_related("street"),
            required=False,
            label=field.verbose_name,
            help_text=field.help_text,
            **kwargs,
        )


class ArticleAdminForm(forms.ModelForm):
    """Besides the model's fields:

    - `opened_on` (hidden): the item's version number when the form was opened. A save is
      refused when the item has been saved since (`publishing.Conflict`), checked here, with
      the row locked for the rest of the admin's transaction, so that the editor gets a form
      error with every field as typed, and a compare between what was submitted and what is
      stored now.
    - `overwrite` and `seen` (shown only with such a refusal): the editor has looked at the
      compare and replaces the stored version `seen` with the form's content. If yet another
      save came in meanwhile, the form is refused again.
    - `comment`: the 修改说明 kept with the version.

    A new photo's files are written while validating, so that a full or read-only disk is a
    form error the editor can act on, not a server error; the article is then not saved either.
    """

    STORAGE_ERROR = (
        "图片没有保存：服务器的存储空间已满或暂时不能写入。"
        "稿件也没有保存，请稍后再试，或联系网站管理员。"
    )

    opened_on = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    seen = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    overwrite = forms.BooleanField(
        label="我已看过上面的对比，用我提交的内容替换现在保存的版本", required=False
    )
    community = CommunityChoiceField()
    comment = forms.CharField(
        label="修改说明",
        required=False,
        max_length=200,
        help_text="可选：这次改了什么、为什么。写进版本记录，别的编辑在版本列表里能看到。",
    )

    class Meta:
        model = Article
        fields = [
            "kicker", "headline", "subtitle", "dateline", "reporter", "street", "community",
            "body", "photo", "photo_caption", "photo_alt", "photo_credit",
            "status", "published_at", "unpublish_at", "is_lead",
        ]  # fmt: skip
        widgets = {
            # Wide enough for 30 characters; newsroom/headline_count.js counts them as typed.
            "headline": forms.TextInput(attrs={"class": "vTextField headline-input"}),
        }
        help_texts = {"headline": f"手机上最好不超过 {HEADLINE_FITS} 个字。"}

    user = None  # set by ArticleAdmin.get_form: the editor who submits

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if self.instance.pk is not None:
            self.fields["opened_on"].initial = self.instance.edit_version

    @property
    def based_on(self):
        """The version number this save replaces: the one the form was opened on, or the one
        the editor has seen in a compare and chosen to replace."""
        data = self.cleaned_data
        if data.get("overwrite") and data.get("seen") is not None:
            return data["seen"]
        return data.get("opened_on")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Article.Status.PUBLISHED and not self._was_published():
            if not publishing.may_publish(self.user):
                self.add_error("status", "你没有发布权限：请保存为草稿，由有发布权限的编辑发布。")
        if self.instance.pk is None:
            return cleaned
        if self.based_on is None:
            raise forms.ValidationError("表单缺少版本号，请重新打开这篇稿件再修改。")
        try:
            publishing.lock(self.instance.pk, self.based_on)
        except publishing.Conflict as conflict:
            self.conflict = conflict
            raise forms.ValidationError(
                f"{conflict}你填写的内容都还在下面的表单里。"
                "请看下面的对比，把需要的改动合在一起再保存；"
                "或者勾选“用我提交的内容替换”后再保存。"
            ) from None
        return cleaned

    def _was_published(self):
        return self.initial.get("status") == Article.Status.PUBLISHED

    def conflict_compare(self):
        """What is stored now (the newest version) → what the editor submitted, field by field."""
        if not self.conflict:
            return []
        stored = versions.latest(self.conflict.row)
        current = versions.content(stored) if stored else self.conflict.row
        return diff.compare(current, self.instance)

    def _post_clean(self):
        super()._post_clean()
        self._check_approved()
        if self.errors:
            self._say_the_photo_is_lost()
            return
        try:
            self.instance.store_new_photo()
        except OSError:
            self.add_error("photo", self.STORAGE_ERROR)

    def _check_approved(self):
        """先审后发: a draft goes out from the form only when this is the version that passed
        every review step, unchanged (the same rule publishing.save enforces)."""
        if self.errors or self.instance.status != Article.Status.PUBLISHED:
            return
        if self._was_published():
            return  # a change to a published item becomes a working version, reviewed again
        try:
            publishing.require_approved(self.instance.pk, self.instance)
        except publishing.Refused as refused:
            self.add_error("status", str(refused))

    def _say_the_photo_is_lost(self):
        """A browser never sends a chosen file again: after any error the editor must choose
        the photo again, and is told so at the photo field."""
        upload = self.files.get(self.add_prefix("photo"))
        if upload and not self.has_error("photo"):
            self.add_error(
                "photo",
                f"表单有错误，这次没有保存，你选的图片“{upload.name}”也没有上传。"
                "改好错误后，请重新选择这张图片。",
            )
