"""The demo as a user meets it: `yingji migrate`, `yingji demo` and `yingji serve` in a
fresh var directory, then every demo login signed in through a real Chromium. Each
login's workbench must show work in every panel, and every link on it must answer 200.

The site runs on its own SQLite database in a temporary directory, whatever database the
suite uses, so the module runs only in the suite's SQLite pass (scripts/test.sh runs the
suite a second time with YINGJI_DATABASE_URL pointing at PostgreSQL)."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, Response
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser import chromium
from tests.test_serve import free_port, healthy, wait_for
from yingji import demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        bool(os.environ.get("YINGJI_DATABASE_URL")),
        reason="runs the demo on its own SQLite database: only in the suite's SQLite pass",
    ),
]

CLI = [sys.executable, "-m", "yingji.cli"]


@dataclass(frozen=True)
class Site:
    url: str  # http://127.0.0.1:PORT, no trailing slash
    log: Path


def site_env(var_dir: Path) -> dict[str, str]:
    """The environment of someone who runs yingji for the first time: no ``YINGJI_*``
    setting but the var directory, so SQLite in it and no Redis, whatever the suite has."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("YINGJI_")}
    env.update(YINGJI_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="yingji.settings")
    return env


def run(args: list[str], env: dict[str, str], cwd: Path) -> None:
    done = subprocess.run(
        [*CLI, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"yingji {' '.join(args)} failed:\n{done.stdout}{done.stderr}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    var_dir = tmp_path_factory.mktemp("demo-var")
    env = site_env(var_dir)
    run(["migrate", "--noinput", "-v", "0"], env, var_dir)
    run(["demo"], env, var_dir)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = var_dir / "serve.log"
    with log_path.open("wb") as log:
        # A session of its own, so whatever is left of it can be stopped as a group.
        serve = subprocess.Popen(
            [*CLI, "serve", "--port", str(port)],
            env=env,
            cwd=var_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            started = wait_for(lambda: healthy(f"{url}/api/v1/health"), 60)
            assert started, "yingji serve did not start:\n" + log_path.read_text(errors="replace")
            yield Site(url, log_path)
        finally:
            serve.send_signal(signal.SIGTERM)
            try:
                serve.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(serve.pid, signal.SIGKILL)
                serve.wait()


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def totp_code(secret: str) -> str:
    """The six digits an authenticator app shows for the key entered by hand."""
    from django_otp.oath import totp

    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def sign_in(page: Page, site: Site, username: str) -> None:
    page.goto(f"{site.url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(demo.DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: urlsplit(url).path != "/accounts/login/")
    if urlsplit(page.url).path == "/accounts/2fa/":
        # A role that needs a second factor sets up its authenticator at first sign-in:
        # the page shows the key to enter by hand, and the app's code confirms it.
        secret = page.locator("main figure.qr code").inner_text().strip()
        page.locator("input[name=code]").fill(totp_code(secret))
        page.locator("main button[type=submit]").click()
        page.wait_for_url(lambda url: urlsplit(url).path != "/accounts/2fa/")
    assert urlsplit(page.url).path == "/", f"{username} signed in to {page.url}, not /"


def same_site(href: str, site: Site) -> str | None:
    """``href`` without its fragment when it leads to the site itself, else None."""
    parts = urlsplit(href)
    if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(site.url).netloc:
        return None
    return urlunsplit(parts._replace(fragment=""))


@dataclass
class Watch:
    """What went wrong in the browser while the page was open."""

    console: list[str]
    static: list[str]

    @classmethod
    def on(cls, page: Page) -> Watch:
        watch = cls([], [])

        def console(message: ConsoleMessage) -> None:
            if message.type == "error":
                where = message.location.get("url", "")
                watch.console.append(f"{message.text} ({where})" if where else message.text)

        def failed(request: Request) -> None:
            # ERR_ABORTED: the browser dropped the request itself as the page moved on (the
            # site icon, fetched last, when the test navigates at once); the server's own
            # refusals arrive as responses and are caught below.
            if urlsplit(request.url).path.startswith("/static/") and (
                request.failure != "net::ERR_ABORTED"
            ):
                watch.static.append(f"{request.url}: {request.failure}")

        def response(answer: Response) -> None:
            if urlsplit(answer.url).path.startswith("/static/") and answer.status >= 400:
                watch.static.append(f"{answer.url}: {answer.status}")

        page.on("console", console)
        page.on("pageerror", lambda error: watch.console.append(f"uncaught: {error}"))
        page.on("requestfailed", failed)
        page.on("response", response)
        return watch


# Where a page that needs a signed-in user (or one past the second factor) redirects.
SIGN_IN_PAGES = ("/accounts/login/", "/accounts/2fa/")


def check_links(context: BrowserContext, links: list[str]) -> list[str]:
    """Each link fetched as the signed-in browser follows it. A redirect within the site
    is followed (a plan's address leads to its current version), but it must end in a
    200 on a page of the site that is not the sign-in page."""
    problems = []
    for link in links:
        answer = context.request.get(link, timeout=30_000)
        landed = urlsplit(answer.url)
        if answer.status != 200 or landed.netloc != urlsplit(link).netloc:
            via = f" (at {answer.url})" if answer.url != link else ""
            problems.append(f"{link} answered {answer.status}{via}")
        elif landed.path in SIGN_IN_PAGES and landed.path != urlsplit(link).path:
            problems.append(f"{link} sent the signed-in user to {answer.url}")
        answer.dispose()
    return problems


@pytest.mark.parametrize("login", demo.LOGINS, ids=lambda login: login.username)
def test_every_panel_shows_work_and_every_link_answers(
    login: demo.DemoLogin, site: Site, browser: Browser, tmp_path: Path
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    shot = tmp_path / f"{login.username}.png"
    try:
        problems = workbench_problems(page, context, site, login.username)
        if problems:
            listed = "\n  ".join(problems)
            pytest.fail(f"{login.username}'s workbench (see {shot}):\n  {listed}", pytrace=False)
    except BaseException:
        # For whoever debugs it: the page as it stood when a check failed.
        page.screenshot(path=shot, full_page=True)
        raise
    finally:
        context.close()


def workbench_problems(page: Page, context: BrowserContext, site: Site, username: str) -> list[str]:
    """Sign ``username`` in, open the workbench and say everything wrong with it."""
    watch = Watch.on(page)
    sign_in(page, site, username)
    home = page.goto(f"{site.url}/")
    assert home is not None
    page.wait_for_load_state("load")

    problems = [] if home.status == 200 else [f"/ answered {home.status}"]
    counts = []
    for panel in page.locator("main section.panel[data-panel]").all():
        key = panel.get_attribute("data-panel")
        entries = panel.locator("[data-entry]").count()
        counts.append(entries)
        if panel.locator("[data-panel-failed]").count():
            problems.append(f"panel {key} shows its failure message")
        elif entries == 0:
            empty = panel.locator("[data-panel-empty]")
            said = empty.inner_text() if empty.count() else "no entries"
            problems.append(f"panel {key} is empty ({said})")
    if not counts:
        problems.append("the workbench shows no panel")

    hrefs: list[str] = page.locator("main a[href]").evaluate_all(
        "links => links.map(link => link.href)"
    )
    links = list(dict.fromkeys(u for u in (same_site(h, site) for h in hrefs) if u))
    problems += check_links(context, links)
    problems += [f"console error: {text}" for text in watch.console]
    problems += [f"static file failed: {text}" for text in watch.static]
    print(f"{username}: {len(counts)} panels, {sum(counts)} entries, {len(links)} links checked")
    return problems


# --- every form, refused: a Playwright pass (issue 21, "Done when") ------------------------

# Forms whose submission is not a refusal to check: signing out, the language switch.
NOT_CHECKED = ("/accounts/logout/", "/i18n/setlang/")
CLEARED = "input[type=text], input[type=number], input[type=date], input[type=datetime-local], input[type=email], input[type=tel], input:not([type]), textarea"  # noqa: E501


def _pattern(path: str) -> str:
    """A form's action with its ids folded, so each kind of form is tried once."""
    import re

    return re.sub(r"/\d+(?=/)", "/N", path)


def pages_of(page: Page, site: Site) -> list[str]:
    """The pages a user reaches from the menu and from the first entry of each panel."""
    page.goto(f"{site.url}/")
    hrefs: list[str] = page.locator("#menu a[href], main [data-entry] a[href]").evaluate_all(
        "links => links.map(link => link.href)"
    )
    found = [u for u in (same_site(h, site) for h in hrefs) if u]
    return list(dict.fromkeys(u for u in found if "/admin/" not in u))[:40]


def _open(page: Page, url: str) -> None:
    """Open ``url``, letting a navigation the last form started (its redirect back to the
    same page) finish first: "networkidle" can come before that navigation commits."""
    for attempt in range(3):
        try:
            page.goto(url)
            return
        except PlaywrightError as error:
            if "interrupted by another navigation" not in str(error) or attempt == 2:
                raise
            page.wait_for_load_state("load")


def refusal_problems(page: Page, site: Site, url: str, tried: set[str]) -> list[str]:
    """Every form on ``url`` not tried yet, sent with its text, number and date fields
    emptied: the answer is never a server error, and a refusal says why."""
    problems = []
    _open(page, url)
    count = page.locator("main form[method=post], main form[method=POST]").count()
    for index in range(count):
        _open(page, url)
        form = page.locator("main form[method=post], main form[method=POST]").nth(index)
        # The attribute, not f.action: a field named "action" hides the property.
        action = urlsplit(
            form.evaluate("f => new URL(f.getAttribute('action') || '', location.href).href")
        ).path
        key = _pattern(action)
        if key in tried or action.startswith(NOT_CHECKED) or form.locator(CLEARED).count() == 0:
            continue
        tried.add(key)
        required = form.evaluate(
            "(f, sel) => { let r = false; f.querySelectorAll(sel).forEach(e => {"
            " if (e.type !== 'hidden') { r = r || e.required; e.value = ''; } }); "
            " f.noValidate = true; return r; }",
            CLEARED,
        )
        # The form's own POST, whether the page navigates or a script sends it.
        shown = "[role=alert], .error-summary, .messages .error, .field.invalid, p.error"
        try:
            with page.expect_response(
                lambda r, path=action: r.request.method == "POST" and urlsplit(r.url).path == path,
                timeout=5_000,
            ) as posted:
                # Through its own button, whose name may say which form it is.
                form.evaluate(
                    "f => f.requestSubmit("
                    "f.querySelector('button[type=submit], input[type=submit]') || undefined)"
                )
        except PlaywrightTimeout:
            # A script that checks the form first and sends nothing: it must say why.
            if not page.locator(shown).count():
                problems.append(f"{action} sent nothing and said nothing")
            continue
        status = posted.value.status
        page.wait_for_load_state("networkidle")  # a redirect, or a script's update, done
        said = page.locator(shown).count()
        if status >= 500:
            problems.append(f"{action} (from {urlsplit(url).path}) answered {status}")
        elif status == 400 and not said:
            problems.append(f"{action} refused with no message on the page")
        elif required and status < 400 and not said:
            problems.append(f"{action} accepted its required fields empty ({status})")
    return problems


def test_every_form_refuses_empty_input_with_a_message(site: Site, browser: Browser) -> None:
    """Each kind of form each demo login can reach, sent with its fields emptied: no
    server error, and the refusal shows its message on the page."""
    tried: set[str] = set()
    problems: list[str] = []
    for login in demo.LOGINS:
        if login.username == "admin":
            # The administrator's forms are the Django admin's (left out above), and the
            # second factor it set up in the test before cannot be entered again here.
            continue
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            sign_in(page, site, login.username)
            for url in pages_of(page, site):
                problems += [
                    f"{login.username}: {p}" for p in refusal_problems(page, site, url, tried)
                ]
        finally:
            context.close()
    print(f"{len(tried)} kinds of form tried: {sorted(tried)}")
    assert len(tried) >= 15
    assert not problems, "\n".join(problems)
