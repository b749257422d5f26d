"""What other parts of Haven may need to know about consent."""

from django.dispatch import Signal

# Sent inside the transaction that withdraws a consent: consent=, actor=.
consent_revoked = Signal()
