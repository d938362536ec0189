from django.apps import AppConfig


class LettersConfig(AppConfig):
    """The public mailbox (DESIGN.md's ``mailbox`` app; named ``letters`` because
    ``mailbox`` is a module of Python's standard library)."""

    name = "letters"
    verbose_name = "公开信箱"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from orgs.models import Unit
        from portal import pagecache

        from . import lookups
        from .models import CalendarEntry, LetterType, Mailbox

        for model in (Mailbox, LetterType, Unit):
            post_save.connect(lookups.forget, sender=model, dispatch_uid=f"letters-lookups-{model.__name__}-save")
            post_delete.connect(lookups.forget, sender=model, dispatch_uid=f"letters-lookups-{model.__name__}-delete")
        # Every site's 互动交流 column lists the mailboxes (letters/wagtail_hooks.py); a
        # guide's page counts its promised limit on the working-day calendar.
        pagecache.watch(Mailbox)
        pagecache.watch(CalendarEntry)
