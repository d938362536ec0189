"""Private files of disclosure's casework: applicants' materials of online forms and
the documents answering an application for disclosure, in the platform's private
storage (``guard.privatefiles``), handed out only by a view that has checked who is
asking (staff through ``admin_submissions`` and ``admin_catalogue``, which record the
read; an applicant through the tracking pages with the query code)."""

from guard.privatefiles import private_storage  # noqa: F401 (named by the models and migrations)
from guard.privatefiles import serve as _serve


def serve(item):
    """The response that delivers the stored file of ``item`` (with ``file`` and
    ``name``) to someone already allowed to have it."""
    return _serve(item, missing="材料文件不存在。")
