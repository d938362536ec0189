"""What every form of the platform's admin shares."""


class ErrorsBesideFields:
    """Each field with an error points at its message (``aria-describedby``), so a
    screen reader reads the message with the field; every field's error is shown in
    the same answer. Templates render fields with
    ``{% formattedfield field error_message_id=field.auto_id|add:"-errors" %}``.
    """

    def full_clean(self):
        super().full_clean()
        self._describe_errors()

    def add_error(self, field, error):
        super().add_error(field, error)
        self._describe_errors()

    def _describe_errors(self):
        for name in getattr(self, "_errors", None) or {}:
            if name not in self.fields:
                continue
            bound = self[name]
            ids = [f"{bound.auto_id}-errors"]
            if self.fields[name].help_text:
                ids.append(f"{bound.auto_id}-helptext")
            self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)
