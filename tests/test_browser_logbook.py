"""End to end on a phone viewport: a student logs a day offline, comes back online, the entry
is sent exactly once, and the mentor approves the week. Signing out on a shared phone empties
the service worker's caches, and asks first while an entry typed offline is not sent yet.

Offline is simulated with the Chrome DevTools protocol (Network.emulateNetworkConditions),
which also fires the page's `offline` / `online` events.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from logbooks.models import Entry
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory, make_logbook_placement
from tests.fixtures import WAIT, sign_in, sign_out
from wpl.models import Role

pytestmark = [pytest.mark.browser]


def set_offline(driver, offline: bool) -> None:
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def test_student_logs_offline_then_mentor_approves_the_week(live_server, transactional_db, phone):
    from datetime import timedelta

    from django.utils import timezone
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    institution = InstitutionFactory(slug="browser-logbook")
    student = MembershipFactory(
        institution=institution, role=Role.STUDENT, user=UserFactory(email="stud@logbook.test")
    )
    mentor = MembershipFactory(
        institution=institution, role=Role.MENTOR, user=UserFactory(email="mentor@logbook.test")
    )
    placement = make_logbook_placement(institution, student_user=student.user, mentor_user=mentor.user)
    day = timezone.localdate() - timedelta(days=1)
    while day.isoweekday() > 5:
        day -= timedelta(days=1)
    base = live_server.url
    driver = phone
    sign_in(driver, base, "stud@logbook.test")
    driver.get(base + reverse("logbook"))
    WebDriverWait(driver, WAIT).until(lambda d: d.execute_script("return !!window.WPL_LOGBOOK_API"))

    set_offline(driver, True)
    WebDriverWait(driver, WAIT).until(lambda d: d.execute_script("return navigator.onLine === false"))
    form = driver.find_element(By.ID, "entry-form")
    date_input = form.find_element(By.NAME, "date")
    driver.execute_script("arguments[0].value = arguments[1]", date_input, day.isoformat())
    form.find_element(By.NAME, "hours").send_keys("7.5")
    form.find_element(By.NAME, "activities").send_keys("Offline getypt op de werkvloer")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, WAIT).until(
        lambda d: d.execute_script("return window.WPL_LOGBOOK_API.pending().then(r => r.length)") == 1
    )
    assert not Entry.all_tenants.filter(placement=placement).exists()

    set_offline(driver, False)
    WebDriverWait(driver, WAIT).until(
        lambda d: d.execute_script("return window.WPL_LOGBOOK_API.pending().then(r => r.length)") == 0
    )
    # A second flush (e.g. a reload) sends nothing twice.
    driver.execute_script("return window.WPL_LOGBOOK_API.flush()")
    entries = Entry.all_tenants.filter(placement=placement)
    assert entries.count() == 1
    assert entries.get().activities == "Offline getypt op de werkvloer"

    sign_out(driver)
    sign_in(driver, base, "mentor@logbook.test")
    driver.get(base + reverse("logbook-review"))
    driver.find_element(By.CSS_SELECTOR, "button[name=week]").click()
    WebDriverWait(driver, WAIT).until(lambda d: "logbook/review" in d.current_url)
    WebDriverWait(driver, WAIT).until(
        lambda d: Entry.all_tenants.get(placement=placement).status == "approved"
    )


# --- signing out on a shared phone (static/js/signout.js, the service worker) --------------------
CACHED_URLS = """
const done = arguments[arguments.length - 1];
caches.keys().then(keys => Promise.all(keys.map(k => caches.open(k).then(c => c.keys()).then(
  requests => requests.map(r => new URL(r.url).pathname))))).then(
  lists => done({keys: [], urls: [].concat(...lists)}), error => done({error: String(error)}));
"""
CACHE_KEYS = """
const done = arguments[arguments.length - 1];
caches.keys().then(keys => done(keys), error => done(["error: " + error]));
"""

QUEUE_SIZE = """
const done = arguments[arguments.length - 1];
const open = indexedDB.open("wpl-logbook");
open.onerror = () => done(-1);
open.onsuccess = () => {
  const db = open.result;
  if (!db.objectStoreNames.contains("queue")) { db.close(); done(0); return; }
  const count = db.transaction("queue").objectStore("queue").count();
  count.onsuccess = () => { db.close(); done(count.result); };
};
"""


def cached(driver) -> list[str]:
    """Paths of every response in the service worker's caches (on this origin)."""
    found = driver.execute_async_script(CACHED_URLS)
    assert "error" not in found, found
    return found["urls"]


def shared_phone_student(institution_slug: str, email: str):
    institution = InstitutionFactory(slug=institution_slug)
    student = MembershipFactory(institution=institution, role=Role.STUDENT, user=UserFactory(email=email))
    return make_logbook_placement(institution, student_user=student.user)


def open_logbook_cached(driver, base: str) -> None:
    """Open the logbook until the service worker controls it and keeps it in its cache."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(base + reverse("logbook"))
    WebDriverWait(driver, WAIT).until(lambda d: d.execute_script("return !!window.WPL_LOGBOOK_API"))
    WebDriverWait(driver, WAIT).until(
        lambda d: (
            d.execute_script("return !!(navigator.serviceWorker && navigator.serviceWorker.controller)")
            or d.refresh()
        )
    )
    WebDriverWait(driver, WAIT).until(lambda d: "/logbook/" in cached(d))


def test_signing_out_empties_the_service_workers_caches(live_server, transactional_db, phone):
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    shared_phone_student("browser-signout", "stud@signout.test")
    base = live_server.url
    sign_in(phone, base, "stud@signout.test")
    open_logbook_cached(phone, base)
    assert phone.execute_async_script(CACHE_KEYS), "the logbook was cached before signing out"

    sign_out(phone)
    WebDriverWait(phone, WAIT).until(lambda d: d.find_elements(By.NAME, "login"))
    # Nothing of the student is left to read offline: no cache at all once the sign-in
    # page's own clean-up ran (static files fetched for it may only come back later).
    WebDriverWait(phone, WAIT).until(lambda d: not [p for p in cached(d) if not p.startswith("/static/")])
    leftover = phone.execute_async_script(CACHE_KEYS)
    pages = [p for p in cached(phone) if not p.startswith("/static/")]
    assert pages == [], pages
    assert all(key.startswith("wpl-") for key in leftover), leftover
    assert "/logbook/" not in cached(phone)
    # And offline the logbook is no longer served from the phone.
    set_offline(phone, True)
    try:
        phone.get(base + reverse("logbook"))
    except WebDriverException as error:  # nothing on the phone to answer with
        assert "ERR_INTERNET_DISCONNECTED" in str(error)
    else:
        assert "entry-form" not in phone.page_source


def test_signing_out_with_an_unsent_entry_asks_first_and_keeps_it(live_server, transactional_db, phone):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    placement = shared_phone_student("browser-unsent", "stud@unsent.test")
    day = timezone.localdate() - timedelta(days=1)
    while day.isoweekday() > 5:
        day -= timedelta(days=1)
    base = live_server.url
    sign_in(phone, base, "stud@unsent.test")
    open_logbook_cached(phone, base)

    set_offline(phone, True)
    WebDriverWait(phone, WAIT).until(lambda d: d.execute_script("return navigator.onLine === false"))
    form = phone.find_element(By.ID, "entry-form")
    phone.execute_script(
        "arguments[0].value = arguments[1]", form.find_element(By.NAME, "date"), day.isoformat()
    )
    form.find_element(By.NAME, "hours").send_keys("7.5")
    form.find_element(By.NAME, "activities").send_keys("Getypt zonder verbinding")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    pending = "return window.WPL_LOGBOOK_API.pending().then(r => r.length)"
    WebDriverWait(phone, WAIT).until(lambda d: d.execute_script(pending) == 1)
    # Back online, but the entry cannot be sent yet (the sync address fails): it stays unsent.
    phone.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/sync/*"]})
    set_offline(phone, False)
    WebDriverWait(phone, WAIT).until(lambda d: d.execute_script("return navigator.onLine === true"))
    expected = phone.execute_script(
        "return document.querySelector('form[data-signout]').dataset.unsentWarning.replace('%(n)s', '1')"
    )

    sign_out(phone)
    alert = WebDriverWait(phone, WAIT).until(ec.alert_is_present())
    assert alert.text == expected
    alert.dismiss()  # "not now": the person stays signed in, the entry and the cache stay
    assert phone.find_elements(By.CSS_SELECTOR, "form[data-signout]")
    assert phone.execute_script(pending) == 1
    assert "/logbook/" in cached(phone)

    sign_out(phone)
    WebDriverWait(phone, WAIT).until(ec.alert_is_present()).accept()
    # Signed out anyway: the cached pages go, the unsent entry stays on the phone (for its
    # owner only, see test_signout_cache.py) and was never sent.
    WebDriverWait(phone, WAIT).until(lambda d: d.find_elements(By.NAME, "login"))
    WebDriverWait(phone, WAIT).until(lambda d: not [p for p in cached(d) if not p.startswith("/static/")])
    assert phone.execute_async_script(QUEUE_SIZE) == 1
    assert not Entry.all_tenants.filter(placement=placement).exists()
