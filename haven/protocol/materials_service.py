"""An agency's own handouts for the rights library: each save is a new
version of its topic and language; earlier versions are kept, so what was
explained to a person can always be found again.

Agency reference text holds nothing about a person, so it is not audited.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.core import limits
from haven.core.errors import NotFound
from haven.core.languages import CODES as LANGUAGE_CODES
from haven.core.text import text_problem
from haven.protocol.library import blocks
from haven.protocol.models import Material
from haven.protocol.policies import may_keep_protocol_settings

TOPIC_RE = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")


def materials_of(agency_id: int) -> QuerySet[Material]:
    return Material.objects.filter(agency_id=agency_id).select_related("created_by")


def _body_problem(body: str) -> str:
    """Why the body is not the library's limited Markdown, or ""."""
    if not blocks(body):
        return _("Write the text of the handout.")
    for line in body.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") and not stripped.startswith("## "):
            return _('Start a heading with "## " (two hashes and a space); no other headings.')
    return ""


def material_add(*, actor: User, topic: str, language: str, title: str, body: str) -> Material:
    """Save a new version of the agency's handout for ``topic`` in ``language``."""
    if not may_keep_protocol_settings(actor):
        raise NotFound
    topic = topic.strip().lower()
    title = " ".join(title.split())
    body = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    errors: dict[str, list[str]] = {}
    if not topic or len(topic) > limits.TOPIC or not TOPIC_RE.match(topic):
        errors["topic"] = [
            _(
                "Give the topic a short name of up to 40 characters: lower-case "
                "letters, digits, and _ or - between them."
            )
        ]
    if language not in LANGUAGE_CODES or language == "und":
        errors["language"] = [_("Choose a language from the list.")]
    if not title:
        errors["title"] = [_("This field is required.")]
    elif problem := text_problem(title, limits.LINE):
        errors["title"] = [problem]
    if (problem := text_problem(body, limits.BODY)) or (problem := _body_problem(body)):
        errors["body"] = [problem]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            latest = Material.objects.filter(
                agency_id=actor.agency_id, topic=topic, language=language
            ).aggregate(latest=Max("version"))["latest"]
            return Material.objects.create(
                agency_id=actor.agency_id,
                topic=topic,
                language=language,
                version=(latest or 0) + 1,
                title=title,
                body=body,
                created_by=actor,
            )
    except IntegrityError as error:
        # Two saves of the same handout at the same moment: the unique
        # version keeps one; the other is asked to try again.
        raise ValidationError(
            _("Someone saved this handout at the same moment. Please try again.")
        ) from error
