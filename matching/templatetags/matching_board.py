"""The matching board's student row, built in Python.

A board page shows 100 student rows, each with three forms; through the template
engine (`{% include %}` per row, some forty variable lookups and a dozen translations
each) the rows were the largest part of the page's time. `{% board_row row %}` writes
the same markup with f-strings, escaping every value, and takes the URLs, the CSRF
token and the return query from the template's context.
"""

from __future__ import annotations

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import escape
from django.utils.safestring import SafeString

from matching.selectors import BoardRow, current_board_labels

register = template.Library()


@register.simple_tag(takes_context=True)
def board_row(context, row: BoardRow) -> SafeString:
    """One `<tr>` of the board (`matching/_row.html` is this tag)."""
    labels = current_board_labels()
    student = row.student
    pk = student.pk
    students_url = escape(context.get("students_url", ""))
    conflicts = row.conflicts
    marked = ' class="has-conflict"' if conflicts else ""
    parts = [
        f'<tr id="student-{pk}" data-student="{pk}"{marked}>\n',
        f'<th scope="row"><a href="{students_url}{pk}/">{escape(student.last_name)}, '
        f"{escape(student.first_name)}</a><br><small>{escape(student.student_number)}</small></th>\n",
        f'<td><ol class="choices">{row.choices_html()}</ol></td>\n<td class="assigned">',
    ]
    if row.offer:
        parts.append(f'<span class="assigned-offer">{escape(row.offer.label)}</span>')
        if row.pref_rank:
            parts.append(f" <small>({escape(labels['choice'] % {'n': row.pref_rank})})</small>")
        if row.locked:
            parts.append(f' <strong class="lock-state">{labels["locked"]}</strong>')
    else:
        parts.append(f'<span class="status-unknown">{labels["unplaced"]}</span>')
    parts.append("</td>\n<td>")
    if conflicts:
        names = labels["conflicts"]
        items = "".join(f"<li>{names[c]}</li>" for c in conflicts)
        parts.append(f'<ul class="conflicts status-fail">{items}</ul>')
    if row.error:
        parts.append(f'<p class="message message-error" role="alert">{escape(row.error)}</p>')
    parts.append("</td>\n<td>")
    if context.get("editable"):
        parts.append(_actions(context, row, labels, students_url))
    parts.append("</td>\n</tr>\n")
    return SafeString("".join(parts))


@register.simple_tag(takes_context=True)
def board_rows(context, rows: list[BoardRow]) -> SafeString:
    """Every row of the board in one call (no template loop per row)."""
    return SafeString("".join([board_row(context, row) for row in rows]))


def _actions(context, row: BoardRow, labels: dict, students_url: str) -> str:
    pk = row.student.pk
    csrf = CsrfTokenNode().render(context)
    back = escape(context.get("return_query", ""))
    assign_url = escape(context.get("assign_url", ""))
    disabled = " disabled" if row.locked else ""
    expected = row.offer.id if row.offer else ""
    hidden = f'<input type="hidden" name="student" value="{pk}">'
    returning = f'<input type="hidden" name="return" value="{back}">'
    htmx = 'hx-target="closest tr" hx-swap="outerHTML"'
    parts = [
        f'\n<form method="post" action="{assign_url}" hx-post="{assign_url}" {htmx} class="assign-form">'
        f"{csrf}\n{hidden}"
        f'<input type="hidden" name="expected" value="{expected}">{returning}\n'
        f'<label class="visually-hidden" for="offer-for-{pk}">'
        f"{escape(labels['offer_for'] % {'name': row.student})}</label>\n"
        f'<select id="offer-for-{pk}" name="offer"{disabled}>\n{row.options_html()}\n</select>\n'
        f'<button type="submit"{disabled}>{labels["assign"]}</button>\n</form>\n'
    ]
    if row.offer:
        if not row.locked:
            unassign_url = escape(context.get("unassign_url", ""))
            parts.append(
                f'<form method="post" action="{unassign_url}" hx-post="{unassign_url}" {htmx} '
                f'style="display:inline">{csrf}{hidden}'
                f'<input type="hidden" name="expected" value="{row.offer.id}">{returning}'
                f'<button type="submit" class="secondary">{labels["unassign"]}</button></form>'
            )
        lock_url = escape(context.get("lock_url", ""))
        toggle = labels["unlock" if row.locked else "lock"]
        parts.append(
            f'<form method="post" action="{lock_url}" hx-post="{lock_url}" {htmx} '
            f'style="display:inline">{csrf}{hidden}'
            f'<input type="hidden" name="locked" value="{0 if row.locked else 1}">{returning}'
            f'<button type="submit" class="secondary">{toggle}</button></form>'
        )
    parts.append(f'\n<a href="{students_url}{pk}/">{labels["all_offers"]}</a>\n')
    return "".join(parts)
