"""What the public sees of a published letter: everything personal masked."""


def masked(letter, reply=None):
    """Attach ``masked_title``/``masked_body`` (and ``reply.masked_body``) to the objects."""
    from .masking import mask_personal_data

    known = [v for v in (letter.writer_name, letter.writer_phone, letter.writer_email) if v]
    letter.masked_title = mask_personal_data(letter.title, known=known)
    letter.masked_body = mask_personal_data(letter.body, known=known)
    if reply is not None:
        reply.masked_body = mask_personal_data(reply.body, known=known)
    return letter
