"""End to end in headless Chromium on a phone viewport: the mentor accepts an agreement.

The mentor signs in, opens the signing page, sees the SHA-256, ticks the consent and
accepts; the acceptance log records how they signed in (password here).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from agreements import services
from agreements.models import Acceptance, Kind
from tests.factories import placement_for_agreement
from tests.fixtures import WAIT, sign_in
from wpl.tenancy import tenant_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_mentor_accepts_on_a_phone(live_server, personas, browser, settings, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    settings.MEDIA_ROOT = tmp_path
    with tenant_context(personas.a):
        placement = placement_for_agreement(personas.a)
        agreement = services.get_or_create_agreement(
            actor=personas("a", "coordinator"), placement=placement, kind=Kind.AGREEMENT
        )
        version = services.send_for_signature(actor=personas("a", "coordinator"), version=agreement.current)
    browser.set_window_size(375, 812)
    sign_in(browser, live_server.url, placement.mentor.user.email)
    browser.get(live_server.url + reverse("agreement-sign", args=[agreement.pk]))
    assert version.pdf_sha256 in browser.page_source
    checkbox = browser.find_element(By.ID, "id_consent")
    assert checkbox.is_displayed() and checkbox.size["width"] > 0
    # Nothing overflows the phone's width on the signing page.
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 400
    checkbox.click()
    browser.find_element(By.CSS_SELECTOR, "#sign-form button[type=submit]").click()
    # The signing page is under the same path: wait for the agreement page itself.
    WebDriverWait(browser, WAIT).until(ec.url_matches(rf"/agreements/{agreement.pk}/(\?.*)?$"))
    record = Acceptance.all_tenants.get()
    assert record.party == "workplace" and record.document_sha256 == version.pdf_sha256
    assert "password" in record.auth_method
