"""Post a Wagtail editor form back as a browser would after changing nothing."""

from bs4 import BeautifulSoup


def form_values(html, form_id="page-edit-form"):
    """``{name: [values]}`` a browser submits for the form as rendered: enabled
    controls only, checked boxes only, selected options only, nothing inside a
    ``<template>`` (the empty forms Wagtail clones for inline panels)."""
    soup = BeautifulSoup(html, "html.parser")
    form = soup.find("form", id=form_id)
    assert form is not None, f"no form #{form_id} on the page"
    data = {}
    for element in form.find_all(["input", "textarea", "select"]):
        name = element.get("name")
        if not name or element.has_attr("disabled") or element.find_parent("template") is not None:
            continue
        if element.name == "input":
            kind = (element.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                continue
            if kind in ("checkbox", "radio") and not element.has_attr("checked"):
                continue
            data.setdefault(name, []).append(element.get("value", "on" if kind in ("checkbox", "radio") else ""))
        elif element.name == "textarea":
            # A browser drops the one newline that follows <textarea> (HTML parsing rules).
            text = element.text
            data.setdefault(name, []).append(text[1:] if text.startswith("\n") else text)
        else:
            for option in element.find_all("option"):
                if option.has_attr("selected"):
                    data.setdefault(name, []).append(option.get("value", option.text))
    return data
