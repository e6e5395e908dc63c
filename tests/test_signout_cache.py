"""Signing out on a shared phone: cached pages go, unsent logbook entries stay their owner's."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import login

pytestmark = pytest.mark.django_db
STATIC = Path(settings.BASE_DIR) / "static"


def test_sign_out_answer_clears_the_http_cache_but_not_storage(personas):
    client = login(personas("a", "student"))
    page = client.get("/")
    assert "Clear-Site-Data" not in page
    response = client.post(reverse("account_logout"))
    assert response.status_code in (200, 302)
    # "cache" only: "storage" would wipe the offline queue with entries not sent yet.
    assert response["Clear-Site-Data"] == '"cache"'
    assert "_auth_user_id" not in client.session


def test_pages_carry_the_sign_out_script_and_the_owner(personas):
    student = personas("a", "student")
    body = login(student).get("/").content.decode()
    assert "js/signout.js" in body
    assert "data-signout" in body and f'data-user="{student.user_id}"' in body
    # Signed out (the sign-in page): the script runs with no sign-out form, so it empties
    # the service worker's caches.
    anonymous = login(student)
    anonymous.logout()
    sign_in = anonymous.get(reverse("account_login")).content.decode()
    assert "js/signout.js" in sign_in and "data-signout" not in sign_in


def test_service_worker_empties_its_caches_on_the_signout_message(client):
    sw = client.get(reverse("service-worker")).content.decode()
    handler = sw.split('addEventListener("message"', 1)[1].split("});\n", 1)[0]
    assert '"signout"' in handler and "caches.delete" in handler


def test_signout_script_keeps_unsent_entries_and_the_queue_is_per_owner():
    script = (STATIC / "js" / "signout.js").read_text()
    # The queue is deleted only when empty; a person with unsent entries is asked first.
    assert 'deleteDatabase("wpl-logbook")' in script and "state.total === 0" in script
    assert "state.mine > 0" in script and "confirm(" in script
    logbook = (STATIC / "logbooks" / "logbook.js").read_text()
    assert "owner: owner, syncUrl: syncUrl" in logbook
    assert "String(item.owner) === String(owner)" in logbook
    assert "fetch(item.syncUrl || syncUrl" in logbook
