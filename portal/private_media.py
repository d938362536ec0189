"""Documents and images of content not yet published are not public.

A file a unit uploads for a page in review is served only to that unit's staff
until a published page uses it; then it is public like the page. The rule:

- a document is public when a live page attaches it (``ContentAttachment``) or
  links it (Wagtail's reference index); an image when a live page shows it;
- otherwise only people with a permission on the file's collection (its unit's
  staff; collections are per unit) or superusers get it; everyone else gets 404,
  as if it did not exist.

Documents are served only by Wagtail's serve view (``WAGTAILDOCS_SERVE_METHOD =
"serve_view"``), which runs the ``before_serve_document`` hook (portal/wagtail_hooks.py);
images by :func:`serve_media`. Neither directory is ever served as plain media. The
file itself is handed over by :func:`sendfile`: streamed by the application, or, with
``MEDIA_ACCEL_REDIRECT_PREFIX`` set, by the web server through ``X-Accel-Redirect``
(see docs/decisions.md for the nginx side).
"""

import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpResponse
from wagtail.models import Page, ReferenceIndex

from orgs.queries import sees_every_unit

# Sub-directories of MEDIA_ROOT that only go out through a permission check.
DOCUMENTS_DIR = "documents/"
IMAGE_DIRS = ("original_images/", "images/")


def _referenced_by_live_page(obj):
    to_type = ContentType.objects.get_for_model(obj._meta.model if not obj._meta.proxy else obj._meta.concrete_model)
    page_type = ContentType.objects.get_for_model(Page)
    sources = ReferenceIndex.objects.filter(
        to_content_type=to_type, to_object_id=str(obj.pk), base_content_type=page_type
    ).values_list("object_id", flat=True)
    return Page.objects.live().filter(pk__in=[int(pk) for pk in sources]).exists()


def document_is_public(document):
    from .models import ContentAttachment

    if ContentAttachment.objects.filter(document=document, page__live=True).exists():
        return True
    return _referenced_by_live_page(document)


def image_is_public(image):
    from .hooks import image_is_public as shown_by_an_app

    return _referenced_by_live_page(image) or shown_by_an_app(image)


def may_see_unpublished(user, obj, policy):
    """The staff of the unit whose collection holds ``obj`` (any permission on it)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if sees_every_unit(user, roles=()):  # no unit role reaches another unit's drafts: superusers only
        return True
    return policy.user_has_any_permission_for_instance(user, ["add", "change", "choose", "delete"], obj)


def check_document(document, request):
    """Http404 unless ``request``'s user may have ``document`` now."""
    from wagtail.documents import get_document_model
    from wagtail.permissions import policy_registry

    policy = policy_registry.get_by_type(get_document_model())
    if not document_is_public(document) and not may_see_unpublished(request.user, document, policy):
        raise Http404


def check_image(image, request):
    from wagtail.images import get_image_model
    from wagtail.permissions import policy_registry

    policy = policy_registry.get_by_type(get_image_model())
    if not image_is_public(image) and not may_see_unpublished(request.user, image, policy):
        raise Http404


def sendfile(request, filename, mimetype=None, **kwargs):
    """Wagtail's SENDFILE_BACKEND (its wrapper adds Content-Disposition): hand the file
    to the web server by ``X-Accel-Redirect`` when ``MEDIA_ACCEL_REDIRECT_PREFIX`` is
    set, else stream it."""
    prefix = getattr(settings, "MEDIA_ACCEL_REDIRECT_PREFIX", "")
    if not prefix:
        from wagtail.utils.sendfile_streaming_backend import sendfile as stream

        return stream(request, filename, mimetype=mimetype, **kwargs)
    relative = Path(filename).resolve().relative_to(Path(settings.MEDIA_ROOT).resolve()).as_posix()
    response = HttpResponse(content_type=mimetype or mimetypes.guess_type(filename)[0] or "application/octet-stream")
    response["X-Accel-Redirect"] = quote(prefix.rstrip("/") + "/" + relative)
    return response


def serve_media(request, path):
    """Uploaded media for the embedded default (``SERVE_MEDIA``): documents only via
    their serve view, images after the check above, anything else as it is."""
    from django.views.static import serve as static_serve

    path = posixpath.normpath(path).lstrip("/")
    if path.startswith(DOCUMENTS_DIR) or path.startswith(".."):
        raise Http404
    if path.startswith(IMAGE_DIRS):
        image = _image_for_file(path)
        if image is None:
            raise Http404
        check_image(image, request)
        from wagtail.utils.sendfile import sendfile as send

        response = send(request, str(Path(settings.MEDIA_ROOT) / path), attachment_filename=False)
        if not image_is_public(image):
            response["Cache-Control"] = "private, no-store"
        return response
    return static_serve(request, path, document_root=settings.MEDIA_ROOT)


def _image_for_file(path):
    from wagtail.images import get_image_model

    Image = get_image_model()
    if path.startswith("original_images/"):
        return Image.objects.filter(file=path).first()
    rendition = Image.get_rendition_model().objects.filter(file=path).select_related("image").first()
    return rendition.image if rendition else None


def document_serve(request, document_id, document_filename):
    """Wagtail's document download, without the ``Content-Encoding: None`` header its
    sendfile wrapper writes for a file with no content coding (Django turns the value
    None into the text "None", which a strict client takes for an unknown coding)."""
    from wagtail.documents.views.serve import serve

    response = serve(request, document_id, document_filename)
    if response.get("Content-Encoding") == "None":
        del response["Content-Encoding"]
    return response
