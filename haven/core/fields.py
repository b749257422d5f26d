"""The one encrypted field type for every identifying value.

In Python the attribute holds plain text; in the database the column holds
AES-256-GCM ciphertext under the row's data key, bound to its table, field,
row and data key (``haven.core.keys.field_aad``). A model that uses it
defines ``data_key_bytes()`` and has a primary key set before saving (a UUID).
A value is opened only when read, so a page pays only for what it shows.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db import models

from haven.core import crypto, keys


class SealedRow(Protocol):
    pk: Any
    data_key_id: Any

    def data_key_bytes(self) -> bytes: ...


class _SealedAttribute:
    """Holds sealed bytes from the database and plain text from code, and
    opens the former only when read."""

    def __init__(self, field: EncryptedTextField) -> None:
        self.field = field

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        state = instance.__dict__
        plain_key = self.field.plain_key
        if plain_key not in state:
            if self.field.attname not in state:
                # Deferred by the query (``only``/``defer``): read the sealed value now,
                # as Django does for its own deferred fields, rather than show nothing.
                state[self.field.attname] = self.field.sealed_from_db(instance)
            sealed = state.get(self.field.attname)
            state[plain_key] = None if sealed is None else self.field.open(instance, bytes(sealed))
        return state[plain_key]

    def __set__(self, instance: Any, value: Any) -> None:
        state = instance.__dict__
        if isinstance(value, bytes | memoryview):
            state[self.field.attname] = value  # sealed, as read from the database
            state.pop(self.field.plain_key, None)
        else:
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{self.field.name} takes text")
            state[self.field.plain_key] = value
            state[self.field.attname] = None


class EncryptedTextField(models.BinaryField):  # type: ignore[type-arg]
    """Text sealed under the row's data key."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs["editable"] = True
        super().__init__(*args, **kwargs)

    @property
    def plain_key(self) -> str:
        return f"_plain_{self.attname}"

    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        setattr(cls, self.attname, _SealedAttribute(self))

    def aad(self, instance: SealedRow) -> bytes:
        return keys.field_aad(
            self.model._meta.db_table, self.attname, instance.pk, instance.data_key_id
        )

    def sealed_from_db(self, instance: Any) -> bytes | None:
        """The sealed bytes of a field the query that made ``instance`` deferred."""
        sealed = (
            type(instance)
            ._base_manager.db_manager(instance._state.db)
            .filter(pk=instance.pk)
            .values_list(self.attname, flat=True)
            .get()
        )
        return None if sealed is None else bytes(sealed)

    def open(self, instance: SealedRow, sealed: bytes) -> str:
        return crypto.unseal(instance.data_key_bytes(), sealed, aad=self.aad(instance)).decode()

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        plain = model_instance.__dict__.get(self.plain_key)
        if plain is None and self.plain_key in model_instance.__dict__:
            return None
        if plain is None:
            return model_instance.__dict__.get(self.attname)
        return crypto.seal(
            model_instance.data_key_bytes(), plain.encode("utf-8"), aad=self.aad(model_instance)
        )

    def value_from_object(self, obj: Any) -> Any:
        return getattr(obj, self.attname)
