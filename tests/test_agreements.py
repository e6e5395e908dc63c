"""Agreements and plans: templates, PDF text, lifecycle, seal, amendments, outside path,
tamper detection, verification, isolation and batch export."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agreements import documents, rendering, seal, selectors, services, storage
from agreements.models import (
    Acceptance,
    AgreementVersion,
    AppendOnly,
    BatchExport,
    IntegrityIssue,
    Kind,
    SealCertificate,
    Signature,
    SigningPolicy,
    State,
)
from tests.conftest import login, shown
from tests.factories import MembershipFactory, placement_for_agreement
from tests.fixtures import draft, parties, sign_all
from wpl import registry
from wpl.models import Notification, Role
from wpl.tenancy import tenant_context


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(personas):
    """Institution A with a placement whose three parties have accounts, inside A."""
    with tenant_context(personas.a):
        placement = placement_for_agreement(personas.a)
        yield {
            "placement": placement,
            "coordinator": personas("a", "coordinator"),
            "admin": personas("a", "institution_admin"),
            "personas": personas,
        }


def text_of(data: bytes) -> str:
    """The PDF's text with line breaks made spaces (table cells wrap)."""
    return " ".join(documents.pdf_text(data).split())


# --- templates ---------------------------------------------------------------------------
def test_check_template_reports_unknown_and_misspelt_fields():
    source = (
        "{{ student.name }} {{ student.nmae }} {{ foo }} "
        "{% for r in plan.rows %}{{ r.objective }}{{ r.bogus }}"
        "{% endfor %}{% for s in signatures %}{{ s.party }}{% endfor %}{% set x = 1 %}{{ x }}"
    )
    problems = rendering.check_template(source)
    text = " ".join(problems)
    assert "student.nmae" in text and "foo" in text and "plan.rows[].bogus" in text
    assert (
        "student.name" not in text.replace("student.nmae", "")
        and "objective" not in text
        and "party" not in text
    )
    assert len(problems) == 3


def test_check_template_reports_syntax_error_with_line():
    problems = rendering.check_template("<p>\n{% if student.name %}open")
    assert len(problems) == 1 and "2" in problems[0]


def test_render_never_crashes_on_unknown_and_escapes_user_text():
    html = rendering.render_body(
        "{{ student.name }}|{{ student.nmae }}|{{ a.b.c }}|{% for x in nothing %}x{% endfor %}",
        {"student": {"name": "<script>alert(1)</script> Zoë"}},
    )
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert html.count(rendering.UNKNOWN_MARKER) == 2


def test_sandbox_refuses_reaching_python_internals():
    with pytest.raises(rendering.TemplateProblem):
        rendering.render_body("{{ ''.__class__.__mro__[1].__subclasses__() }}", {})


def test_saving_a_template_makes_versions_and_reports_unknown_fields(world):
    admin = world["admin"]
    t1, problems = services.save_template(
        actor=admin,
        programme=None,
        kind=Kind.AGREEMENT,
        language="nl",
        title="Overeenkomst",
        body="{{ studnet.name }}",
    )
    assert problems == [shown("Unknown field: %(field)s", field="studnet.name")] and t1.version == 1
    t2, problems = services.save_template(
        actor=admin,
        programme=None,
        kind=Kind.AGREEMENT,
        language="nl",
        title="Overeenkomst",
        body="{{ student.name }}",
    )
    assert problems == [] and t2.version == 2
    with pytest.raises(ValidationError):
        services.save_template(
            actor=admin, programme=None, kind=Kind.AGREEMENT, language="nl", title="x", body="{% if %}"
        )


def test_template_editor_page_reports_problems_and_preview_renders(world):
    client = login(world["admin"])
    url = reverse("agreement-template-edit") + "?kind=agreement&language=nl"
    page = client.get(url)
    assert page.status_code == 200 and "student.name" in page.content.decode()
    response = client.post(
        url, {"title": "Overeenkomst", "body": "<p>{{ student.name }} {{ mentr.name }}</p>"}
    )
    assert response.status_code == 200
    assert "mentr.name" in response.content.decode()
    template = world["placement"].__class__  # noqa: F841 - keep the namespace tidy
    from agreements.models import DocumentTemplate

    saved = DocumentTemplate.objects.get()
    preview = client.get(reverse("agreement-template-preview", args=[saved.pk]))
    assert preview["Content-Type"] == "application/pdf"
    text = text_of(preview.content)
    assert "Zoë Van den Broeck" in text and "[?]" in text


def test_a_template_error_shows_a_clear_message_not_a_broken_pdf(world):
    services.save_template(
        actor=world["admin"],
        programme=None,
        kind=Kind.AGREEMENT,
        language="nl",
        title="x",
        body="{{ 1 // 0 }}",
    )
    agreement = draft(world)
    client = login(world["coordinator"])
    response = client.get(reverse("agreement-version-pdf", args=[agreement.pk, 1]))
    assert response.status_code == 422
    assert "text/html" in response["Content-Type"] and "division" in response.content.decode()
    with pytest.raises(ValidationError):
        services.send_for_signature(actor=world["coordinator"], version=agreement.current)


# --- PDF text ----------------------------------------------------------------------------
def test_agreement_pdf_has_names_dates_hours_and_dutch_accents(world):
    agreement = draft(world, weekdays="3,4")
    text = text_of(documents.version_pdf(agreement.current))
    assert "Zoë Vandenbroucke" in text
    assert "Jürgen Peeters" in text and "Renée Claes" in text
    assert "Café Déjà Vu" in text
    assert "21 september 2026" in text and "25 juni 2027" in text
    assert "16 uur per week" in text and "480 uur" in text
    assert "woensdag, donderdag" in text
    assert "werkplekcoördinator" in text and "Ethias" in text
    assert (
        "Ontwerp" in text or "niet van kracht" in text.lower() or "Draft" in text
    )  # draft marker on every page


def test_annex_and_attendance_certificate_use_the_hours_provider(world):
    agreement = draft(world)
    client = login(world["coordinator"])
    response = client.get(reverse("agreement-extra", args=[agreement.pk, "attendance"]))
    assert response.status_code == 200
    assert "—" in text_of(response.content)
    provider = lambda placement: (112.5, 15)  # noqa: E731
    registry.register_hours_provider(provider)
    try:
        text = text_of(client.get(reverse("agreement-extra", args=[agreement.pk, "attendance"])).content)
    finally:
        registry._hours_providers.remove(provider)
    assert "112,5" in text and "15" in text
    annex = text_of(client.get(reverse("agreement-extra", args=[agreement.pk, "annex"])).content)
    assert "Jürgen Peeters" in annex and "ziekte" in annex.lower()


def test_plan_pdf_lists_rows(world):
    agreement = services.get_or_create_agreement(
        actor=world["coordinator"], placement=world["placement"], kind=Kind.PLAN
    )
    services.update_draft(
        actor=world["coordinator"],
        version=agreement.current,
        fields={"semester": "Semester 1"},
        plan_rows=[
            {
                "objective": "Communiceert professioneel",
                "tasks": "Intakegesprekken voeren",
                "period": "S1",
                "evidence": "Verslag én feedback",
            }
        ],
    )
    text = text_of(documents.version_pdf(agreement.current))
    assert (
        "Individueel werkleerplan" in text
        and "Intakegesprekken voeren" in text
        and "Verslag én feedback" in text
    )


# --- lifecycle and signatures ------------------------------------------------------------
def test_full_lifecycle_ends_sealed_with_evidence_page(world, django_capture_on_commit_callbacks):
    agreement = draft(world)
    version = services.send_for_signature(actor=world["coordinator"], version=agreement.current)
    assert version.state == State.SENT and len(version.pdf_sha256) == 64
    assert storage.sha256(storage.read(version.pdf_file)) == version.pdf_sha256
    assert [s.party for s in version.signatures.all()] == ["student", "workplace", "school"]
    assert Notification.objects.filter(key__startswith=f"agreements:sign:{version.pk}:").count() == 3

    # The student signs in the browser: sees the hash, must tick the consent.
    p = parties(world["placement"])
    client = login(p["student"])
    page = client.get(reverse("agreement-sign", args=[agreement.pk]))
    assert version.pdf_sha256 in page.content.decode()
    refused = client.post(reverse("agreement-sign", args=[agreement.pk]), {"sha256": version.pdf_sha256})
    assert refused.status_code == 200 and not Acceptance.objects.exists()
    ok = client.post(
        reverse("agreement-sign", args=[agreement.pk]), {"sha256": version.pdf_sha256, "consent": "on"}
    )
    assert ok.status_code == 302
    record = Acceptance.objects.get()
    assert (
        record.party == "student"
        and record.document_sha256 == version.pdf_sha256
        and record.version_number == 1
    )
    assert record.consent_text and record.auth_method and record.previous_hash == ""

    sign_all(agreement, world, only={"workplace", "school"})
    version.refresh_from_db()
    assert version.state == State.FINAL and version.sealed
    final = storage.read(version.final_file)
    assert storage.sha256(final) == version.final_sha256
    # The accepted pages are unchanged inside the final file, followed by the evidence page.
    text = text_of(final)
    assert "Bewijspagina" in text or "Evidence page" in text
    assert version.pdf_sha256 in "".join(documents.pdf_text(final).split())
    assert "Jürgen Peeters" in text and "password" in text
    # The seal validates with pyHanko against the institution's certificate.
    cert = SealCertificate.objects.get(is_active=True)
    status = seal.validate_seal(final, certificate_pem=cert.certificate_pem)
    assert status.ok, status
    # Every party is told.
    assert Notification.objects.filter(key__startswith=f"agreements:final:{version.pk}:").count() == 3
    # The chain of acceptance records holds.
    records = list(Acceptance.objects.order_by("id"))
    assert [r.previous_hash for r in records[1:]] == [r.record_hash for r in records[:-1]]
    assert services.verify_chain() == []


def test_acceptance_refuses_wrong_hash_wrong_person_and_wrong_state(world):
    agreement = draft(world)
    version = agreement.current
    p = parties(world["placement"])
    with pytest.raises(ValidationError):  # not sent yet
        services.accept(
            actor=p["student"], version=version, document_sha256="", consented=True, auth_method="x"
        )
    services.send_for_signature(actor=world["coordinator"], version=version)
    version.refresh_from_db()
    with pytest.raises(ValidationError):
        services.accept(
            actor=p["student"], version=version, document_sha256="0" * 64, consented=True, auth_method="x"
        )
    with pytest.raises(ValidationError):
        services.accept(
            actor=p["student"],
            version=version,
            document_sha256=version.pdf_sha256,
            consented=False,
            auth_method="x",
        )
    other_student = MembershipFactory(institution=world["personas"].a, role=Role.STUDENT)
    with pytest.raises(PermissionDenied):
        services.accept(
            actor=other_student,
            version=version,
            document_sha256=version.pdf_sha256,
            consented=True,
            auth_method="x",
        )
    services.accept(
        actor=p["student"],
        version=version,
        document_sha256=version.pdf_sha256,
        consented=True,
        auth_method="x",
    )
    with pytest.raises(PermissionDenied):  # twice
        services.accept(
            actor=p["student"],
            version=version,
            document_sha256=version.pdf_sha256,
            consented=True,
            auth_method="x",
        )


def test_sequential_policy_and_school_delegate(world):
    SigningPolicy.objects.create(
        programme=world["placement"].programme,
        parties=["school", "student"],
        sequential=True,
        school_delegate=True,
    )
    agreement = services.get_or_create_agreement(actor=world["coordinator"], placement=world["placement"])
    version = services.send_for_signature(actor=world["coordinator"], version=agreement.current)
    assert [s.party for s in version.signatures.all()] == ["school", "student"]
    p = parties(world["placement"])
    with pytest.raises(PermissionDenied):  # the student signs after the school
        services.accept(
            actor=p["student"],
            version=version,
            document_sha256=version.pdf_sha256,
            consented=True,
            auth_method="x",
        )
    services.accept(  # a coordinator signs for the school as delegate
        actor=world["coordinator"],
        version=version,
        document_sha256=version.pdf_sha256,
        consented=True,
        auth_method="x",
    )
    services.accept(
        actor=p["student"],
        version=version,
        document_sha256=version.pdf_sha256,
        consented=True,
        auth_method="x",
    )
    version.refresh_from_db()
    assert version.state == State.FINAL


def test_acceptance_log_is_append_only_and_tampering_breaks_the_chain(world):
    agreement = draft(world)
    services.send_for_signature(actor=world["coordinator"], version=agreement.current)
    sign_all(agreement, world, only={"student", "workplace"})
    record = Acceptance.objects.first()
    with pytest.raises(AppendOnly):
        record.save()
    with pytest.raises(AppendOnly):
        record.delete()
    with pytest.raises(AppendOnly):
        Acceptance.objects.filter(pk=record.pk).update(signer_name="x")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE agreements_acceptance SET signer_name = 'Iemand anders' WHERE id = %s", [record.pk]
        )
    assert services.verify_chain() == [record.pk]


def test_state_machine_refuses_illegal_moves(world):
    agreement = draft(world)
    version = agreement.current
    with pytest.raises(ValidationError):
        services.transition(version, State.SIGNED)
    with pytest.raises(ValidationError):
        services.amend(actor=world["coordinator"], agreement=agreement, reason="te vroeg")


# --- amendments --------------------------------------------------------------------------
def test_amendment_rule_and_effective_version(world):
    agreement = draft(world)
    services.send_for_signature(actor=world["coordinator"], version=agreement.current)
    v1 = sign_all(agreement, world)
    assert v1.state == State.FINAL

    # Only a text that does not need signatures: the school alone signs again.
    v2 = services.amend(actor=world["coordinator"], agreement=agreement, reason="Andere kostenregeling")
    services.update_draft(
        actor=world["coordinator"], version=v2, fields={"expenses": "Parking ten laste van de werkplek."}
    )
    v2.refresh_from_db()
    assert v2.resign_parties == ["school"]
    assert agreement.effective.pk == v1.pk  # still v1 until v2 is final
    services.send_for_signature(actor=world["coordinator"], version=v2)
    statuses = {s.party: s.status for s in v2.signatures.all()}
    assert statuses == {"student": "carried", "workplace": "carried", "school": "pending"}
    sign_all(agreement, world, only={"school"})
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v2.state == State.FINAL and v1.state == State.SUPERSEDED
    assert agreement.effective.pk == v2.pk
    assert storage.read(v1.final_file)  # earlier versions stay readable

    # Hours change: every party signs again.
    v3 = services.amend(actor=world["coordinator"], agreement=agreement, reason="Meer uren")
    services.update_draft(actor=world["coordinator"], version=v3, fields={"hours_per_week": "20"})
    v3.refresh_from_db()
    assert set(v3.resign_parties) == {"student", "workplace", "school"}
    v3 = services.send_for_signature(actor=world["coordinator"], version=v3)
    assert "20 uur per week" in text_of(storage.read(v3.pdf_file))
    # Pages show the effective agreement while the amendment is under way.
    page = login(world["coordinator"]).get(reverse("agreement-detail", args=[agreement.pk])).content.decode()
    assert "Versie 2" in page or "Version 2" in page


# --- outside the platform ----------------------------------------------------------------
def test_outside_path_stores_the_file_unchanged(world):
    agreement = draft(world)
    client = login(world["coordinator"])
    url = reverse("agreement-outside", args=[agreement.pk])
    bad = client.post(url, {"note": "op papier", "file": SimpleUploadedFile("x.pdf", b"MZ not a pdf")})
    assert bad.status_code == 200 and AgreementVersion.objects.get().state == State.DRAFT
    pdf = documents.version_pdf(agreement.current) + b"% scanned with signatures"
    ok = client.post(url, {"note": "op papier", "file": SimpleUploadedFile("scan.pdf", pdf)})
    assert ok.status_code == 302
    version = AgreementVersion.objects.get()
    assert version.state == State.FINAL and version.signed_outside and not version.sealed
    assert storage.read(version.final_file) == pdf and version.final_sha256 == storage.sha256(pdf)
    assert set(version.signatures.values_list("status", flat=True)) == {Signature.Status.OUTSIDE}
    assert Acceptance.objects.filter(version=version).count() == 3


# --- tamper detection and verification ---------------------------------------------------
def test_tampered_stored_file_is_detected_and_reported_once(world, media):
    agreement = draft(world)
    services.send_for_signature(actor=world["coordinator"], version=agreement.current)
    version = sign_all(agreement, world)
    now = timezone.now()
    assert services.check_integrity(now) == 0
    path = media / version.final_file
    path.write_bytes(path.read_bytes() + b"\n% changed")
    assert services.check_integrity(now) == 0  # checked today already: not re-read
    tomorrow = now + services.INTEGRITY_INTERVAL
    assert services.check_integrity(tomorrow) == 1
    assert IntegrityIssue.objects.get().version == version
    assert services.check_integrity(tomorrow + services.INTEGRITY_INTERVAL) == 0  # reported once
    assert Notification.objects.filter(key__startswith="agreements:integrity:").exists()
    page = login(world["coordinator"]).get(reverse("agreement-detail", args=[agreement.pk])).content.decode()
    assert "hash" in page


def test_integrity_check_rolls_over_the_store_oldest_first_in_bounded_batches(
    world, media, monkeypatch, django_assert_max_num_queries
):
    """Each tick re-reads at most INTEGRITY_BATCH versions' files, never-checked and longest
    unchecked first, none twice within INTEGRITY_INTERVAL; a newly stored file goes first."""
    monkeypatch.setattr(services, "INTEGRITY_BATCH", 2)
    agreement = draft(world)
    for number in range(2, 6):
        data = f"%PDF-1.4 version {number}".encode()
        AgreementVersion.objects.create(
            agreement=agreement, number=number, state=State.SENT,
            pdf_file=storage.save(institution_id=agreement.institution_id, data=data),
            pdf_sha256=storage.sha256(data),
        )  # fmt: skip
    read = []
    real_read = storage.read
    monkeypatch.setattr(storage, "read", lambda name: read.append(name) or real_read(name))

    def checked_at(when) -> set[int]:
        return set(
            AgreementVersion.objects.filter(integrity_checked_at=when).values_list("number", flat=True)
        )

    now = timezone.now()
    with django_assert_max_num_queries(2):  # the batch, the update (no mismatch)
        assert services.check_integrity(now) == 0
    assert len(read) == 2 and checked_at(now) == {2, 3}
    later = now + timedelta(hours=1)
    assert services.check_integrity(later) == 0
    assert checked_at(later) == {4, 5}  # the ones never checked before the ones checked
    read.clear()
    assert services.check_integrity(now + timedelta(hours=2)) == 0
    assert read == []  # each was checked less than a day ago
    # A version that gets a new file is checked at the next tick.
    version = AgreementVersion.objects.get(agreement=agreement, number=5)
    services._make_final(version, b"%PDF-1.4 signed", sealed=False)
    assert services.check_integrity(now + timedelta(hours=3)) == 0
    assert checked_at(now + timedelta(hours=3)) == {5} and len(read) == 2  # its PDF and its final file
    # A day later the oldest checks come first again, two per tick.
    tomorrow = now + services.INTEGRITY_INTERVAL
    assert services.check_integrity(tomorrow) == 0
    assert checked_at(tomorrow) == {2, 3}


def test_verification_page(world, personas):
    agreement = draft(world)
    services.send_for_signature(actor=world["coordinator"], version=agreement.current)
    version = sign_all(agreement, world)
    final = storage.read(version.final_file)
    client = login(world["coordinator"])
    url = reverse("agreement-verify")
    ours = client.post(url, {"file": SimpleUploadedFile("a.pdf", final)}).content.decode()
    assert version.final_sha256 in ours and "Zoë Vandenbroucke" in ours
    result = selectors.verify(membership=world["coordinator"], data=final)
    assert result.version == version and result.effective and result.seal_status.ok
    changed = final.replace(b"Ethias", b"Ethiaz", 1) if b"Ethias" in final else final + b"x"
    not_ours = client.post(url, {"file": SimpleUploadedFile("a.pdf", changed)}).content.decode()
    assert "Zoë Vandenbroucke" not in not_ours
    # Institution B's coordinator does not learn that the file is A's.
    client_b = login(personas("b", "coordinator"))
    assert "Zoë" not in client_b.post(url, {"file": SimpleUploadedFile("a.pdf", final)}).content.decode()


# --- isolation ---------------------------------------------------------------------------
def test_other_institutions_agreement_answers_404(world, personas):
    agreement = draft(world)
    for role in ("coordinator", "institution_admin", "student", "mentor", "supervisor"):
        client = login(personas("b", role))
        assert client.get(reverse("agreement-detail", args=[agreement.pk])).status_code == 404
        assert client.get(reverse("agreement-version-pdf", args=[agreement.pk, 1])).status_code == 404
    # Another student of A does not see it either.
    other = MembershipFactory(institution=personas.a, role=Role.STUDENT)
    assert login(other).get(reverse("agreement-detail", args=[agreement.pk])).status_code == 404


# --- the seal certificate ----------------------------------------------------------------
def test_certificate_upload_is_checked_and_stored_encrypted(world):
    client = login(world["admin"])
    url = reverse("agreement-seal")
    p12 = seal.generate_demo_pkcs12("Hogeschool Alpha", "geheim")
    wrong = client.post(url, {"file": SimpleUploadedFile("c.p12", p12), "password": "fout"})
    assert wrong.status_code == 200 and not SealCertificate.objects.exists()
    ok = client.post(url, {"file": SimpleUploadedFile("c.p12", p12), "password": "geheim"})
    assert ok.status_code == 302
    cert = SealCertificate.objects.get()
    assert bytes(cert.p12_encrypted) != p12 and p12 not in bytes(cert.p12_encrypted)
    assert seal.decrypt(cert.institution_id, cert.p12_encrypted) == p12
    page = client.get(url).content.decode()
    assert cert.fingerprint_sha256 in page and "geheim" not in page
    assert login(world["coordinator"]).get(url).status_code == 403


# --- batch export ------------------------------------------------------------------------
def test_batch_zip_lists_failures_and_never_includes_another_institution(
    world, personas, django_capture_on_commit_callbacks
):
    agreement = draft(world)
    services.send_for_signature(actor=world["coordinator"], version=agreement.current)
    sign_all(agreement, world)
    without = placement_for_agreement(personas.a, marker="Zonder")
    with tenant_context(personas.b):
        foreign = placement_for_agreement(personas.b, marker="Vreemd")
    client = login(world["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("agreement-batch-list"),
            {"kind": "agreement", "placements": [world["placement"].pk, without.pk]},
        )
    batch = BatchExport.objects.get()
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchExport.Status.DONE and batch.done == 2
    assert [f["placement"] for f in batch.failures] == [without.pk]
    progress = client.get(
        reverse("agreement-batch-detail", args=[batch.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "VandenbrouckeZonder" in progress
    data = client.get(reverse("agreement-batch-download", args=[batch.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(data.streaming_content)))
    names = archive.namelist()
    assert len(names) == 1 and "vandenbroucke" in names[0]
    # A foreign id cannot be smuggled in (refused by the form), nor by calling the service.
    with django_capture_on_commit_callbacks(execute=True):
        b2 = services.start_batch(
            actor=world["coordinator"], placement_ids=[foreign.pk, world["placement"].pk]
        )
    assert b2.placement_ids == [world["placement"].pk]
    b2.refresh_from_db()
    for name in zipfile.ZipFile(storage.default_storage.open(b2.file_name)).namelist():
        assert "vreemd" not in name


def test_a_signing_provider_plugs_in_through_send_status_fetch(world):
    from agreements import providers

    agreement = draft(world)
    signed_pdf = documents.version_pdf(agreement.current) + b"% signed by the provider"

    class FakeService:
        name = "fake-sign"

        def __init__(self):
            self.state = "pending"

        def send(self, version):
            return f"ref-{version.pk}"

        def status(self, reference):
            return self.state

        def fetch(self, reference):
            return signed_pdf

    service = FakeService()
    providers.register(service)
    reference = providers.get("fake-sign").send(agreement.current)
    assert not providers.collect(
        actor=world["coordinator"], version=agreement.current, provider=service, reference=reference
    )
    service.state = "signed"
    assert providers.collect(
        actor=world["coordinator"], version=agreement.current, provider=service, reference=reference
    )
    version = agreement.versions.get()
    assert version.state == State.FINAL and version.outside_note == "fake-sign"
    assert storage.read(version.final_file) == signed_pdf


def test_the_workplace_contact_may_sign_for_the_workplace_of_their_own_organisation(world, personas):
    placement = world["placement"]
    contact = personas("a", "org_admin")
    placement.organisation.contact_user = contact.user
    placement.organisation.save(update_fields=["contact_user"])
    agreement = draft(world)
    version = services.send_for_signature(actor=world["coordinator"], version=agreement.current)
    assert services.signature_for(version, contact).party == "workplace"
    client = login(contact)
    page = client.get(reverse("agreement-sign", args=[agreement.pk]))
    assert version.pdf_sha256 in page.content.decode()
    # Another organisation's contact does not even see the agreement.
    with tenant_context(personas.a):
        stranger = MembershipFactory(institution=personas.a, role=Role.ORG_ADMIN)
    assert login(stranger).get(reverse("agreement-sign", args=[agreement.pk])).status_code == 404
