"""Copy checks for Chinese text: warnings an editor sees after saving, never blockers."""

import re

# A half-width mark touching a Chinese character: in Chinese text GB/T 15834 wants ，。：；！？（）.
HALF_WIDTH_IN_CHINESE = re.compile(r"[\u4e00-\u9fff][,.:;!?()]|[,:;!?()][\u4e00-\u9fff]")
HEADLINE_MAX = 30
TEXT_FIELDS = ["kicker", "headline", "subtitle", "body", "photo_caption", "photo_alt"]


def copy_warnings(article):
    """What an experienced copy editor would point out in `article`, as Chinese sentences."""
    warnings = []
    for name in TEXT_FIELDS:
        value = getattr(article, name)
        if match := HALF_WIDTH_IN_CHINESE.search(value):
            label = article._meta.get_field(name).verbose_name
            warnings.append(
                f"“{label}”里有半角标点（{match.group()}），中文里应使用全角标点，如，。：；！？（）。"
            )
    if len(article.headline) > HEADLINE_MAX:
        warnings.append(
            f"主题有 {len(article.headline)} 个字，超过 {HEADLINE_MAX} 个字，手机上会折成多行。"
        )
    if article.photo:
        if not article.photo_alt.strip():
            warnings.append("图片没有替代文字。")
        if not article.photo_credit.strip():
            warnings.append("图片没有署名，请按“张三 摄”的格式填写摄影者。")
        elif not article.photo_credit.strip().endswith("摄"):
            warnings.append("图片署名请按“张三 摄”的格式填写。")
    return warnings
