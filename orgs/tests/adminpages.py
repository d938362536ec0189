"""Helpers for tests that drive the admin's configuration pages with the test client."""

from wagtail.models import ModelLogEntry


def refused(response):
    """Wagtail answers a PermissionDenied in its admin with a redirect to the admin home."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def form_data(response, **changes):
    """What a browser would post back from the form in ``response``, with ``changes``
    (None leaves a field out, as an unticked box)."""
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, (list, tuple)):
            data[name] = [str(item) for item in value]
        elif value is not None:
            data[name] = str(value)
    for name, value in changes.items():
        if value is None or value is False:
            data.pop(name, None)
        elif value is True:
            data[name] = "on"
        else:
            data[name] = value
    return data


def entries(obj, action):
    return ModelLogEntry.objects.filter(content_type__model=obj._meta.model_name, object_id=str(obj.pk), action=action)


def form_errors(response):
    form = response.context["form"]
    return " ".join(str(message) for messages in form.errors.values() for message in messages)
