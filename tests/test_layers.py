"""The house's dependencies run one way (ARCHITECTURE "Layout"):

    core ← audit ← org ← accounts ← members ← meetings ← reviews, villages, recruitment ← reports

and the project modules (chibo/urls.py, api.py, settings.py, chibo/demo/) sit above every app.
This walks the source (AST) and the models' relations and fails on any reference against the
order, on an import inside a function that does not name the cycle it avoids, and on a new app
that is not placed in the order yet."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
LAYER = {
    "core": 0,
    "audit": 1,
    "org": 2,
    "accounts": 3,
    "members": 4,
    "meetings": 5,
    "reviews": 6,
    "villages": 6,
    "recruitment": 6,
    "reports": 7,
}
# Above every app: may import anything, imported by none of them.
PROJECT = {"demo", "urls", "api", "settings", "wsgi", "__main__"}


@dataclass(frozen=True)
class Import:
    target: str  # the dotted module imported
    line: int
    in_function: bool
    reason: str  # the comment above an import inside a function ("" if none)


def imports_of(source: str, module: str, is_package: bool = False) -> list[Import]:
    """Every import statement of `source` (the module `module`), with relative imports resolved
    and whether it sits inside a function (other than an AppConfig's `ready`)."""
    tree = ast.parse(source)
    lines = source.splitlines()
    base = module.split(".") if is_package else module.split(".")[:-1]
    found: list[Import] = []

    def visit(node, in_fn: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, in_fn or child.name != "ready")
                continue
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    up = base[: len(base) - child.level + 1]
                    names = [".".join(up + ([child.module] if child.module else []))]
                else:
                    names = [child.module or ""]
            if names:
                above = lines[child.lineno - 2].strip() if child.lineno > 1 else ""
                reason = above[1:].strip() if above.startswith("#") else ""
                found.extend(Import(n, child.lineno, in_fn, reason) for n in names)
            visit(child, in_fn)

    visit(tree, False)
    return found


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "chibo" else None


def violations(module: str, imports: list[Import], is_test: bool) -> list[str]:
    """What `module` may not import: a higher or sibling app, a project module, the project's
    tests (outside tests); and, outside tests, an import inside a function that does not say
    which cycle it avoids."""
    own = app_of(module)
    out = []
    if own in PROJECT or own is None:
        return out
    if own not in LAYER:
        return [f"{module}: app '{own}' is not placed in the order (tests/test_layers.py)"]
    for imp in imports:
        where = f"{module}:{imp.line} imports {imp.target}"
        first = imp.target.split(".")[0]
        if first == "tests" and not is_test:
            out.append(f"{where} (the project's tests)")
            continue
        target = app_of(imp.target)
        if first != "chibo" or target is None or target == own:
            if imp.in_function and not is_test and target == own and "cycle" not in imp.reason:
                out.append(f"{where} inside a function, with no comment naming the cycle")
            continue
        if target in PROJECT:
            out.append(f"{where} (a project module, above every app)")
        elif target not in LAYER:
            out.append(f"{where} ('{target}' is not placed in the order)")
        elif LAYER[target] >= LAYER[own]:
            out.append(f"{where} (against the order: {own} may use only lower apps)")
        elif imp.in_function and not is_test and "cycle" not in imp.reason:
            out.append(f"{where} inside a function, with no comment naming the cycle")
    return out


def sources():
    for path in sorted((ROOT / "chibo").rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "migrations" in rel.parts:
            continue
        parts = list(rel.with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        yield ".".join(parts), path, is_package, "tests" in rel.parts


def test_every_import_runs_down_the_order():
    found = []
    for module, path, is_package, is_test in sources():
        found += violations(module, imports_of(path.read_text(), module, is_package), is_test)
    assert not found, "\n".join(found)


def test_every_app_is_placed_in_the_order():
    ours = {c.name.split(".")[1] for c in apps.get_app_configs() if c.name.startswith("chibo.")}
    assert ours - PROJECT <= set(LAYER), sorted(ours - PROJECT - set(LAYER))


# A model may refer to its own app's models and to lower apps' only. The audit log's actor and
# unit and any reference to settings.AUTH_USER_MODEL are the allowed exceptions.
EXCEPTIONS = {("audit", "AuditLog", "actor"), ("audit", "AuditLog", "unit")}


def test_every_model_refers_down_the_order():
    found = []
    user_label = settings.AUTH_USER_MODEL.lower()
    for model in apps.get_models():
        own = model._meta.app_label
        if own not in LAYER:
            continue
        for f in model._meta.get_fields(include_hidden=True):
            if not f.is_relation or f.auto_created or f.related_model is None:
                continue
            rel = f.related_model._meta
            target = rel.app_label
            if rel.label_lower == user_label or target == own:
                continue
            if not apps.get_app_config(target).name.startswith("chibo."):
                continue  # Django's own (auth's groups and permissions of the user model)
            if (own, model.__name__, f.name) in EXCEPTIONS:
                continue
            if target not in LAYER or LAYER[target] >= LAYER[own]:
                found.append(f"{model._meta.label}.{f.name} → {rel.label}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("module", "source", "is_test", "expected"),
    [
        ("chibo.org.views", "from chibo.members.selectors import counts_on\n", False, 1),
        ("chibo.members.api", "from chibo.meetings import stats\n", False, 1),
        ("chibo.meetings.views", "from chibo.members import selectors\n", False, 0),
        ("chibo.core.x", "from chibo.audit.services import record\n", False, 1),
        ("chibo.org.x", "from ..members import seats\n", False, 1),
        ("chibo.org.x", "def f():\n    from chibo.core import text\n", False, 1),
        ("chibo.org.x", "def f():\n    # cycle: y imports x\n    from . import y\n", False, 0),
        ("chibo.org.x", "def f():\n    from . import y\n", False, 1),
        ("chibo.members.x", "from chibo.demo import province\n", False, 1),
        ("chibo.members.x", "from tests.world import make_member\n", False, 1),
        ("chibo.members.tests.t", "from tests.world import make_member\n", True, 0),
        ("chibo.org.tests.t", "from chibo.members.models import Member\n", True, 1),
        ("chibo.newapp.x", "import os\n", False, 1),
        ("chibo.demo.province", "from chibo.meetings import holding\n", False, 0),
    ],
)
def test_the_walk_sees_what_it_must(module, source, is_test, expected):
    # The checker itself: a planted violation is found, an allowed import is not.
    got = violations(module, imports_of(source, module), is_test)
    assert len(got) == expected, got


def module_graph() -> dict[str, set[str]]:
    """Which chibo module imports which at load time (imports inside functions left out): an
    import of a name that is itself a module (`from . import selectors`) counts as that module."""
    files = {m: (p, pkg) for m, p, pkg, is_test in sources() if not is_test}
    graph: dict[str, set[str]] = {}
    for module, (path, is_package) in files.items():
        tree = ast.parse(path.read_text())
        base = module.split(".") if is_package else module.split(".")[:-1]
        out: set[str] = set()
        for node in tree.body:  # module level only (a function's import runs later)
            if isinstance(node, ast.Import):
                out |= {a.name for a in node.names if a.name in files}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    up = base[: len(base) - node.level + 1]
                    target = ".".join(up + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for a in node.names:
                    if f"{target}.{a.name}" in files:
                        out.add(f"{target}.{a.name}")
                    elif target in files:
                        out.add(target)
        graph[module] = out - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import loops (strongly connected groups of more than one module), Tarjan's way."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_itself_the_long_way_round():
    # A loop inside an app works only by the luck of which module loads first (selectors →
    # followup → preparation → selectors did, until a script imported followup first).
    loops = [g for g in cycles(module_graph()) if not all(m.endswith("__init__") for m in g)]
    assert not loops, loops


def test_the_loop_finder_finds_a_loop():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
