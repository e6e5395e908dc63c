"""Pages of the platform core: start page per role, switcher, people."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wpl import permissions, selectors, services
from wpl.forms import add_service_errors
from wpl.ids import MAX_ID
from wpl.start_pages import start_page_context


def membership_required(view):
    """The view needs a signed-in person with a role in an institution."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if request.membership is None:
            return render(request, "wpl/no_institution.html", status=403)
        # Every id in a page's path is checked here, once: one out of the database's range
        # is no object of ours (404), never an overflow in the query (500).
        if any(isinstance(v, int) and not 1 <= v <= MAX_ID for v in kwargs.values()):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def permission_required(predicate: permissions.Predicate, *, methods: Sequence[str] | None = None):
    """The one page guard: `membership_required` plus a role-level predicate (403 otherwise).

    `predicate(membership) -> bool` comes from an app's `permissions.py`. With `methods`, a
    request with another HTTP method answers 405 before the predicate is asked (as
    `require_http_methods` outside the check would). Object-level checks stay in the view
    as scoped lookups (`visible_to(...)`: another institution's object is 404) or object
    predicates such as `can_review(membership, placement)`.
    """

    def decorator(view):
        def checked(request, *args, **kwargs):
            if not predicate(request.membership):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        checked.__name__ = view.__name__
        checked.__doc__ = view.__doc__
        inner = require_http_methods(list(methods))(checked) if methods else checked
        wrapped = membership_required(inner)
        wrapped.predicate = predicate  # lets tests ask which predicate guards a page
        return wrapped

    return decorator


def form_page(
    request,
    *,
    form,
    save: Callable[[], object],
    template: str,
    title: str,
    back_url: str,
    success_url: Callable[[object], str] | None = None,
    intro: str = "",
    extra: dict | None = None,
    invalid_status: int = 200,
):
    """The one create/edit page: GET shows the form; a valid POST calls `save()` (a service)
    and redirects to `success_url(obj)` (else `back_url`) with "Saved."; a refused or invalid
    POST re-renders what was typed with the errors (`add_service_errors`)."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(success_url(obj) if success_url else back_url)
    context = {"form": form, "title": title, "back_url": back_url, "intro": intro, **(extra or {})}
    status = invalid_status if request.method == "POST" else 200
    return render(request, template, context, status=status)


def confirm_page(
    request, *, act: Callable[[], object], template: str, context: dict, done: str, next_url: str
):
    """The one "are you sure?" page: GET shows `template`; POST calls `act()` (a service) and
    redirects to `next_url` with the message `done`, or shows the service's refusal as `error`."""
    error = None
    if request.method == "POST":
        try:
            act()
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, done)
            return redirect(next_url)
    return render(request, template, {**context, "error": error})


@membership_required
def home(request):
    """Start page: what this role needs to do next."""
    context = start_page_context(request.membership)
    return render(request, f"wpl/home_{request.membership.role}.html", context)


@login_required
@require_POST
def switch_membership(request):
    """Switch the active institution / role; refuses anything the person does not hold."""
    raw = request.POST.get("membership", "").strip()
    try:
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:  # only a database id
            raise services.SwitchRefused
        membership = services.switch_membership(
            session=request.session, user=request.user, membership_id=int(raw)
        )
    except services.SwitchRefused:
        # The active membership stays as it was; the page says why.
        return render(request, "wpl/switch_refused.html", status=400)
    messages.success(
        request,
        _("You now work as %(role)s at %(institution)s.")
        % {"role": membership.get_role_display(), "institution": membership.institution.name},
    )
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return redirect(target)


@permission_required(permissions.can_view_people)
def people_list(request):
    people = selectors.people(membership=request.membership)
    return render(request, "wpl/people_list.html", {"people": people})


@membership_required
def person_detail(request, pk: int):
    membership = get_object_or_404(selectors.people(membership=request.membership), pk=pk)
    return render(request, "wpl/person_detail.html", {"person": membership})


def health(request):
    """Liveness and database check for the load balancer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@permission_required(permissions.is_institution_admin)
def institution_settings(request):
    """The institution admin sets the institution's name, logo and accent colour."""
    from wpl.forms import InstitutionSettingsForm

    institution = request.institution
    if request.method == "POST":
        form = InstitutionSettingsForm(request.POST, request.FILES)
        if form.is_valid():
            services.update_institution_branding(
                actor=request.membership,
                name=form.cleaned_data["name"],
                accent_colour=form.cleaned_data["accent_colour"],
                logo=form.cleaned_data["logo"] or None,
                remove_logo=form.cleaned_data["remove_logo"],
            )
            messages.success(request, _("The institution's settings are saved."))
            return redirect("institution-settings")
    else:
        form = InstitutionSettingsForm(
            initial={"name": institution.name, "accent_colour": institution.accent["accent"]}
        )
    heartbeat = selectors.heartbeat(f"institution:{institution.pk}")
    context = {"form": form, "institution_heartbeat": heartbeat}
    return render(request, "wpl/institution_settings.html", context)


@membership_required
def institution_logo(request):
    """The active institution's logo (404 when it has none), served through storage."""
    from django.http import FileResponse, Http404

    from wpl.branding import validate_logo

    logo = request.institution.logo
    if not logo:
        raise Http404
    try:
        handle = logo.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    try:
        content_type = validate_logo(handle)  # stored files were checked; the type comes from content
    except Exception:
        handle.close()
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    return response


@membership_required
def notification_list(request):
    """The person's notification centre: newest first, unread marked; POST marks read."""
    from wpl import notifications
    from wpl.models import Notification

    if request.method == "POST":
        raw = request.POST.get("notification", "")
        ids = [int(raw)] if raw.isascii() and raw.isdigit() and len(raw) < 18 else None
        notifications.mark_read(recipient=request.user, notification_ids=ids)
        return redirect("notification-list")
    items = Notification.objects.visible_to(request.membership).only(
        "subject", "body", "url", "created_at", "read_at"
    )[:100]
    return render(request, "wpl/notification_list.html", {"notifications": items})


@membership_required
def notification_settings(request):
    """My notification settings: every e-mail at once, or a daily / weekly digest."""
    from django import forms

    from wpl import notifications
    from wpl.models import User

    class DigestForm(forms.Form):
        notification_digest = forms.ChoiceField(
            label=_("E-mail notifications"),
            choices=User._meta.get_field("notification_digest").choices,
            widget=forms.RadioSelect,
        )

    form = DigestForm(request.POST or None, initial={"notification_digest": request.user.notification_digest})
    if request.method == "POST" and form.is_valid():
        notifications.set_digest(user=request.user, frequency=form.cleaned_data["notification_digest"])
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notification-settings")
    status = 400 if form.errors else 200
    return render(request, "wpl/notification_settings.html", {"form": form}, status=status)
