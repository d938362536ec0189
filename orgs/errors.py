class DomainError(Exception):
    """A rule of the domain was broken; ``message`` is for the person who tried.

    Services raise it; faces (views, the API, the admin) show the message and change
    nothing. ``code`` lets the API return a typed error.
    """

    code = "invalid"

    def __init__(self, message, *, code=None, field=None, field_errors=None):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.field = field
        # Every field's message at once (field → message), so a form can show each
        # beside its field in one answer.
        self.field_errors = dict(field_errors) if field_errors else ({field: self.message} if field else {})


class PermissionRefused(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Unauthenticated(DomainError):
    """A caller's credentials do not (or no longer) stand: the API answers 401 with
    ``code`` saying why (``token_expired``, ``token_revoked``)."""

    code = "unauthorized"


def describe_validation_error(exc, instance=None):
    """One Chinese sentence naming each field and what is wrong with it."""
    if not hasattr(exc, "error_dict"):
        return ";".join(exc.messages)
    parts = []
    for field, messages in exc.message_dict.items():
        text = ";".join(messages)
        if field == "__all__" or instance is None:
            parts.append(text)
            continue
        try:
            label = str(instance._meta.get_field(field).verbose_name)
        except Exception:  # a field name Django's meta does not know (e.g. a form-only field)
            label = field
        parts.append(f"{label}:{text}")
    return ";".join(parts)


def clean_or_refuse(instance, **kwargs):
    """``full_clean()`` the instance; a failure becomes a DomainError a person can read."""
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        raise DomainError(describe_validation_error(exc, instance)) from exc


def validate_or_refuse(instance, exclude=None):
    """As :func:`clean_or_refuse`, and the DomainError also names each field
    (``field``, ``field_errors``), so a form can show every message beside its field."""
    from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        errors = {}
        if hasattr(exc, "error_dict"):
            errors = {name: ";".join(messages) for name, messages in exc.message_dict.items()
                      if name != NON_FIELD_ERRORS}
        raise DomainError(describe_validation_error(exc, instance), field=next(iter(errors), None),
                          field_errors=errors) from exc
