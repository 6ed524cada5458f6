"""The readers' side (`news`) never imports the editors' side (`newsroom`)."""

import ast
from pathlib import Path

import news

NEWS = Path(news.__file__).parent


def imported_modules(path):
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "import_module":
            yield from (a.value for a in node.args if isinstance(a, ast.Constant))


def test_news_never_imports_newsroom():
    offenders = [
        f"{path.relative_to(NEWS.parent)}: {module}"
        for path in sorted(NEWS.rglob("*.py"))
        for module in imported_modules(path)
        if module == "newsroom" or module.startswith("newsroom.")
    ]
    assert offenders == []


def test_the_scan_sees_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import newsroom.admin\nfrom newsroom import backup\n", "utf-8")
    assert list(imported_modules(sample)) == ["newsroom.admin", "newsroom"]
