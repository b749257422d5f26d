"""What a browser posts: the fields of a form read from a page's HTML.

The load test fills in a form the way a person does, over what the page
offers: every hidden field (the CSRF token among them), every named field
with its current value, checked boxes, the selected options, and the text of
text areas; then the few values the person types. No field list is written
twice, so a form that gains a field is still posted whole.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin

#: Inputs whose value is posted only when checked.
_CHECKABLE = {"checkbox", "radio"}
#: Inputs a browser leaves out of a submission.
_NOT_POSTED = {"submit", "button", "image", "reset", "file"}


@dataclass
class Form:
    action: str
    method: str
    #: multipart/form-data when the form sends files (then posted as a browser does).
    multipart: bool = False
    #: the file inputs, posted empty (no file chosen).
    files: list[str] = field(default_factory=list)
    #: (name, value) pairs in document order, as a browser would post them.
    fields: list[tuple[str, str]] = field(default_factory=list)
    #: name -> the values a select or a group of radios/boxes offers.
    choices: dict[str, list[str]] = field(default_factory=dict)
    #: the named submit buttons: (name, value).
    buttons: list[tuple[str, str]] = field(default_factory=list)

    def data(self, **typed: str | list[str]) -> list[tuple[str, str]]:
        """The fields with ``typed`` values replacing (or adding) theirs."""
        out = [(name, value) for name, value in self.fields if name not in typed]
        for name, value in typed.items():
            values = value if isinstance(value, list) else [value]
            out.extend((name, v) for v in values)
        return out

    def value(self, name: str) -> str | None:
        return next((v for n, v in self.fields if n == name), None)

    def body(self, **typed: str | list[str]) -> tuple[bytes, str]:
        """The request body and its Content-Type, encoded as a browser does:
        urlencoded, or multipart with an empty part for each file input."""
        pairs = self.data(**typed)
        if not self.multipart:
            return urlencode(pairs).encode(), "application/x-www-form-urlencoded"
        boundary = f"----HavenLoad{secrets.token_hex(8)}"
        parts = []
        for name, value in pairs:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name in self.files:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename=""\r\n'
                "Content-Type: application/octet-stream\r\n\r\n\r\n".encode()
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class _Reader(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, bool] | None = None  # name, multiple
        self._options: list[tuple[str, bool]] = []
        self._option: list[str] | None = None  # value attr or collected text
        self._option_value: str | None = None
        self._option_selected = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            action = a.get("action") or self.base
            self._form = Form(
                action=urljoin(self.base, action),
                method=(a.get("method") or "get").lower(),
                multipart=(a.get("enctype") or "").lower() == "multipart/form-data",
            )
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in _CHECKABLE:
                form.choices.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
            elif kind == "submit":
                form.buttons.append((name, a.get("value", "")))
            elif kind == "file":
                form.files.append(name)
            elif kind not in _NOT_POSTED:
                form.fields.append((name, a.get("value", "")))
        elif tag == "button" and name and (a.get("type") or "submit") == "submit":
            form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = (name, "multiple" in a)
            self._options = []
        elif tag == "option" and self._select is not None:
            self._close_option()
            self._option = []
            self._option_value = a.get("value")
            self._option_selected = "selected" in a
        elif tag == "textarea" and name:
            self._textarea = name
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option.append(data)
        if self._textarea is not None:
            self._text.append(data)

    def _close_option(self) -> None:
        if self._option is not None:
            value = self._option_value
            if value is None:
                value = re.sub(r"\s+", " ", "".join(self._option)).strip()
            self._options.append((value, self._option_selected))
            self._option = None

    def handle_endtag(self, tag: str) -> None:
        form = self._form
        if tag == "option":
            self._close_option()
        elif tag == "select" and self._select is not None and form is not None:
            self._close_option()
            name, multiple = self._select
            form.choices[name] = [v for v, _ in self._options]
            chosen = [v for v, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]  # a single select posts its first option
            form.fields.extend((name, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and form is not None:
            text = "".join(self._text)
            # A browser drops the one newline that may follow <textarea>.
            form.fields.append((self._textarea, text.removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None


def forms_of(html: str, base: str) -> list[Form]:
    """Every form of the page at ``base`` (its address, for relative actions)."""
    reader = _Reader(base)
    reader.feed(html)
    reader.close()
    return reader.forms


def form_of(html: str, base: str, action: str | None = None, method: str = "post") -> Form:
    """The form posting to ``action`` (a path; the page itself when None)."""
    target = urljoin(base, action) if action else urljoin(base, base)
    for form in forms_of(html, base):
        if form.method == method and form.action.split("?")[0] == target.split("?")[0]:
            return form
    raise LookupError(f"no {method} form to {action or base}")
