"""Files: about a person (scans, photos, voice messages, saved e-mails) or
about the agency itself (an interpreter's confidentiality agreement).

An attachment is sealed like every identifying value
(docs/adr/0013-attachments.md): its name, its description, the SHA-256 of
its content and the content itself. A person's files are sealed under the
person's data key, so destroying the person leaves nothing that opens; an
agency document has a data key of its own. The bytes live in a table of
their own, so listing attachments never loads them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedTextField
from haven.core.models import Agency
from haven.people.models import Case, SealedToPerson


class Use(models.TextChoices):
    """What an attachment is kept for: it decides where it is shown."""

    DOCUMENT = "document", _("Document")
    CONSENT = "consent", _("Signed consent")
    COURT_ORDER = "court_order", _("Court order")
    COMMUNICATION = "communication", _("Part of a communication")
    # Documents of the agency, not of a person served.
    AGREEMENT = "agreement", _("Confidentiality agreement")
    EVIDENCE = "evidence", _("Evidence of a threat")
    PHOTO = "photo", _("Photo of a person of concern")
    CERTIFICATE = "certificate", _("Training certificate")
    POLICY = "policy", _("Policy document")
    PARTNER_AGREEMENT = "partner_agreement", _("Agreement with a partner")


# The uses that belong to the agency rather than to a case.
AGENCY_USES = frozenset(
    {Use.AGREEMENT, Use.EVIDENCE, Use.PHOTO, Use.CERTIFICATE, Use.POLICY, Use.PARTNER_AGREEMENT}
)
# Agency documents whose readers are decided record by record (the threat or
# the person of concern they belong to), not by role alone.
SAFETY_USES = frozenset({Use.EVIDENCE, Use.PHOTO})


class Attachment(SealedToPerson):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # None for a document of the agency itself.
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    use = models.CharField(max_length=20, choices=Use.choices, default=Use.DOCUMENT)
    # Judged from the bytes at upload (haven.attachments.filetypes), never the name.
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    name = EncryptedTextField(_("file name"))
    description = EncryptedTextField(_("description"))
    sha256 = EncryptedTextField(_("SHA-256 of the content"))
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["case", "-uploaded_at"], name="attachment_case_latest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | models.Q(use__in=sorted(AGENCY_USES)),
                name="attachment_of_a_case_or_the_agency",
            )
        ]

    def __str__(self) -> str:
        return f"attachment {self.pk}"


class AttachmentContent(models.Model):
    """The sealed bytes of one attachment, read only to hand them out."""

    attachment = models.OneToOneField(
        Attachment, primary_key=True, on_delete=models.CASCADE, related_name="content"
    )
    sealed = models.BinaryField()

    def __str__(self) -> str:
        return f"content of attachment {self.attachment_id}"
