"""Pages for getting everyone in: inviting students in bulk and the institution's single sign-on."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_domain_name
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from access import student_access
from students.models import Student
from students.selectors import not_signed_in
from wpl import permissions
from wpl.models import SingleSignOn
from wpl.views import membership_required


# --- students: bulk invitation ------------------------------------------------------------
@membership_required
@require_http_methods(["GET", "POST"])
def student_invite(request):
    """GET: how many students have not signed in, and a button. POST: invite them, or a selection.

    POST with `student` ids invites that selection (checkboxes on the students list);
    POST with `all=1` invites every student of the institution who has not signed in yet.
    """
    membership = request.membership
    if not permissions.is_staff(membership):
        raise PermissionDenied
    waiting = not_signed_in(Student.objects.visible_to(membership))
    if request.method == "POST":
        raw = request.POST.getlist("student")
        if request.POST.get("all") == "1":
            ids = list(waiting.values_list("pk", flat=True)[: student_access.MAX_BATCH])
        else:
            ids = [value for value in raw if value.isascii() and value.isdigit() and len(value) < 19]
        if not ids:
            messages.error(request, _("Choose at least one student to invite."))
            return redirect(_list_url())
        result = student_access.invite_students(
            actor=membership, student_ids=ids, base_url=request.build_absolute_uri("/")
        )
        if result.sent:
            count = len(result.sent)
            messages.success(
                request,
                ngettext(
                    "An invitation was e-mailed to %(count)s student.",
                    "Invitations were e-mailed to %(count)s students.",
                    count,
                )
                % {"count": count},
            )
        if result.skipped_signed_in:
            count = result.skipped_signed_in
            messages.info(
                request,
                ngettext(
                    "%(count)s student has already signed in and was not invited again.",
                    "%(count)s students have already signed in and were not invited again.",
                    count,
                )
                % {"count": count},
            )
        if not result.sent and not result.skipped_signed_in:
            messages.error(request, _("Choose at least one student to invite."))
        return redirect(_list_url())
    return render(request, "access/student_invite.html", {"waiting_count": waiting.count()})


def _list_url() -> str:
    return reverse("student-list") + "?signed_in=no"


# --- single sign-on (institution admin) -------------------------------------------------
class SingleSignOnForm(forms.ModelForm):
    """The institution's OpenID Connect provider; the secret is never shown again."""

    client_secret = forms.CharField(
        label=gettext_lazy("client secret"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Leave empty to keep the secret that is stored."),
    )

    issuer = forms.URLField(
        label=gettext_lazy("issuer URL"),
        max_length=300,
        assume_scheme="https",
        help_text=SingleSignOn._meta.get_field("issuer").help_text,
    )

    class Meta:
        model = SingleSignOn
        fields = [
            "name",
            "issuer",
            "client_id",
            "client_secret",
            "email_domains",
            "allow_new_accounts",
            "is_active",
        ]

    def clean_client_secret(self) -> str:
        secret = self.cleaned_data.get("client_secret", "")
        if not secret:
            if self.instance.pk and self.instance.client_secret:
                return self.instance.client_secret
            raise ValidationError(_("Enter the client secret."))
        return secret

    def clean_email_domains(self) -> str:
        domains = []
        for raw in self.cleaned_data.get("email_domains", "").split(","):
            domain = raw.strip().lower().lstrip("@")
            if not domain:
                continue
            try:
                validate_domain_name(domain)
            except ValidationError:
                raise ValidationError(
                    _("“%(domain)s” is not an e-mail domain.") % {"domain": raw.strip()}
                ) from None
            if "." not in domain:
                raise ValidationError(_("“%(domain)s” is not an e-mail domain.") % {"domain": raw.strip()})
            domains.append(domain)
        if not domains:
            raise ValidationError(_("Name at least one e-mail domain."))
        # One domain, one institution: otherwise two providers could speak for one address.
        taken = SingleSignOn.all_tenants.exclude(institution_id=self.instance.institution_id)
        for other in taken:
            clash = sorted(set(domains) & set(other.domain_list()))
            if clash:
                raise ValidationError(
                    _("Another institution's single sign-on already covers %(domain)s.")
                    % {"domain": clash[0]}
                )
        return ", ".join(dict.fromkeys(domains))


@membership_required
@require_http_methods(["GET", "POST"])
def sso_settings(request):
    """The institution admin sets up single sign-on with the institution's identity provider."""
    membership = request.membership
    if not permissions.is_institution_admin(membership):
        raise PermissionDenied
    instance = SingleSignOn.objects.visible_to(membership).first() or SingleSignOn(
        institution=membership.institution
    )
    form = SingleSignOnForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("Single sign-on was saved."))
        return redirect("sso-settings")
    callback = request.build_absolute_uri(
        reverse("openid_connect_callback", kwargs={"provider_id": f"sso-{membership.institution.slug}"})
    )
    return render(
        request,
        "access/sso_settings.html",
        {"form": form, "config": instance, "callback_url": callback},
        status=400 if request.method == "POST" else 200,
    )
