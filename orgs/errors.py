class DomainError(Exception):
    """A rule of the domain was broken; ``message`` is for the person who tried.

    Services raise it; faces (views, the API, the admin) show the message and change
    nothing. ``code`` lets the API return a typed error.
    """

    code = "invalid"

    def __init__(self, message, *, code=None, field=None):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.field = field


class PermissionRefused(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"
