"""How long each kind of text may be: the one place the limits live.

Forms, API schemas and services all read them from here, so a limit is the
same whichever way the text comes in, and a message that says "at most 200
characters" is true everywhere. The kinds are named for what the text is,
not for the field that holds it.
"""

from __future__ import annotations

# One line in staff's words: a name, a title, a label, an officer, a provider.
LINE = 200
# One line naming something outside the agency: a partner organization, a
# recipient, where a contact came from, a court order's reference.
WIDE_LINE = 300
# A few sentences: a summary, a description, a reason, the presenters.
SUMMARY = 500
# A short note: what a consent is for, what a court order asks, why a
# lockdown started.
SHORT_NOTE = 1000
# A note in staff's words.
NOTE = 2000
# One section of a plan, the changes of a policy, the follow-ups of a meeting.
LONG_NOTE = 4000
# A long text: what was agreed with a partner, how a person of concern looks.
LONG = 8000
# A description in the partner directory (as HSDS carries it).
DIRECTORY_TEXT = 10000
# The body of a document: the details of a communication, a rights handout.
BODY = 20000

# Phone numbers: a person's safe number, a reporting contact's; a partner's,
# which may carry an extension and a note on when to call.
PHONE = 40
PARTNER_PHONE = 60
# A word or two: the name of a screening instrument, the level it found.
SHORT_LINE = 60
# A room or a bed of a shelter site, as its staff label them.
BED_LABEL = 40
# The label an agency gives a field of the person record.
FIELD_LABEL = 60
# The short code of a rights material's topic.
TOPIC = 40
# A code or a number given by someone else: a police report's number, a
# taxonomy term.
CODE = 100
# Addresses, by their own standards (RFC 5321 for e-mail).
EMAIL = 254
URL = 1000

# The agency's own protocol steps: a step's code, and its checklist (how
# many items, and how long each). The step's text is a LINE.
STEP_CODE = 32
CHECKLIST_ITEMS = 12
CHECKLIST_ITEM = 120

# The largest id a row may have (a signed 64-bit integer): a larger number
# in a URL or a field names nothing, and must not reach the database.
LARGEST_ROW_ID = 2**63 - 1
