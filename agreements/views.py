"""Pages of agreements and work-learning plans (thin: services and selectors do the work).

Every object is fetched through `visible_to`, so another institution's (or another
student's) agreement answers 404. Stored files are streamed only from here.
"""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from agreements import documents, permissions, rendering, selectors, services, storage
from agreements.fields import FIELDS
from agreements.forms import (
    AgreementFieldsForm,
    AmendForm,
    BatchForm,
    CertificateForm,
    OpenForm,
    OutsideForm,
    PlanRowFormSet,
    SignForm,
    TemplateChoiceForm,
    TemplateForm,
    VerifyForm,
)
from agreements.models import Agreement, BatchExport, DocumentTemplate, Kind, SealCertificate, State
from catalogue.models import Programme
from placements.models import Placement
from wpl import tenancy
from wpl.views import confirm_page, membership_required, permission_required

MAX_UPLOAD = services.MAX_UPLOAD_BYTES


def _errors(error: ValidationError) -> list[str]:
    return list(error.messages)


def _agreement(request, pk: int) -> Agreement:
    return get_object_or_404(
        Agreement.objects.visible_to(request.membership).select_related(
            "placement__student", "placement__organisation", "placement__programme", "placement__mentor"
        ),
        pk=pk,
    )


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def auth_method(request) -> str:
    """How the signer signed in, in words for the acceptance log."""
    methods = request.session.get("account_authentication_methods") or []
    names = [m.get("method", "") for m in methods if isinstance(m, dict)]
    labels = {"password": "password", "code": "e-mailed sign-in code (password-free)", "mfa": "TOTP"}
    if names:
        return " + ".join(labels.get(n, n) for n in dict.fromkeys(names))
    if request.session.get("_auth_user_backend", "").endswith("ModelBackend"):
        return "one-time invitation link (password-free)"
    return "session"


# --- lists and detail -----------------------------------------------------------------------
@membership_required
def agreement_list(request):
    """Staff: every visible placement with its agreement and plan, to open or batch-export.
    Others: their own placements' documents and what waits for their acceptance."""
    membership = request.membership
    staff = permissions.can_manage_agreements(membership)
    programme_id = request.GET.get("programme", "")
    academic_year = request.GET.get("academic_year", "").strip()[:9]
    placements = selectors.placements_with_agreements(
        membership=membership,
        programme_id=int(programme_id) if programme_id.isdigit() else None,
        academic_year=academic_year,
    )
    rows = []
    for p in placements:
        docs = {a.kind: (a, selectors.agreement_summary(a)) for a in p.agreements.all()}
        rows.append({"placement": p, "agreement": docs.get(Kind.AGREEMENT), "plan": docs.get(Kind.PLAN)})
    return render(
        request,
        "agreements/agreement_list.html",
        {
            "rows": rows,
            "staff": staff,
            "to_sign": selectors.to_sign(membership),
            "programmes": Programme.objects.visible_to(membership).order_by("name") if staff else [],
            "programme_id": programme_id,
            "academic_year": academic_year,
        },
    )


@permission_required(permissions.can_manage_agreements)
def agreement_open(request, pk: int, kind: str):
    """Draw up the agreement or plan of a placement (GET asks for the language)."""
    placement = get_object_or_404(Placement.objects.visible_to(request.membership), pk=pk)
    if kind not in (Kind.AGREEMENT, Kind.PLAN):
        raise Http404
    form = OpenForm(request.POST or None, initial={"language": "nl"})
    if request.method == "POST" and form.is_valid():
        agreement = services.get_or_create_agreement(
            actor=request.membership, placement=placement, kind=kind, language=form.cleaned_data["language"]
        )
        return redirect("agreement-detail", agreement.pk)
    existing = Agreement.objects.filter(placement=placement, kind=kind).first()
    if existing is not None:
        return redirect("agreement-detail", existing.pk)
    return render(request, "agreements/open.html", {"placement": placement, "kind": Kind(kind), "form": form})


@membership_required
def agreement_detail(request, pk: int):
    agreement = _agreement(request, pk)
    membership = request.membership
    versions = list(agreement.versions.prefetch_related("signatures", "acceptances", "integrity_issues"))
    current = versions[0] if versions else None
    effective = next((v for v in versions if v.state == State.FINAL), None)
    can_sign = (
        current is not None
        and current.state == State.SENT
        and services.signature_for(current, membership) is not None
    )
    return render(
        request,
        "agreements/agreement_detail.html",
        {
            "agreement": agreement,
            "versions": versions,
            "current": current,
            "effective": effective,
            "staff": permissions.can_manage_agreements(membership),
            "can_sign": can_sign,
            "extra_kinds": [Kind.ANNEX, Kind.ATTENDANCE] if agreement.kind == Kind.AGREEMENT else [],
        },
    )


@permission_required(permissions.can_manage_agreements)
def agreement_edit(request, pk: int):
    """Edit the draft's fields (and the plan's rows); a failed save keeps what was typed."""
    agreement = _agreement(request, pk)
    version = agreement.current
    if version is None or version.state != State.DRAFT:
        messages.error(request, _("Only a draft can be edited; amend a signed version instead."))
        return redirect("agreement-detail", agreement.pk)
    is_plan = agreement.kind == Kind.PLAN
    initial = dict(version.fields)
    form = AgreementFieldsForm(request.POST or None, initial=initial)
    formset = (
        PlanRowFormSet(request.POST or None, initial=version.fields.get("plan_rows", []), prefix="rows")
        if is_plan
        else None
    )
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        rows = [f.cleaned_data for f in formset.forms if f.cleaned_data] if formset is not None else None
        try:
            services.update_draft(
                actor=request.membership, version=version, fields=form.values(), plan_rows=rows
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("agreement-detail", agreement.pk)
    return render(
        request,
        "agreements/agreement_edit.html",
        {"agreement": agreement, "version": version, "form": form, "formset": formset},
    )


@permission_required(permissions.can_manage_agreements)
def agreement_send(request, pk: int):
    agreement = _agreement(request, pk)
    version = agreement.current
    return confirm_page(
        request,
        act=lambda: services.send_for_signature(actor=request.membership, version=version),
        template="agreements/confirm_send.html",
        context={"agreement": agreement, "version": version},
        done=_("Sent for signature."),
        next_url=reverse("agreement-detail", args=[agreement.pk]),
    )


@membership_required
def version_document(request, pk: int, number: int):
    """The document of a version: the frozen PDF once sent, a live draft rendering before."""
    agreement = _agreement(request, pk)
    version = get_object_or_404(agreement.versions, number=number)
    if version.pdf_file:
        data = storage.read(version.pdf_file)
    else:
        try:
            data = documents.version_pdf(version)
        except rendering.TemplateProblem as exc:
            return render(
                request,
                "agreements/template_problem.html",
                {"agreement": agreement, "problem": str(exc)},
                status=422,
            )
    return _pdf_response(data, f"{agreement.kind}-{agreement.pk}-v{number}.pdf")


@membership_required
def version_final(request, pk: int, number: int):
    """The file in force: sealed PDF with evidence page, or the uploaded outside-signed file."""
    agreement = _agreement(request, pk)
    version = get_object_or_404(agreement.versions, number=number)
    if not version.final_file:
        raise Http404
    return _pdf_response(
        storage.read(version.final_file), f"{agreement.kind}-{agreement.pk}-v{number}-final.pdf"
    )


@membership_required
def agreement_extra(request, pk: int, kind: str):
    """The annex or the attendance certificate of the effective (else current) version."""
    agreement = _agreement(request, pk)
    if agreement.kind != Kind.AGREEMENT or kind not in (Kind.ANNEX, Kind.ATTENDANCE):
        raise Http404
    version = agreement.effective or agreement.current
    try:
        data = documents.version_pdf(version, kind=kind)
    except rendering.TemplateProblem as exc:
        return render(
            request,
            "agreements/template_problem.html",
            {"agreement": agreement, "problem": str(exc)},
            status=422,
        )
    return _pdf_response(data, f"{kind}-{agreement.pk}.pdf")


@never_cache
@membership_required
def agreement_sign(request, pk: int):
    """The signer sees the exact PDF and its SHA-256, ticks the consent, and accepts."""
    agreement = _agreement(request, pk)
    version = agreement.current
    signature = (
        services.signature_for(version, request.membership)
        if version and version.state == State.SENT
        else None
    )
    form = SignForm(request.POST or None, initial={"sha256": version.pdf_sha256 if version else ""})
    if request.method == "POST" and signature is not None and form.is_valid():
        try:
            services.accept(
                actor=request.membership,
                version=version,
                document_sha256=form.cleaned_data["sha256"],
                consented=form.cleaned_data["consent"],
                auth_method=auth_method(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Thank you: your acceptance is recorded."))
            return redirect("agreement-detail", agreement.pk)
    return render(
        request,
        "agreements/sign.html",
        {
            "agreement": agreement,
            "version": version,
            "signature": signature,
            "form": form,
            "consent_text": services.consent_text(agreement.language),
        },
    )


def _by_link(token: str):
    """(institution id, signature) a representative's link names, or None when it is unusable."""
    try:
        data = services.read_representative_token(token)
    except signing.BadSignature:
        return None
    return int(data["i"]), data


@never_cache
def agreement_sign_link(request, token: str):
    """The minor's legal representative reads and accepts, through the e-mailed link.

    No account and no password: the signed, expiring link names one signature and the
    exact PDF (its hash). The page shows that PDF and its SHA-256, asks for an explicit
    consent, and records the acceptance as in the platform.
    """
    found = _by_link(token)
    if found is None:
        return render(request, "agreements/sign_link_invalid.html", status=404)
    institution_id, data = found
    with tenancy.tenant_context(institution_id):
        signature = services.representative_signature(data)
        if signature is None:
            return render(request, "agreements/sign_link_invalid.html", status=404)
        version = signature.version
        form = SignForm(request.POST or None, initial={"sha256": version.pdf_sha256})
        status = 200
        if request.method == "POST":
            if form.is_valid():
                try:
                    services.accept_by_link(
                        actor=None,
                        signature=signature,
                        document_sha256=form.cleaned_data["sha256"],
                        consented=form.cleaned_data["consent"],
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    signature.refresh_from_db()
                    version.refresh_from_db()
            status = 400 if form.errors else 200
        return render(
            request,
            "agreements/sign_link.html",
            {
                "signature": signature,
                "version": version,
                "agreement": version.agreement,
                "may_sign": services.representative_may_sign(signature),
                "form": form,
                "token": token,
                "consent_text": services.consent_text(version.agreement.language),
            },
            status=status,
        )


@never_cache
def agreement_sign_link_pdf(request, token: str):
    """The PDF the link is about: the document to accept, or the final one once sealed."""
    found = _by_link(token)
    if found is None:
        raise Http404
    institution_id, data = found
    with tenancy.tenant_context(institution_id):
        signature = services.representative_signature(data)
        if signature is None:
            raise Http404
        version = signature.version
        name = version.final_file if version.final_file else version.pdf_file
        if not name or not storage.exists(name):
            raise Http404
        return _pdf_response(storage.read(name), f"{version.agreement.kind}-v{version.number}.pdf")


@permission_required(permissions.can_manage_agreements)
def agreement_amend(request, pk: int):
    agreement = _agreement(request, pk)
    form = AmendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.amend(actor=request.membership, agreement=agreement, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("agreement-edit", agreement.pk)
    return render(request, "agreements/amend.html", {"agreement": agreement, "form": form})


@permission_required(permissions.can_manage_agreements)
def agreement_outside(request, pk: int):
    """Upload a version signed on paper or with a qualified signature (stored unchanged)."""
    agreement = _agreement(request, pk)
    version = agreement.current
    form = OutsideForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            form.add_error("file", _("The file is too large."))
        else:
            try:
                services.record_outside(
                    actor=request.membership,
                    version=version,
                    data=upload.read(),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Recorded as signed outside the platform."))
                return redirect("agreement-detail", agreement.pk)
    return render(
        request, "agreements/outside.html", {"agreement": agreement, "version": version, "form": form}
    )


@membership_required
def verify(request):
    """Upload a PDF: which agreement and version it is (among those you may see), or not ours."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            form.add_error("file", _("The file is too large."))
        else:
            result = selectors.verify(membership=request.membership, data=upload.read())
    return render(request, "agreements/verify.html", {"form": form, "result": result})


# --- templates and the seal ------------------------------------------------------------------
@permission_required(permissions.can_manage_templates)
def template_list(request):
    templates = DocumentTemplate.objects.select_related("programme").order_by(
        "programme__name", "kind", "language", "-version"
    )
    return render(
        request,
        "agreements/template_list.html",
        {
            "templates": templates,
            "choose": TemplateChoiceForm(),
            "programmes": Programme.objects.visible_to(request.membership).order_by("name"),
        },
    )


@permission_required(permissions.can_manage_templates)
def template_edit(request):
    """Edit (as a new version) the template for ?programme=&kind=&language=; reports problems."""
    choice = TemplateChoiceForm(request.GET)
    if not choice.is_valid():
        return redirect("agreement-template-list")
    kind, language = choice.cleaned_data["kind"], choice.cleaned_data["language"]
    programme = None
    if choice.cleaned_data.get("programme"):
        programme = get_object_or_404(
            Programme.objects.visible_to(request.membership), pk=choice.cleaned_data["programme"]
        )
    source = documents.template_for(
        programme_id=programme.pk if programme else None, kind=kind, language=language
    )
    if source.template is not None and source.template.programme_id != (programme.pk if programme else None):
        source = documents.Source(source.template.body, None)  # start from the institution default
    form = TemplateForm(
        request.POST or None,
        initial={
            "title": source.template.title if source.template else Kind(kind).label,
            "body": source.body,
        },
    )
    saved, problems = None, []
    if request.method == "POST" and form.is_valid():
        try:
            saved, problems = services.save_template(
                actor=request.membership,
                programme=programme,
                kind=kind,
                language=language,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            form.add_error("body", exc)
        else:
            if problems:
                messages.warning(
                    request, _("Saved as version %(n)s, with problems to fix.") % {"n": saved.version}
                )
            else:
                messages.success(request, _("Saved as version %(n)s.") % {"n": saved.version})
    history = DocumentTemplate.objects.filter(programme=programme, kind=kind, language=language).order_by(
        "-version"
    )
    return render(
        request,
        "agreements/template_edit.html",
        {
            "form": form,
            "kind": Kind(kind),
            "language": language,
            "programme": programme,
            "fields": FIELDS.items(),
            "problems": problems,
            "saved": saved,
            "history": history,
        },
    )


@permission_required(permissions.can_manage_templates)
def template_preview(request, pk: int):
    """A stored template version rendered with sample data; a template error is explained."""
    template = get_object_or_404(DocumentTemplate.objects.visible_to(request.membership), pk=pk)
    try:
        data = documents.preview_pdf(body=template.body, language=template.language)
    except rendering.TemplateProblem as exc:
        return render(
            request,
            "agreements/template_problem.html",
            {"problem": str(exc), "template": template},
            status=422,
        )
    return _pdf_response(data, f"preview-{template.pk}.pdf")


@permission_required(permissions.can_manage_seal)
def seal_settings(request):
    """The institution admin uploads the sealing certificate; it is never shown or served."""
    form = CertificateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.upload_certificate(
                actor=request.membership,
                data=upload.read(1024 * 1024 + 1),
                password=form.cleaned_data["password"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The new certificate seals from now on."))
            return redirect("agreement-seal")
    certificate = (
        SealCertificate.objects.filter(is_active=True)
        .only("subject", "fingerprint_sha256", "valid_until", "is_demo", "uploaded_at")
        .first()
    )
    return render(request, "agreements/seal.html", {"form": form, "certificate": certificate})


# --- batch export ------------------------------------------------------------------------------
@permission_required(permissions.can_manage_agreements)
def batch_list(request):
    """GET: your batches. POST (from the agreement list): start a batch of the selected ones."""
    if request.method == "POST":
        ids = Placement.objects.visible_to(request.membership).values_list("pk", flat=True)
        form = BatchForm(request.POST, placement_choices=[(pk, pk) for pk in ids])
        if form.is_valid():
            batch = services.start_batch(
                actor=request.membership,
                placement_ids=form.cleaned_data["placements"],
                kind=form.cleaned_data["kind"],
            )
            return redirect("agreement-batch-detail", batch.pk)
        messages.error(request, _("Select at least one placement."))
        return redirect("agreement-list")
    batches = BatchExport.objects.visible_to(request.membership)[:20]
    return render(request, "agreements/batch_list.html", {"batches": batches})


@permission_required(permissions.can_manage_agreements)
def batch_detail(request, pk: int):
    batch = get_object_or_404(BatchExport.objects.visible_to(request.membership), pk=pk)
    template = (
        "agreements/_batch_progress.html"
        if request.headers.get("HX-Request")
        else "agreements/batch_detail.html"
    )
    return render(request, template, {"batch": batch})


@permission_required(permissions.can_manage_agreements)
def batch_download(request, pk: int):
    batch = get_object_or_404(BatchExport.objects.visible_to(request.membership), pk=pk)
    if batch.status != BatchExport.Status.DONE or not batch.file_name:
        raise Http404
    from django.core.files.storage import default_storage

    response = FileResponse(default_storage.open(batch.file_name, "rb"), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="batch-{batch.pk}.zip"'
    return response
