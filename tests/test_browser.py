"""The notes example end to end, in a real headless Chromium.

gunicorn serves ``examples/notes`` with two workers on 127.0.0.1 and a free
port, once for this module, and is stopped by its PID. Chromium, driven by
selenium through Debian's ``/usr/bin/chromium`` and
``/usr/bin/chromedriver``, goes through the site as a person would:
register, log in, write a note, edit it, delete it, log out. The other
tests check what only a browser shows: the flags of the session cookie as
Chromium stored it, a form whose CSRF field was removed before it was
sent, and a validation error beside its field.

The browser is required: when Chromium or chromedriver is missing or does
not start, these tests fail, they are not skipped (``tests/install-browser.sh``
installs both). Selenium is given both paths, so Selenium Manager is never
asked to find or download a browser or a driver. Chromium is started with
its background networking off and a new empty profile, and only ever
talks to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import sys
import tempfile
import typing as t
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from servers.process import ServerProcess, server_environ

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
#: How long any one thing in the browser may take: a page, a redirect.
WAIT = 10.0
PASSWORD = "correct horse battery staple"

#: Chromium's switches: headless, as root, and with nothing that reaches
#: out to the network on its own (this machine's network is closed).
CHROMIUM_ARGUMENTS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
]


# -- the server ---------------------------------------------------------------


class Site:
    """The notes app under gunicorn, and what the tests need to reach it."""

    def __init__(self, root: Path, package: str = "notes") -> None:
        self.root = root
        #: ``notes`` (the explicit style) or ``notes_flask`` (its Flask-style twin).
        self.package = package
        self.server = ServerProcess(
            f"gunicorn serving {package}",
            self.command,
            root / "gunicorn.out",
            server_environ(),
            ready=self.answers,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def command(self, port: int) -> list[str]:
        config = {"DATABASE": str(self.root / "notes.db"), "SECRET_KEY": secrets.token_hex(32)}
        return [
            sys.executable, "-m", "gunicorn",
            "--chdir", str(EXAMPLES),
            "--workers", "2",
            "--bind", f"127.0.0.1:{port}",
            "--graceful-timeout", "2",
            "--no-control-socket",
            f"{self.package}:create_app({config!r})",
        ]  # fmt: skip

    def answers(self, port: int) -> bool:
        # Listening; the workers may still be importing the app.
        try:
            with urllib.request.urlopen(self.url + "/auth/login", timeout=WAIT) as response:
                return bool(response.status == 200)
        except (OSError, http.client.HTTPException):
            return False

    def log(self) -> str:
        return self.server.log()


@pytest.fixture(scope="module", params=["notes", "notes_flask"], ids=["explicit", "flask-style"])
def site(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> t.Iterator[Site]:
    # The same site twice: the explicit app and its Flask-style twin
    # (examples/notes_flask), which shares its templates and static files.
    site = Site(tmp_path_factory.mktemp("notes-site"), request.param)
    with site.server:
        yield site


# -- the browser --------------------------------------------------------------


def start_chromium(profile: str) -> WebDriver:
    """Start headless Chromium through chromedriver, or fail the test saying why."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing:
        pytest.fail(
            f"{' and '.join(missing)} not found: the browser tests need Debian's"
            " chromium and chromium-driver packages (sh tests/install-browser.sh)",
            pytrace=False,
        )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in CHROMIUM_ARGUMENTS:
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_experimental_option(
        "prefs",
        {
            # No password manager bubbles over the page.
            "credentials_enable_service": False,
            "profile.password_manager_enabled": False,
            # No connections opened ahead of time "in case": gunicorn's sync
            # workers serve one connection at a time, and an idle
            # preconnected socket holds a worker until it times out. With
            # two workers, two such sockets stall the site.
            "net.network_prediction_options": 2,
        },
    )
    # The network log, to read the status of the pages the browser loads.
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    # Both paths given: Selenium Manager is not run, nothing is downloaded.
    service = Service(executable_path=CHROMEDRIVER)
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except WebDriverException as error:
        pytest.fail(f"Chromium did not start through chromedriver: {error}", pytrace=False)
    driver.set_page_load_timeout(WAIT)
    driver.set_script_timeout(WAIT)
    return driver


@pytest.fixture(scope="module")
def chromium() -> t.Iterator[WebDriver]:
    profile = tempfile.mkdtemp(prefix="microweb-chromium-")
    driver: WebDriver | None = None
    try:
        driver = start_chromium(profile)
        yield driver
    finally:
        if driver is not None:
            driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class Browser:
    """The browser on the notes site, with the steps the tests share."""

    def __init__(self, driver: WebDriver, site: Site) -> None:
        self.driver = driver
        self.site = site

    # Looking and waiting.

    def until(self, condition: t.Callable[[WebDriver], t.Any], what: str) -> t.Any:
        """Wait at most ``WAIT`` seconds for *condition*; else fail saying *what* and where."""
        try:
            return WebDriverWait(self.driver, WAIT, poll_frequency=0.05).until(condition)
        except TimeoutException:
            pytest.fail(f"{what}\n\n{self.describe()}", pytrace=False)

    def describe(self) -> str:
        """Where the browser is and what it shows, and what gunicorn said."""
        try:
            page = self.find("body").text[:2000]
        except WebDriverException as error:
            page = f"(no page: {error.msg})"
        log = self.site.log()[-3000:]
        url = self.driver.current_url
        return f"The browser is on {url}:\n{page}\n\ngunicorn's output:\n{log}"

    def find(self, css: str, within: WebElement | None = None) -> WebElement:
        return (within or self.driver).find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str, within: WebElement | None = None) -> list[WebElement]:
        return (within or self.driver).find_elements(By.CSS_SELECTOR, css)

    def wait_for(self, css: str) -> WebElement:
        """The element *css* once it is on the page."""
        located = ec.presence_of_element_located((By.CSS_SELECTOR, css))
        element: WebElement = self.until(located, f"no {css}")
        return element

    def path(self) -> str:
        return urllib.parse.urlsplit(self.driver.current_url).path

    def wait_for_path(self, path: str) -> None:
        self.until(lambda driver: self.path() == path, f"expected to be on {path}")

    def open(self, path: str) -> None:
        self.driver.get(self.site.url + path)

    def flashes(self) -> list[str]:
        return [element.text for element in self.find_all("p.flash")]

    # Acting.

    def fill(self, form: WebElement, **fields: str) -> None:
        for name, value in fields.items():
            field = self.find(f"[name={name}]", form)
            field.clear()
            field.send_keys(value)

    def submit(self, form: WebElement) -> None:
        """Send *form* with its submit button and wait until the next page is loaded."""
        button = self.find("button[type=submit]", form)
        button.click()

        def left_the_page(driver: WebDriver) -> bool:
            try:
                button.is_enabled()
            except StaleElementReferenceException:
                return True
            except WebDriverException as error:
                # While the next page replaces this one, chromedriver may
                # report the node as no longer in the document this way.
                if "does not belong to the document" in (error.msg or ""):
                    return True
                raise
            return False

        self.until(left_the_page, "the form was not sent")
        self.until(
            lambda driver: driver.execute_script("return document.readyState") == "complete",
            "the page did not load",
        )

    def register(self, username: str) -> None:
        self.open("/auth/register")
        form = self.find("form:has(input[name=password])")
        self.fill(form, username=username, password=PASSWORD)
        self.submit(form)
        self.wait_for_path("/auth/login")

    def log_in(self, username: str) -> None:
        if self.path() != "/auth/login":
            self.open("/auth/login")
        form = self.find("form:has(input[name=password])")
        self.fill(form, username=username, password=PASSWORD)
        self.submit(form)
        self.wait_for_path("/")
        assert self.wait_for("#current-user").text == username

    def new_user(self) -> str:
        """Register a new user and log in as them; return the name."""
        username = "user-" + secrets.token_hex(4)
        self.register(username)
        self.log_in(username)
        return username

    def write_note(self, title: str, body: str) -> WebElement:
        """Write a note through the "new note" link; return its article on the list."""
        self.find("a#new-note").click()
        self.wait_for_path("/notes/new")
        form = self.find("form:has(input[name=title])")
        self.fill(form, title=title, body=body)
        self.submit(form)
        self.wait_for_path("/")
        return self.note_titled(title)

    def notes(self) -> dict[str, str]:
        """The notes listed on the page: title by article id."""
        return {
            note.get_attribute("id") or "": self.find("h2", note).text
            for note in self.find_all("article.note")
        }

    def note_titled(self, title: str) -> WebElement:
        notes = self.find_all("article.note")
        matches = [note for note in notes if self.find("h2", note).text == title]
        assert len(matches) == 1, f"expected one note titled {title!r}; listed: {self.notes()}"
        return matches[0]

    # The network log.

    def drain_log(self) -> None:
        self.driver.get_log("performance")  # type: ignore[attr-defined]

    def statuses(self) -> list[tuple[str, int]]:
        """The (URL, status) of the pages loaded since the log was last read."""
        statuses = []
        for entry in self.driver.get_log("performance"):  # type: ignore[attr-defined]
            message = json.loads(entry["message"])["message"]
            if message["method"] != "Network.responseReceived":
                continue
            if message["params"]["type"] == "Document":
                response = message["params"]["response"]
                statuses.append((response["url"], response["status"]))
        return statuses


@pytest.fixture
def browser(chromium: WebDriver, site: Site) -> t.Iterator[Browser]:
    """The browser, logged out, with nothing kept from the test before."""
    chromium.delete_all_cookies()
    browser = Browser(chromium, site)
    yield browser
    chromium.delete_all_cookies()


# -- the tests ----------------------------------------------------------------


def test_a_user_registers_writes_edits_and_deletes_a_note_and_logs_out(browser: Browser) -> None:
    # Logged out, the site offers to log in or register.
    browser.open("/")
    browser.wait_for("a#login")
    browser.find("a#register").click()
    browser.wait_for_path("/auth/register")

    # Register: back to the login page, with a flash.
    username = "ada-" + secrets.token_hex(4)
    form = browser.find("form:has(input[name=password])")
    browser.fill(form, username=username, password=PASSWORD)
    browser.submit(form)
    browser.wait_for_path("/auth/login")
    assert browser.flashes(), "no flashed message after registering"

    # Log in: the home page, the user's name in the navigation, no notes.
    browser.log_in(username)
    assert browser.find_all("a#login") == []
    assert browser.notes() == {}

    # Write a note: back home with a flash, and the note listed.
    note = browser.write_note("Shopping", "Milk, eggs and flour.")
    note_id = note.get_attribute("id") or ""
    assert note_id.startswith("note-") and note_id[5:].isdigit(), note_id
    assert browser.flashes(), "no flashed message after writing a note"
    assert browser.notes() == {note_id: "Shopping"}
    assert "Milk, eggs and flour." in note.text

    # Edit it: the form holds what was written; the list shows the change.
    browser.find("a.edit", note).click()
    browser.wait_for_path(f"/notes/{note_id[5:]}/edit")
    form = browser.find("form:has(input[name=title])")
    assert browser.find("input[name=title]", form).get_attribute("value") == "Shopping"
    body = browser.find("textarea[name=body]", form)
    assert body.get_attribute("value") == "Milk, eggs and flour."
    browser.fill(form, title="Shopping for the weekend", body="Milk, eggs, flour and butter.")
    browser.submit(form)
    browser.wait_for_path("/")
    assert browser.flashes(), "no flashed message after editing a note"
    assert browser.notes() == {note_id: "Shopping for the weekend"}
    assert "Milk, eggs, flour and butter." in browser.find(f"#{note_id}").text

    # Delete it: gone from the list.
    browser.submit(browser.find("form.delete", browser.find(f"#{note_id}")))
    browser.wait_for_path("/")
    assert browser.flashes(), "no flashed message after deleting a note"
    assert browser.find_all(f"#{note_id}") == []
    assert browser.notes() == {}

    # Log out: the site offers to log in again and shows no one's notes.
    browser.submit(browser.find("form#logout"))
    browser.wait_for("a#login")
    assert browser.find_all("#current-user") == []
    assert browser.notes() == {}


def test_the_session_cookie_is_httponly_and_samesite_lax(browser: Browser) -> None:
    browser.new_user()
    cookies = {cookie["name"]: cookie for cookie in browser.driver.get_cookies()}
    assert "session" in cookies, f"no session cookie; the browser holds {sorted(cookies)}"
    session = cookies["session"]
    assert session["httpOnly"] is True, session
    assert session["sameSite"] == "Lax", session
    # Not readable by the page's scripts.
    assert "session=" not in browser.driver.execute_script("return document.cookie")


def test_a_form_sent_without_its_csrf_token_is_refused(browser: Browser) -> None:
    browser.new_user()
    note = browser.write_note("Keep me", "A note a forged form must not delete.")
    note_id = note.get_attribute("id") or ""
    form = browser.find("form.delete", note)
    action = form.get_attribute("action") or ""
    hidden = browser.find_all("input[type=hidden]", form)
    assert hidden, "the delete form carries no hidden CSRF field"

    # In the browser: take the hidden token out of the form, then send it.
    browser.driver.execute_script(
        "arguments[0].querySelectorAll('input[type=hidden]').forEach(input => input.remove());",
        form,
    )
    browser.drain_log()
    browser.submit(form)
    assert browser.statuses() == [(action, 400)], "the form without its token was not refused"
    assert "400" in browser.find("body").text, "the refusal is not shown as a 400 page"

    # Outside the browser, with the browser's own session cookie: the same.
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in browser.driver.get_cookies())
    forged = urllib.request.Request(action, data=b"", method="POST", headers={"Cookie": cookie})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=WAIT)
    refused.value.close()
    assert refused.value.code == 400

    # The note is still there.
    browser.open("/")
    assert browser.notes() == {note_id: "Keep me"}


def test_a_validation_error_is_shown_next_to_its_field(browser: Browser) -> None:
    browser.new_user()
    browser.find("a#new-note").click()
    browser.wait_for_path("/notes/new")
    form = browser.find("form:has(input[name=title])")
    browser.fill(form, title="", body="A body without a title.")
    browser.submit(form)

    errors = browser.find_all("p.error")
    assert len(errors) == 1, f"expected one error, got {[error.text for error in errors]}"
    assert errors[0].is_displayed() and errors[0].text
    # Beside the title field: in the part of the form that holds the title
    # field and not the body, or between the two fields in the page.
    placed = browser.driver.execute_script(
        """
        const [error, title, body] = arguments;
        for (let box = error.parentElement; box; box = box.parentElement) {
            if (box.contains(title)) {
                if (!box.contains(body)) return true;
                break;
            }
        }
        const after = (a, b) =>
            Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
        return after(title, error) && after(error, body);
        """,
        errors[0],
        browser.find("input[name=title]"),
        browser.find("textarea[name=body]"),
    )
    assert placed, "the error is not shown next to the title field"
    # What was typed is kept, and nothing was written.
    assert browser.find("textarea[name=body]").get_attribute("value") == "A body without a title."
    browser.open("/")
    assert browser.notes() == {}
