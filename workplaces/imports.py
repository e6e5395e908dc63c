"""The workplace import: columns, row validation and writing (see wpl.importers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workplaces.models import Organisation, Region, Site
from wpl import importers
from wpl.importers import (
    CHUNK,
    Column,
    ImportResult,
    ImportSpec,
    _check_email,
    _check_length,
    _choice_lookup,
    _chunks,
)
from wpl.tenancy import require_institution_id
from wpl.validators import normalise_enterprise_number

_REGION_WORDS = {
    "brussel": Region.BRUSSELS,
    "brussels": Region.BRUSSELS,
    "bruxelles": Region.BRUSSELS,
    "brussels hoofdstedelijk gewest": Region.BRUSSELS,
    "vlaanderen": Region.FLANDERS,
    "vlaams gewest": Region.FLANDERS,
    "flanders": Region.FLANDERS,
    "flandre": Region.FLANDERS,
    "wallonie": Region.WALLONIA,
    "wallonië": Region.WALLONIA,
    "waals gewest": Region.WALLONIA,
    "wallonia": Region.WALLONIA,
    "nederland": Region.NETHERLANDS,
    "pays-bas": Region.NETHERLANDS,
}


_ORG_TEXT_FIELDS = (
    ("sector", 120),
    ("contact_name", 150),
)


_SITE_FIELDS = ("street", "postcode", "municipality", "region")


def _digits(enterprise_number: str) -> str:
    return "".join(ch for ch in enterprise_number or "" if ch.isdigit())


def workplace_key(name: str, enterprise_number: str) -> tuple[str, str]:
    """The upsert key of a workplace: its name (any case) and enterprise number (any format)."""
    return name.strip().casefold(), _digits(enterprise_number)


@dataclass
class _WorkplaceContext:
    regions: dict[str, str]
    name_by_number: dict[str, str]  # enterprise digits -> name of the existing organisation


class WorkplaceImport(ImportSpec):
    kind = "workplaces"
    title = gettext_lazy("workplaces")
    columns = (
        Column(
            "name",
            gettext_lazy("Organisation"),
            True,
            ("naam", "organisatie", "werkplek", "organisation name"),
        ),
        Column(
            "enterprise_number",
            gettext_lazy("Enterprise number"),
            False,
            ("ondernemingsnummer", "kbo", "kbo-nummer", "kbo nummer", "numéro d'entreprise", "bce"),
        ),
        Column("sector", gettext_lazy("Sector"), False, ("secteur",)),
        Column(
            "street", gettext_lazy("Street and number"), False, ("straat", "adres", "straat en nummer", "rue")
        ),
        Column("postcode", gettext_lazy("Postcode"), False, ("zip", "code postal")),
        Column(
            "municipality",
            gettext_lazy("Municipality"),
            True,
            ("gemeente", "plaats", "stad", "commune", "city"),
        ),
        Column("region", gettext_lazy("Region"), True, ("regio", "gewest", "région")),
        Column("contact_name", gettext_lazy("Contact person"), False, ("contactpersoon", "contact")),
        Column(
            "contact_email",
            gettext_lazy("Contact e-mail"),
            False,
            ("e-mail contactpersoon", "contact email", "e-mail", "email"),
        ),
    )
    unique_keys = {
        "workplace": ("name", lambda c: workplace_key(c["name"], c.get("enterprise_number", ""))),
        "enterprise_number": ("enterprise_number", lambda c: _digits(c["enterprise_number"]) or None),
    }

    def prepare(self, raw_rows: list[dict[str, str]]) -> _WorkplaceContext:
        name_by_number = {
            _digits(number): name
            for name, number in Organisation.objects.exclude(enterprise_number="").values_list(
                "name", "enterprise_number"
            )
        }
        return _WorkplaceContext(_choice_lookup(Region.choices, _REGION_WORDS), name_by_number)

    def clean_row(self, raw: dict[str, str], context: _WorkplaceContext) -> tuple[dict, dict]:
        cleaned: dict[str, Any] = {}
        errors: dict[str, str] = {}
        name = raw.get("name", "").strip()
        if name:
            _check_length(errors, "name", name, 200)
            if "name" not in errors:
                cleaned["name"] = name
        number = raw.get("enterprise_number", "").strip()
        if number:
            try:
                cleaned["enterprise_number"] = normalise_enterprise_number(number)
            except ValidationError as exc:
                errors["enterprise_number"] = exc.messages[0]
            else:
                owner = context.name_by_number.get(_digits(number))
                if owner is not None and name and owner.casefold() != name.casefold():
                    del cleaned["enterprise_number"]
                    errors["enterprise_number"] = _(
                        "This enterprise number already belongs to the organisation “%(name)s”."
                    ) % {"name": owner}
        elif "enterprise_number" in raw:
            cleaned["enterprise_number"] = ""
        for key, limit in (*_ORG_TEXT_FIELDS, ("street", 200), ("postcode", 10), ("municipality", 100)):
            if key in raw:
                value = raw[key].strip()
                _check_length(errors, key, value, limit)
                if key not in errors and (value or key != "municipality"):
                    cleaned[key] = value
        region_text = raw.get("region", "").strip()
        if region_text:
            region = context.regions.get(importers.normalise_header(region_text))
            if region is None:
                errors["region"] = _("Unknown region “%(value)s”; use one of: %(choices)s.") % {
                    "value": region_text,
                    "choices": ", ".join(str(label) for _v, label in Region.choices),
                }
            else:
                cleaned["region"] = region
        if "contact_email" in raw:
            email = raw["contact_email"].strip()
            if not email or _check_email(errors, "contact_email", email):
                cleaned["contact_email"] = email
        return cleaned, errors

    def apply(self, rows: list[dict[str, Any]]) -> ImportResult:
        institution_id = require_institution_id()
        result = ImportResult()
        names = sorted({r["name"] for r in rows})
        existing: dict[tuple[str, str], Organisation] = {}
        for chunk in _chunks(names):
            for organisation in Organisation.objects.filter(name__in=chunk):
                existing.setdefault(
                    workplace_key(organisation.name, organisation.enterprise_number), organisation
                )
        sites: dict[int, Site] = {}
        org_ids = [o.pk for o in existing.values()]
        for chunk in _chunks(org_ids):
            for site in Site.objects.filter(organisation_id__in=chunk).order_by("-id"):
                sites[site.organisation_id] = site  # the oldest site wins: "the" site of the file
        org_fields = ("enterprise_number", "sector", "contact_name", "contact_email")
        new_orgs: list[tuple[Organisation, dict[str, Any]]] = []
        org_updates: list[Organisation] = []
        site_updates: list[Site] = []
        new_sites: list[Site] = []
        org_changed: set[str] = set()
        site_changed: set[str] = set()
        for row in rows:
            organisation = existing.get(workplace_key(row["name"], row.get("enterprise_number", "")))
            site_values = {k: row[k] for k in _SITE_FIELDS if k in row}
            if organisation is None:
                organisation = Organisation(
                    institution_id=institution_id,
                    name=row["name"],
                    **{k: row[k] for k in org_fields if k in row},
                )
                new_orgs.append((organisation, site_values))
                continue
            changed = False
            for key in org_fields:
                if key in row and getattr(organisation, key) != row[key]:
                    setattr(organisation, key, row[key])
                    org_changed.add(key)
                    changed = True
            if changed:
                org_updates.append(organisation)
            site = sites.get(organisation.pk)
            if site is None:
                new_sites.append(
                    Site(
                        institution_id=institution_id,
                        organisation=organisation,
                        name=organisation.name,
                        **site_values,
                    )
                )
                changed = True
            else:
                site_dirty = False
                for key, value in site_values.items():
                    if getattr(site, key) != value:
                        setattr(site, key, value)
                        site_changed.add(key)
                        site_dirty = True
                if site_dirty:
                    site_updates.append(site)
                    changed = True
            if changed:
                result.updated += 1
            else:
                result.unchanged += 1
        created = Organisation.objects.bulk_create([o for o, _values in new_orgs], batch_size=CHUNK)
        for organisation, site_values in zip(created, (v for _o, v in new_orgs), strict=True):
            new_sites.append(
                Site(
                    institution_id=institution_id,
                    organisation=organisation,
                    name=organisation.name,
                    **site_values,
                )
            )
        Site.objects.bulk_create(new_sites, batch_size=CHUNK)
        if org_updates:
            Organisation.objects.bulk_update(org_updates, sorted(org_changed), batch_size=CHUNK)
        if site_updates:
            Site.objects.bulk_update(site_updates, sorted(site_changed), batch_size=CHUNK)
        result.created = len(created)
        return result
