"""Pages for getting everyone in: inviting students in bulk and the institution's single sign-on."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from access import services
from access.forms import SingleSignOnForm
from students.models import Student
from students.selectors import not_signed_in
from wpl import permissions
from wpl.models import SingleSignOn
from wpl.views import permission_required


# --- students: bulk invitation ------------------------------------------------------------
@permission_required(permissions.is_staff, methods=["GET", "POST"])
def student_invite(request):
    """GET: how many students have not signed in, and a button. POST: invite them, or a selection.

    POST with `student` ids invites that selection (checkboxes on the students list);
    POST with `all=1` invites every student of the institution who has not signed in yet.
    """
    membership = request.membership
    waiting = not_signed_in(Student.objects.visible_to(membership))
    if request.method == "POST":
        raw = request.POST.getlist("student")
        if request.POST.get("all") == "1":
            ids = list(waiting.values_list("pk", flat=True)[: services.MAX_BATCH])
        else:
            ids = [value for value in raw if value.isascii() and value.isdigit() and len(value) < 19]
        if not ids:
            messages.error(request, _("Choose at least one student to invite."))
            return redirect(_list_url())
        result = services.invite_students(
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
@permission_required(permissions.is_institution_admin, methods=["GET", "POST"])
def sso_settings(request):
    """The institution admin sets up single sign-on with the institution's identity provider."""
    membership = request.membership
    instance = SingleSignOn.objects.visible_to(membership).first() or SingleSignOn(
        institution=membership.institution
    )
    form = SingleSignOnForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.save_single_sign_on(actor=membership, config=form.instance, data=form.cleaned_data)
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
