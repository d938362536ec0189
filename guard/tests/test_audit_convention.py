"""One convention for the audit trail: no app writes Wagtail's log directly; every
entry goes through ``guard.audit``.

Page and document actions still reach Wagtail's log through Wagtail's own methods
(``save_revision(log_action=True)``, ``publish``, workflows): those are not calls of
``log`` and are not what this check looks for."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HELPER = "guard/audit.py"
NOT_APP_CODE = {".venv", "node_modules", "e2e", "bench", "var", "static", "templates", "locale", "docs"}

# Functions that another branch of the same change is moving onto guard.audit (site
# creation to hosting, API clients to orgs). An entry here is tolerated only while that
# function still exists where it is; remove the entries once those branches are merged.
PENDING_ELSEWHERE = set()


def direct_log_calls(source, filename="<source>"):
    """``(function, line)`` of every place that writes Wagtail's log itself: a call of
    ``wagtail.log_actions.log`` (however imported) or of ``registry.log``, or a log entry
    model's ``log_action``."""
    tree = ast.parse(source, filename)
    log_names, module_names = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "wagtail.log_actions":
            for alias in node.names:
                if alias.name in ("log", "registry"):
                    log_names.add(alias.asname or alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module == "wagtail":
            module_names |= {alias.asname or alias.name for alias in node.names if alias.name == "log_actions"}
        elif isinstance(node, ast.Import):
            module_names |= {alias.asname or alias.name for alias in node.names if alias.name == "wagtail.log_actions"}

    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            if isinstance(child, ast.Call):
                func = child.func
                direct = isinstance(func, ast.Name) and func.id in log_names and func.id != "registry"
                through = isinstance(func, ast.Attribute) and func.attr in ("log", "log_action") and (
                    (isinstance(func.value, ast.Name) and func.value.id in log_names | module_names)
                    or ast.unparse(func.value).endswith(("wagtail.log_actions", "LogEntry.objects"))
                )
                if direct or through:
                    found.append((function, child.lineno))
            visit(child, inner)

    visit(tree, "<module>")
    return found


def _app_files():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        parts = relative.parts
        if parts[0] in NOT_APP_CODE or parts[0].startswith(".") or "tests" in parts or "migrations" in parts:
            continue
        if len(parts) == 1:  # manage.py, conftest.py
            continue
        yield relative.as_posix(), path


def test_the_check_finds_each_way_of_writing_the_log_directly():
    samples = [
        "from wagtail.log_actions import log\ndef f(x):\n    log(x, 'a.b')\n",
        "from wagtail.log_actions import log as write\ndef g(x):\n    write(x, 'a.b')\n",
        "from wagtail.log_actions import registry\ndef h(x):\n    registry.log(x, 'a.b')\n",
        "from wagtail import log_actions\ndef i(x):\n    log_actions.log(x, 'a.b')\n",
        "import wagtail.log_actions\ndef j(x):\n    wagtail.log_actions.log(x, 'a.b')\n",
        "from wagtail.models import ModelLogEntry\ndef k(x):\n    ModelLogEntry.objects.log_action(x, 'a.b')\n",
    ]
    for sample in samples:
        assert len(direct_log_calls(sample)) == 1, sample
    assert direct_log_calls("from guard import audit\ndef f(x):\n    audit.record(x, 'a.b')\n") == []


def test_no_app_writes_wagtails_log_except_the_audit_helper():
    offenders = []
    for relative, path in _app_files():
        if relative == HELPER:
            continue
        for function, line in direct_log_calls(path.read_text(encoding="utf-8"), relative):
            if (relative, function) not in PENDING_ELSEWHERE:
                offenders.append(f"{relative}:{line} in {function}()")
    assert offenders == [], "call guard.audit.record instead of Wagtail's log: " + ", ".join(offenders)


def test_the_audit_helper_is_the_one_place_that_writes_the_log():
    assert direct_log_calls((ROOT / HELPER).read_text(encoding="utf-8"), HELPER)
