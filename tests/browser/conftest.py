"""Real-browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Without Chromium these tests skip with a reason, except under REQUIRE_BROWSER=1 (set by
.ci/run), where a missing browser is a failure: in CI they can never silently skip. The same
holds for Java and the Nu HTML Checker's vnu.jar (the `vnu` fixture, test_html_validity.py).
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# inside one unless told it is safe (it is: the loop only waits on the browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def pytest_collection_modifyitems(config, items):
    missing = not Path(CHROMIUM).exists()
    if missing and os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM}")
    only_without_chromium = pytest.mark.skipif(
        missing, reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    )
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(only_without_chromium)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under the gitignored screenshots/ folder: of the test's
    page, or of another one (a second tab) when given."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name, of=None):
        (of or page).screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return take


@pytest.fixture
def site(live_server, transactional_db):
    """The live server with the bulletin loaded (transactional tests start empty)."""
    from django.core.management import call_command

    call_command("loaddata", "bulletin", verbosity=0)
    return live_server.url


@pytest.fixture
def site_with_photo(site):
    """The bulletin with a real uploaded photo on item 7 (清理枯树 保障出行), so the pages carry
    the photo markup too: srcset and sizes on the article, a thumbnail in the listings."""
    from news.models import Article
    from tests.images import image_bytes, upload

    article = Article.objects.get(pk=7)
    article.photo = upload(image_bytes(size=(1000, 750)))
    article.photo_caption = "工作人员清理倒伏的枯树"
    article.photo_alt = "工作人员在路边锯开倒伏的枯树"
    article.photo_credit = "郑林 摄"
    article.save()
    return site


def _vnu_jar():
    """The Nu HTML Checker's jar: $VNU_JAR, or where `npm install -g vnu-jar` puts it."""
    if os.environ.get("VNU_JAR"):
        return Path(os.environ["VNU_JAR"])
    npm = shutil.which("npm")
    if not npm:
        return None
    root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=False)  # noqa: S603
    return Path(root.stdout.strip()) / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="session")
def vnu():
    """The command that runs the Nu HTML Checker. Without Java or the jar the test skips with a
    reason, except under REQUIRE_BROWSER=1 (CI), where that is a failure, as for Chromium."""
    java, jar = shutil.which("java"), _vnu_jar()
    missing = None
    if not java:
        missing = "no java (apt-get install default-jre-headless)"
    elif not jar or not jar.is_file():
        missing = f"no vnu.jar at {jar} (npm install -g vnu-jar, or set VNU_JAR)"
    if missing:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {missing}", pytrace=False)
        pytest.skip(missing)
    return [java, "-jar", str(jar)]
