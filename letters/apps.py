from django.apps import AppConfig


class LettersConfig(AppConfig):
    """The public mailbox (DESIGN.md's ``mailbox`` app; named ``letters`` because
    ``mailbox`` is a module of Python's standard library)."""

    name = "letters"
    verbose_name = "公开信箱"
