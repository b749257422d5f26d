"""Rights education: the library of handouts by topic and language, each
readable and printable; what was explained to the person; and the agency's
own handouts."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import limits
from haven.core.forms import show_refusal
from haven.core.languages import LANGUAGES, language_name
from haven.core.pdf import pdf_response, print_language, render_pdf
from haven.people.access import case_for
from haven.people.models import Case
from haven.protocol import library, materials_service, selectors
from haven.protocol.library import Handout
from haven.protocol.policies import may_keep_protocol_settings, may_see_protocol, may_work_protocol
from haven.protocol.rights import rights_explained_record
from haven.protocol.views.common import case_for_work

#: ISO 639-3 codes whose BCP 47 tag is a two-letter one (for ``lang=``).
_BCP47 = {
    **{"eng": "en", "spa": "es", "som": "so", "ukr": "uk", "rus": "ru", "vie": "vi"},
    **{"hat": "ht", "por": "pt", "fra": "fr", "amh": "am", "tir": "ti", "kor": "ko"},
    **{"tha": "th", "hin": "hi", "pan": "pa", "mya": "my", "pus": "ps", "tgl": "tl"},
}


def html_lang(code: str) -> str:
    return _BCP47.get(code, code)


class ExplainedForm(forms.Form):
    topic = forms.ChoiceField(label=gettext_lazy("Handout"))
    language = forms.ChoiceField(label=gettext_lazy("Language it was explained in"))
    explained_on = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    interpreter = forms.CharField(
        label=gettext_lazy("Interpreter"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Who interpreted, if anyone. Never family, friends or children."),
    )
    questions = forms.CharField(
        label=gettext_lazy("The person's questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What they asked, and what still needs an answer."),
    )

    def __init__(self, *args: Any, shelf: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topic = self.fields["topic"]
        language = self.fields["language"]
        assert isinstance(topic, forms.ChoiceField)  # noqa: S101
        assert isinstance(language, forms.ChoiceField)  # noqa: S101
        topic.choices = [("", "—")] + [(t["topic"], t["title"]) for t in shelf]
        codes = sorted({lang["code"] for t in shelf for lang in t["languages"]})
        language.choices = [("", "—")] + [(code, language_name(code)) for code in codes]


class MaterialForm(forms.Form):
    topic = forms.CharField(
        label=gettext_lazy("Topic"),
        max_length=limits.TOPIC,
        help_text=gettext_lazy(
            "A short name such as t_visa. Use the same topic to replace one of "
            "Haven's handouts with your own, or to add a new version of yours."
        ),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=[(code, name) for code, name in LANGUAGES if code != "und"],
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=limits.LINE)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=limits.BODY,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy(
            'Plain words. Leave an empty line between paragraphs. A line starting "## " '
            'is a heading; lines starting "- " make a list.'
        ),
    )


def _shelf(agency_id: int, first_language: str) -> list[dict[str, Any]]:
    """The library by topic: each topic's title (in the person's language
    when it exists, else English) and its languages, the person's first."""
    handouts = library.handouts_for(agency_id)
    by_topic: dict[str, dict[str, Handout]] = {}
    for (topic, language), handout in handouts.items():
        by_topic.setdefault(topic, {})[language] = handout

    def order(code: str) -> tuple[int, str]:
        return (0 if code == first_language else 1 if code == "eng" else 2, code)

    # Topics are named in the staff member's own language where possible,
    # so an advocate who does not read the person's language can still choose.
    staff = {"en": "eng", "es": "spa"}.get((get_language() or "en")[:2], "eng")
    shelf = []
    for topic, languages in by_topic.items():
        codes = sorted(languages, key=order)
        named = next(c for c in (staff, "eng", codes[0]) if c in languages)
        shelf.append(
            {
                "topic": topic,
                "title": languages[named].title,
                "title_lang": html_lang(named),
                "languages": [
                    {
                        "code": code,
                        "name": language_name(code),
                        "lang": html_lang(code),
                        "title": languages[code].title,
                        "version": languages[code].version,
                        "agency_material": languages[code].agency_material,
                    }
                    for code in codes
                ],
            }
        )
    return sorted(shelf, key=lambda item: str(item["title"]).casefold())


def _rights_page(
    request: HttpRequest,
    user: User,
    case: Case,
    *,
    form: ExplainedForm | None = None,
    status: int = 200,
) -> HttpResponse:
    shelf = _shelf(user.agency_id, case.person.language)
    titles = {(t["topic"], lang["code"]): lang["title"] for t in shelf for lang in t["languages"]}
    may_work = may_work_protocol(user)
    if may_work and form is None:
        person_language = case.person.language
        form = ExplainedForm(
            shelf=shelf,
            initial={
                "explained_on": timezone.localdate(),
                "language": person_language
                if any(lang["code"] == person_language for t in shelf for lang in t["languages"])
                else "",
            },
        )
    explained = [
        {
            "row": row,
            "title": titles.get((row.topic, row.language), row.topic),
            "language_name": language_name(row.language),
        }
        for row in selectors.rights_explained_of(case)
    ]
    return render(
        request,
        "protocol/rights/rights.html",
        {
            "case": case,
            "shelf": shelf,
            "person_language": language_name(case.person.language),
            "form": form if may_work else None,
            "explained": explained,
        },
        status=status,
    )


def rights_page(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = case_for(user, case_id, lambda _case: may_see_protocol(user))
    return _rights_page(request, user, case)


@require_http_methods(["POST"])
def rights_explained(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = case_for_work(user, case_id)
    form = ExplainedForm(request.POST, shelf=_shelf(user.agency_id, case.person.language))
    if form.is_valid():
        data = form.cleaned_data
        try:
            rights_explained_record(
                actor=user,
                case=case,
                topic=data["topic"],
                language=data["language"],
                explained_on=data["explained_on"],
                interpreter=data["interpreter"],
                questions=data["questions"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved: what was explained is on the case."))
            return _see_other(reverse("protocol:rights", kwargs={"case_id": case.pk}))
    return _rights_page(request, user, case, form=form, status=400)


def _case_and_handout(
    request: HttpRequest, case_id: uuid.UUID, topic: str, language: str
) -> tuple[User, Case, Handout]:
    """The case and one handout of the agency's library; a handout that does
    not exist is refused with the policy, before the case read is audited."""
    user = authenticated_user(request)
    handout = library.handouts_for(user.agency_id).get((topic, language))
    case = case_for(user, case_id, lambda _case: may_see_protocol(user) and handout is not None)
    assert handout is not None  # noqa: S101 (refused above)
    return user, case, handout


def handout_page(
    request: HttpRequest, case_id: uuid.UUID, topic: str, language: str
) -> HttpResponse:
    _user, case, handout = _case_and_handout(request, case_id, topic, language)
    return render(
        request,
        "protocol/rights/handout.html",
        {
            "case": case,
            "handout": handout,
            "blocks": library.blocks(handout.body),
            "lang": html_lang(language),
            "language_name": language_name(language),
        },
    )


def handout_pdf(
    request: HttpRequest, case_id: uuid.UUID, topic: str, language: str
) -> HttpResponse:
    user, case, handout = _case_and_handout(request, case_id, topic, language)
    # The handout names no one: a person may carry it, and it must not say
    # who they are if someone else finds it.
    content = render_pdf(
        "protocol/pdf/handout.html",
        {
            "handout": handout,
            "blocks": library.blocks(handout.body),
            "lang": html_lang(language),
        },
        language=print_language(language),
    )
    audit_record(
        action=Action.DOCUMENT_PRINTED,
        actor=user,
        object_type="case",
        object_id=case.pk,
        detail={
            "document": "handout",
            "topic": topic,
            "language": language,
            "version": handout.version,
        },
    )
    return pdf_response(content, filename=f"handout-{topic}-{language}.pdf")


@require_http_methods(["GET", "POST"])
def materials(request: HttpRequest) -> HttpResponse:
    """The agency's own handouts; each save is a new version."""
    user = authenticated_user(request)
    if not may_keep_protocol_settings(user):
        raise Http404
    form = MaterialForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = materials_service.material_add(
                actor=user,
                topic=data["topic"],
                language=data["language"],
                title=data["title"],
                body=data["body"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request,
                _("Saved as version %(version)s.") % {"version": row.version},
            )
            return _see_other(reverse("protocol:materials"))
    rows = [
        {"row": row, "language_name": language_name(row.language)}
        for row in materials_service.materials_of(user.agency_id).order_by(
            "topic", "language", "-version"
        )[:200]
    ]
    shipped = sorted(
        {(h.topic, h.language, h.title, h.version) for h in library.shipped().values()}
    )
    return render(
        request,
        "protocol/rights/materials.html",
        {
            "form": form,
            "rows": rows,
            "shipped": [
                {"topic": t, "language_name": language_name(lang), "title": title, "version": v}
                for t, lang, title, v in shipped
            ],
        },
        status=400 if form.errors else 200,
    )


def _see_other(url: str) -> HttpResponse:
    response = redirect(url)
    response.status_code = 303
    return response


urlpatterns = [
    path("cases/<uuid:case_id>/rights/", rights_page, name="rights"),
    path("cases/<uuid:case_id>/rights/explained/", rights_explained, name="rights_explained"),
    path(
        "cases/<uuid:case_id>/rights/<slug:topic>/<str:language>/",
        handout_page,
        name="handout",
    ),
    path(
        "cases/<uuid:case_id>/rights/<slug:topic>/<str:language>/handout.pdf",
        handout_pdf,
        name="handout_pdf",
    ),
    path("settings/materials/", materials, name="materials"),
]
