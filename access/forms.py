"""Forms of the access area: the institution's single sign-on settings."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_domain_name
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wpl.models import SingleSignOn


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
