"""The "point to your language" card: on screen, on paper, and on a case.

At first contact the person may share no language with staff. They are shown
a grid of languages, each in its own script with "I speak <language>." in
it, and point to theirs. The plain card holds no person data, so any
signed-in staff member may open or print it; on a case, pressing the tile the
person pointed to records the language on their record through the people
service (which checks and audits the change).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from functools import lru_cache

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.core.languages import language_name
from haven.core.pdf import pdf_response, render_pdf
from haven.interpretation.endonyms import BY_CODE, ENDONYMS, Endonym
from haven.people import selectors, services
from haven.people.models import Case
from haven.people.policies import may_change_case

_TEMPLATE = "interpretation/point.html"


@dataclass(frozen=True)
class Tile:
    """One language as the card shows it: its own words, and its name in the
    interface language for staff."""

    entry: Endonym
    name: str


def _tiles() -> list[Tile]:
    return [Tile(entry=entry, name=language_name(entry.code)) for entry in ENDONYMS]


@require_safe
def point(request: HttpRequest) -> HttpResponse:
    authenticated_user(request)
    return render(request, _TEMPLATE, {"tiles": _tiles(), "case": None})


@require_safe
def point_pdf(request: HttpRequest) -> HttpResponse:
    """The card on paper, in the interface language for its staff notes."""
    authenticated_user(request)
    return pdf_response(_card_pdf(translation.get_language() or "en"), filename="languages.pdf")


@lru_cache(maxsize=4)
def _card_pdf(language: str) -> bytes:
    # The card is the same for everyone: made once per interface language,
    # since embedding the fonts of some forty scripts takes a few seconds.
    with translation.override(language):
        tiles = _tiles()
    return render_pdf("interpretation/pdf/card.html", {"tiles": tiles}, language=language)


@require_http_methods(["GET", "POST"])
def point_for_case(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The card on a case: the tile pressed becomes the person's language.

    Only those who may change the person's record reach it; anyone else gets
    404, as for a case that does not exist.
    """
    user = authenticated_user(request)
    case = selectors.case_get(user=user, case_id=case_id, allowed=lambda _: may_change_case(user))
    error = ""
    if request.method == "POST":
        code = request.POST.get("language", "")
        if code not in BY_CODE:
            error = _("Choose one of the languages shown. Nothing was recorded.")
        else:
            try:
                changed = _record(user=user, case=case, code=code)
            except ValidationError as refused:
                error = " ".join(refused.messages)
            else:
                name = language_name(code)
                if changed:
                    messages.success(request, _("Language recorded: %(name)s.") % {"name": name})
                else:
                    messages.info(
                        request,
                        _("Nothing changed: the language was already %(name)s.") % {"name": name},
                    )
                return redirect("desk:case_detail", case_id=case.pk)
    return render(
        request,
        _TEMPLATE,
        {"tiles": _tiles(), "case": case, "error": error},
        status=400 if error else 200,
    )


def _record(*, user: User, case: Case, code: str) -> list[str]:
    current = services.person_details(case.person)
    return services.person_update(
        actor=user, case=case, details=replace(current, language=code), covering=("language",)
    )
