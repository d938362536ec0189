"""The shape of the code: which app may import what (docs/architecture.md, "Dependencies").

Every app's Python files are parsed (not imported), tests and migrations left out,
and every import is checked, at module level and inside functions alike:

- no app imports ``cityplatform`` (the composition root);
- an app uses another app only through that app's public modules (``PUBLIC``);
- no app imports one in a higher layer (``LAYERS``);
- the apps import each other in no cycle;
- inside an app, the imports that run when a module loads form no cycle (a
  module may reach back only inside a function, for a call-time need: a service
  enqueuing its task on commit, a page model's ``get_context`` reading queries).

A failure names each offending import with its file and line.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Bottom first. An app may import apps of its own layer or below; a cycle is
# refused anyway. ``demo`` may use every app; ``cityplatform`` wires them all.
LAYERS = [
    {"orgs"},
    {"guard"},
    {"portal"},
    # The mailbox is the platform's casework machinery (working days, the outbox)
    # that disclosure's forms and applications use, so it sits below them.
    {"letters"},
    {"disclosure", "publishing"},
    # What is published, delivered: baked files and their integrity; the search index.
    {"delivery", "search"},
    {"hosting"},
    # Window units' live data: trips, service notices, feeds (above portal's hooks,
    # below supervision, which counts a unit whose data stops arriving).
    {"livedata"},
    # Watching every site and judging it: reads every app below through its queries.
    {"supervision"},
    {"demo"},
    {"cityplatform"},
]
APPS = set().union(*LAYERS)
LAYER_OF = {app: level for level, layer in enumerate(LAYERS) for app in layer}

# What another app may import of each app: its modules below the app's package.
PUBLIC = {
    # Data, the shared rules (who sees which unit), domain errors, site addresses,
    # names in Chinese order, what every admin form shares; machine clients' token
    # check once they move here (api_auth).
    # Who manages which unit's configuration (authority), the configuration pages'
    # pattern (adminfaces), machine clients: their scopes, services and token check.
    "orgs": {"models", "services", "queries", "errors", "addressing", "naming", "forms", "authority", "adminfaces",
             "scopes", "clients", "api_auth"},
    # Guard serves every app, each concern a module of its own.
    "guard": {"models", "services", "audit", "ratelimit", "challenge", "screening", "sanitize",
              "webrequests", "bodylimit", "codes", "privatefiles", "sheets"},
    # Besides data and services: the extension points for apps above (hooks) and
    # the page cache they tell about their own public models (pagecache.watch).
    "portal": {"models", "services", "queries", "hooks", "pagecache", "framecache"},
    "disclosure": {"models", "services", "queries"},
    # Review, register and the publish API are each a module of publishing's services.
    "publishing": {"models", "services", "queries", "review", "register", "intake"},
    # The working-day calendar is the one deadline service (DESIGN: rules everywhere);
    # the outbox sends every app's e-mail.
    "letters": {"models", "services", "queries", "calendar", "outbox", "numbering"},
    # Site creation and registration (sites) beside the migration services.
    "hosting": {"models", "services", "queries", "sites"},
    "delivery": {"models", "services", "queries"},
    "search": {"models", "services", "queries"},
    "livedata": {"models", "services", "queries", "kinds"},
    "supervision": {"models", "services", "queries"},
}
# Apps that may import any module of the others: the demo loads a whole city, and
# the composition root wires views and URLs.
UNRESTRICTED = {"demo", "cityplatform"}

# Leaf modules: they import no app of the platform, so every app may use them,
# ``orgs`` below ``guard`` included, and an import of one makes no edge between apps.
# The audit helper is one: every service, orgs' too, writes its entry through it.
LEAVES = {"guard.audit"}

# Known imports not yet following the rules, each with the change that removes it.
# An entry no import needs any more fails too, so the list only shrinks.
EXCEPTIONS = {}


def _python_files(app):
    for path in sorted((ROOT / app).rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(dotted):
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


class _Imports(ast.NodeVisitor):
    """Every import of a file as (module, line, at_load): ``at_load`` is false for an
    import inside a function, which runs only when the function is called."""

    def __init__(self, module, is_package):
        self.package = module if is_package else module.rpartition(".")[0]
        self.found = []
        self.depth = 0

    def _in_function(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _in_function

    def visit_Import(self, node):
        for alias in node.names:
            self.found.append((alias.name, node.lineno, self.depth == 0))

    def visit_ImportFrom(self, node):
        if node.level:
            base = self.package.split(".")
            base = base[: len(base) - (node.level - 1)]
            module = ".".join(base + ([node.module] if node.module else []))
        else:
            module = node.module
        for alias in node.names:
            # ``from guard import ratelimit`` imports the module guard.ratelimit.
            target = f"{module}.{alias.name}"
            self.found.append((target if _is_module(target) else module, node.lineno, self.depth == 0))


def imports():
    """[(importing app, importing module, file, line, imported module, at_load)] of every app."""
    rows = []
    for app in sorted(APPS):
        for path in _python_files(app):
            module = _module_name(path)
            visitor = _Imports(module, path.name == "__init__.py")
            visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
            for target, line, at_load in dict.fromkeys(visitor.found):  # one row for "import a, b" of one module
                rows.append((app, module, path.relative_to(ROOT).as_posix(), line, target, at_load))
    return rows


def _other_app(app, target):
    top = target.split(".")[0]
    return top if top in APPS and top != app else None


def _where(file, line, target):
    return f"{file}:{line} imports {target}"


def check_root_is_not_imported(rows):
    return [_where(f, n, t) for app, _, f, n, t, _ in rows if app != "cityplatform" and t.split(".")[0] == "cityplatform"]


def check_public_surface(rows):
    wrong = []
    for app, _, file, line, target, _ in rows:
        other = _other_app(app, target)
        if other is None or app in UNRESTRICTED or other == "cityplatform" or (file, target) in EXCEPTIONS:
            continue
        parts = target.split(".")
        if len(parts) < 2 or parts[1] not in PUBLIC[other]:
            wrong.append(f"{_where(file, line, target)}: {other} offers {', '.join(sorted(PUBLIC[other]))}")
    return wrong


def _leaf(target):
    return any(target == leaf or target.startswith(leaf + ".") for leaf in LEAVES)


def check_leaves(rows):
    return [f"{_where(f, n, t)}: {m} is a leaf module and imports no app" for app, m, f, n, t, _ in rows
            if m in LEAVES and _other_app(app, t) is not None]


def check_layers(rows):
    wrong = []
    for app, _, file, line, target, _ in rows:
        other = _other_app(app, target)
        if other is not None and app not in UNRESTRICTED and LAYER_OF[other] > LAYER_OF[app] and not _leaf(target):
            wrong.append(f"{_where(file, line, target)}: {other} sits above {app}")
    return wrong


def _cycles(edges):
    """Strongly connected components of more than one node (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    nodes = sorted(set(edges) | {n for targets in edges.values() for n in targets})

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in nodes:
        if node not in index:
            visit(node)
    return found


def check_app_cycles(rows):
    edges, where = defaultdict(set), defaultdict(list)
    for app, _, file, line, target, _ in rows:
        other = _other_app(app, target)
        if other is not None and not _leaf(target):
            edges[app].add(other)
            where[(app, other)].append(_where(file, line, target))
    wrong = []
    for cycle in _cycles(edges):
        # The edges that run up or across the layers first: one of them is the culprit.
        pairs = sorted(((a, b) for a, b in where if a in cycle and b in cycle),
                       key=lambda pair: (LAYER_OF[pair[1]] < LAYER_OF[pair[0]], pair))
        inside = [f"{a} → {b} ({where[(a, b)][0]}" + (f", {len(where[(a, b)]) - 1} more)" if len(where[(a, b)]) > 1 else ")")
                  for a, b in pairs]
        wrong.append(f"apps {', '.join(cycle)} import each other: " + "; ".join(inside))
    return wrong


def check_module_cycles_at_load(rows):
    modules = {_module_name(path) for app in APPS for path in _python_files(app)}

    def known(target):
        while target and target not in modules:
            target = target.rpartition(".")[0]
        return target

    edges, where = defaultdict(set), {}
    for app, module, file, line, target, at_load in rows:
        target = known(target)
        if at_load and target and target != module and target.split(".")[0] == app:
            edges[module].add(target)
            where.setdefault((module, target), _where(file, line, target))
    wrong = []
    for cycle in _cycles(edges):
        inside = [w for (a, b), w in sorted(where.items()) if a in cycle and b in cycle]
        wrong.append(f"modules {' ↔ '.join(cycle)} import each other when loaded: " + "; ".join(inside))
    return wrong


def _report(wrong):
    return "\n".join(["", *wrong])


def test_the_import_reader_sees_the_apps():
    rows = imports()
    assert {app for app, *_ in rows} == APPS
    assert ("hosting", "hosting.sites", "hosting/sites.py") in {r[:3] for r in rows}
    assert any(not at_load for *_, at_load in rows)  # imports inside functions are read too


def test_no_app_imports_the_composition_root():
    wrong = check_root_is_not_imported(imports())
    assert not wrong, _report(wrong)


def test_an_app_uses_another_only_through_its_public_modules():
    wrong = check_public_surface(imports())
    assert not wrong, _report(wrong)


def test_no_import_runs_up_the_layers():
    wrong = check_layers(imports())
    assert not wrong, _report(wrong)


def test_apps_import_each_other_in_no_cycle():
    wrong = check_app_cycles(imports())
    assert not wrong, _report(wrong)


def test_leaf_modules_import_no_app():
    assert not (wrong := check_leaves(imports())), _report(wrong)


def test_modules_of_an_app_import_each_other_in_no_cycle_when_loaded():
    wrong = check_module_cycles_at_load(imports())
    assert not wrong, _report(wrong)


def test_every_exception_is_still_needed():
    used = {(file, target) for _, _, file, _, target, _ in imports()}
    stale = [f"{file} no longer imports {target}: remove it from EXCEPTIONS" for file, target in EXCEPTIONS
             if (file, target) not in used]
    assert not stale, _report(stale)


def test_the_checks_catch_what_they_are_for():
    """Each rule fails on an import that breaks it (made-up rows, no file changed)."""
    def row(app, module, target, at_load=True):
        return (app, module, module.replace(".", "/") + ".py", 1, target, at_load)

    assert check_root_is_not_imported([row("letters", "letters.views", "cityplatform.settings")])
    assert check_public_surface([row("letters", "letters.views", "portal.views")])
    assert not check_public_surface([row("letters", "letters.views", "portal.queries")])
    assert check_layers([row("portal", "portal.models", "letters.queries", at_load=False)])
    assert check_app_cycles([row("publishing", "publishing.queries", "disclosure.models"),
                             row("disclosure", "disclosure.services", "publishing.register", at_load=False)])
    assert check_module_cycles_at_load([row("guard", "guard.models", "guard.screening"),
                                        row("guard", "guard.screening", "guard.models")])
    assert not check_module_cycles_at_load([row("guard", "guard.models", "guard.screening", at_load=False),
                                            row("guard", "guard.screening", "guard.models")])
    # A leaf may be used from below its app's layer and makes no cycle; it imports no app itself.
    assert not check_layers([row("orgs", "orgs.services", "guard.audit")])
    assert not check_app_cycles([row("orgs", "orgs.services", "guard.audit"),
                                 row("guard", "guard.services", "orgs.errors")])
    assert check_app_cycles([row("orgs", "orgs.services", "guard.ratelimit"),
                             row("guard", "guard.services", "orgs.errors")])
    assert check_leaves([row("guard", "guard.audit", "orgs.models")])
