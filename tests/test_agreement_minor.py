"""The legal representative of a minor student signs too, through an e-mailed link.

Per programme (`SigningPolicy.minor_representative`): when the student is under 18 on the
first day of the placement, the representative is one more signing party. They have no
account: a signed, expiring link shows the exact PDF and its hash and records their
acceptance like anyone else's.
"""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from agreements import documents, services, storage
from agreements.models import Acceptance, Party, Signature, SigningPolicy, State
from tests.conftest import shown
from tests.factories import placement_for_agreement
from tests.fixtures import parties
from wpl.models import Notification
from wpl.tenancy import tenant_context

GUARDIAN = {"guardian_name": "Noël Vandenbroucke", "guardian_email": "noel@example.org"}


@pytest.fixture
def world(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with tenant_context(personas.a):
        placement = placement_for_agreement(personas.a)  # starts on 21 September 2026
        SigningPolicy.objects.create(
            programme=placement.programme,
            parties=["student", "workplace", "school"],
            minor_representative=True,
        )
        yield {"placement": placement, "coordinator": personas("a", "coordinator"), "personas": personas}


def draft(world, **fields):
    agreement = services.get_or_create_agreement(actor=world["coordinator"], placement=world["placement"])
    values = {"hours_per_week": "16", "total_hours": "480", "insurer": "Ethias", "policy_number": "45.1"}
    values.update(fields)
    services.update_draft(actor=world["coordinator"], version=agreement.current, fields=values)
    return agreement


def link_of(version) -> str:
    signature = version.signatures.get(party=Party.REPRESENTATIVE)
    return reverse("agreement-sign-link", args=[services.representative_token(signature)])


@pytest.mark.parametrize(
    ("born", "start", "minor"),
    [
        ("2008-09-22", "2026-09-21", True),  # 18 the day after the start
        ("2008-09-21", "2026-09-21", False),  # 18 on the first day
        ("2008-02-29", "2026-02-28", True),  # born on 29 February: of age on 1 March
        ("2008-02-29", "2026-03-01", False),
        ("", "2026-09-21", None),  # unknown
    ],
)
def test_minor_at_the_start(world, born, start, minor):
    assert services.is_minor({"birth_date": born, "start": start}, world["placement"]) is minor


def test_an_adult_student_signs_without_a_representative(world):
    agreement = draft(world, birth_date="2000-01-01")
    version = services.send_for_signature(actor=world["coordinator"], version=agreement.current)
    assert [s.party for s in version.signatures.all()] == ["student", "workplace", "school"]


def test_without_the_programme_setting_a_minor_has_no_representative(world):
    SigningPolicy.objects.filter(programme=world["placement"].programme).update(minor_representative=False)
    agreement = draft(world, birth_date="2010-05-05", **GUARDIAN)
    version = services.send_for_signature(actor=world["coordinator"], version=agreement.current)
    assert Party.REPRESENTATIVE not in [s.party for s in version.signatures.all()]


def test_sending_needs_the_birth_date_and_the_representative(world):
    agreement = draft(world)
    with pytest.raises(ValidationError) as missing_birth:
        services.send_for_signature(actor=world["coordinator"], version=agreement.current)
    assert missing_birth.value.code == "birth_date"
    services.update_draft(
        actor=world["coordinator"], version=agreement.current, fields={"birth_date": "2010-05-05"}
    )
    with pytest.raises(ValidationError) as missing_guardian:
        services.send_for_signature(actor=world["coordinator"], version=agreement.current)
    assert missing_guardian.value.code == "guardian"
    client = Client()
    client.force_login(world["coordinator"].user)
    page = client.post(reverse("agreement-send", args=[agreement.pk]), follow=True).content.decode()
    assert (
        shown(
            "The student is under 18 when the placement starts: enter the name and e-mail address of their "
            "legal representative, who signs too."
        ).replace("'", "&#x27;")
        in page
    )


def test_a_minors_representative_signs_by_link_and_the_agreement_is_sealed(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    agreement = draft(world, birth_date="2010-05-05", **GUARDIAN)
    with django_capture_on_commit_callbacks(execute=True):
        version = services.send_for_signature(actor=world["coordinator"], version=agreement.current)
    signatures = list(version.signatures.all())
    assert [s.party for s in signatures] == ["student", "workplace", "school", "representative"]
    assert signatures[-1].signer_name == "Noël Vandenbroucke" and signatures[-1].signer_id is None
    # The e-mail goes to the address the school entered, with the signing link.
    mail = next(m for m in mailoutbox if m.to == ["noel@example.org"])
    link = re.search(r"(/agreements/sign/[^/\s]+/)", mail.body).group(1)
    assert link.split(":")[0] == link_of(version).split(":")[0]  # same signature and document
    assert "Noël" not in text_of_notifications(exclude="noel@example.org")
    # Nobody else can sign in the representative's place, not even staff.
    staff = services.signature_for(version, world["coordinator"])  # may sign for the school
    assert staff is None or staff.party == Party.SCHOOL
    anonymous = Client()
    page = anonymous.get(link)
    assert page.status_code == 200 and version.pdf_sha256 in page.content.decode()
    pdf = anonymous.get(link + "document.pdf")
    assert pdf.status_code == 200 and storage.sha256(pdf.content) == version.pdf_sha256
    text = " ".join(documents.pdf_text(pdf.content).split())
    assert "Noël Vandenbroucke" in text and "wettelijk vertegenwoordiger" in text  # named in the agreement
    refused = anonymous.post(link, {"sha256": version.pdf_sha256})  # no consent ticked
    assert refused.status_code == 400 and not Acceptance.objects.filter(party=Party.REPRESENTATIVE).exists()
    stale = anonymous.post(link, {"sha256": "0" * 64, "consent": "on"})
    assert stale.status_code == 400
    done = anonymous.post(link, {"sha256": version.pdf_sha256, "consent": "on"})
    assert done.status_code == 200
    record = Acceptance.objects.get(party=Party.REPRESENTATIVE)
    assert record.user_id is None and record.signer_email == "noel@example.org"
    assert record.signer_name == "Noël Vandenbroucke" and record.auth_method == services.BY_LINK
    assert record.document_sha256 == version.pdf_sha256
    again = anonymous.post(link, {"sha256": version.pdf_sha256, "consent": "on"})
    assert again.status_code == 400  # already accepted: refused, nothing is added
    assert Acceptance.objects.filter(party=Party.REPRESENTATIVE).count() == 1
    assert shown("Thank you: your acceptance is recorded.") in again.content.decode()
    for membership in parties(world["placement"]).values():
        services.accept(
            actor=membership,
            version=version,
            document_sha256=version.pdf_sha256,
            consented=True,
            auth_method="password",
        )
    version.refresh_from_db()
    assert version.state == State.FINAL and version.sealed
    assert services.verify_chain() == []
    final = anonymous.get(link + "document.pdf")
    assert storage.sha256(final.content) == version.final_sha256
    assert "Noël Vandenbroucke" in " ".join(documents.pdf_text(final.content).split())  # evidence page
    assert Notification.objects.filter(email="noel@example.org", kind="final").exists()


def text_of_notifications(*, exclude: str) -> str:
    return " ".join(n.body for n in Notification.objects.exclude(email=exclude))


def test_the_representative_waits_their_turn_when_signing_is_sequential(world):
    SigningPolicy.objects.filter(programme=world["placement"].programme).update(sequential=True)
    agreement = draft(world, birth_date="2010-05-05", **GUARDIAN)
    version = services.send_for_signature(actor=world["coordinator"], version=agreement.current)
    signature = version.signatures.get(party=Party.REPRESENTATIVE)
    assert not services.representative_may_sign(signature)
    response = Client().post(link_of(version), {"sha256": version.pdf_sha256, "consent": "on"})
    assert response.status_code == 400
    assert Signature.objects.get(pk=signature.pk).status == Signature.Status.PENDING


def test_a_bad_or_outdated_link_answers_404(world):
    agreement = draft(world, birth_date="2010-05-05", **GUARDIAN)
    version = services.send_for_signature(actor=world["coordinator"], version=agreement.current)
    link = link_of(version)
    client = Client()
    assert client.get(link[:-3] + "xx/").status_code == 404
    assert client.get(reverse("agreement-sign-link", args=["nonsense"])).status_code == 404
    # The document changes (withdrawn, edited, sent again): the old link no longer works.
    services.transition(version, State.DRAFT)
    version.save(update_fields=["state"])
    services.update_draft(actor=world["coordinator"], version=version, fields={"hours_per_week": "20"})
    services.send_for_signature(actor=world["coordinator"], version=version)
    assert client.get(link).status_code == 404
    assert client.get(link + "document.pdf").status_code == 404


def test_another_institutions_signature_cannot_be_reached_by_editing_the_link(world):
    personas = world["personas"]
    agreement = draft(world, birth_date="2010-05-05", **GUARDIAN)
    version = services.send_for_signature(actor=world["coordinator"], version=agreement.current)
    signature = version.signatures.get(party=Party.REPRESENTATIVE)
    from django.core import signing

    forged = signing.dumps(
        {"s": signature.pk, "i": personas.b.pk, "h": version.pdf_sha256[:16]}, salt="something else"
    )
    assert Client().get(reverse("agreement-sign-link", args=[forged])).status_code == 404


def test_the_birth_date_and_representative_are_template_fields(world):
    agreement = draft(world, birth_date="2010-05-05", **GUARDIAN)
    text = " ".join(documents.pdf_text(documents.version_pdf(agreement.current)).split())
    assert "Noël Vandenbroucke" in text
    adult = draft(world, birth_date="2000-01-01", guardian_name="", guardian_email="")
    assert "vertegenwoordigd door Noël" not in " ".join(
        documents.pdf_text(documents.version_pdf(adult.current)).split()
    )


def test_an_amendment_asks_the_representative_again_only_under_the_rule(world):
    agreement = draft(world, birth_date="2010-05-05", **GUARDIAN)
    version = services.send_for_signature(actor=world["coordinator"], version=agreement.current)
    signature = version.signatures.get(party=Party.REPRESENTATIVE)
    services.accept_by_link(
        actor=None, signature=signature, document_sha256=version.pdf_sha256, consented=True
    )
    for membership in parties(world["placement"]).values():
        services.accept(
            actor=membership,
            version=version,
            document_sha256=version.pdf_sha256,
            consented=True,
            auth_method="x",
        )
    # A wording change that needs only the school: the representative's acceptance carries over.
    second = services.amend(actor=world["coordinator"], agreement=agreement, reason="Kosten verduidelijkt")
    services.update_draft(actor=world["coordinator"], version=second, fields={"expenses": "Werkkledij."})
    second = services.send_for_signature(actor=world["coordinator"], version=second)
    statuses = {s.party: s.status for s in second.signatures.all()}
    assert statuses[Party.REPRESENTATIVE] == Signature.Status.CARRIED
    assert statuses[Party.SCHOOL] == Signature.Status.PENDING
    # Another representative: everyone signs again, the new representative by a new link.
    services.transition(second, State.DRAFT)
    second.save(update_fields=["state"])
    services.update_draft(
        actor=world["coordinator"],
        version=second,
        fields={"guardian_name": "Anaïs Vandenbroucke", "guardian_email": "anais@example.org"},
    )
    second = services.send_for_signature(actor=world["coordinator"], version=second)
    representative = second.signatures.get(party=Party.REPRESENTATIVE)
    assert representative.status == Signature.Status.PENDING
    assert representative.signer_name == "Anaïs Vandenbroucke"
    assert Notification.objects.filter(email="anais@example.org", kind="sign_representative").exists()
