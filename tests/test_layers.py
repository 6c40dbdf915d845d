"""Dependencies run one way: a module never imports from a Django app above its own."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Bottom first. Packages on one line are siblings: neither imports the other.
LAYERS = [
    ["core"],
    ["audit", "notices"],
    ["accounts"],
    ["projects"],
    ["apps"],
    ["support", "credentials"],
    ["auth_settings"],
    ["oauth", "platform_api"],
    ["workspace"],
    ["api", "ops"],
    ["portal"],
]
LEVEL = {package: level for level, packages in enumerate(LAYERS) for package in packages}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, and each name imported from one as module.name."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def imported_packages(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)}


def violations() -> list[str]:
    found = []
    for package, level in LEVEL.items():
        for path in sorted((ROOT / package).rglob("*.py")) if (ROOT / package).is_dir() else []:
            for imported in imported_packages(path) & LEVEL.keys():
                if imported == package:
                    continue
                if LEVEL[imported] >= level:
                    found.append(f"{path.relative_to(ROOT)} imports {imported}")
    return found


def test_every_django_app_is_placed_in_a_layer():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")} | {"core"}
    assert apps <= LEVEL.keys(), f"place these in LAYERS: {sorted(apps - LEVEL.keys())}"


def test_no_module_imports_from_a_django_app_above_or_beside_its_own():
    assert violations() == []


def test_the_check_finds_an_upward_import(tmp_path, monkeypatch):
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "rogue.py").write_text("from credentials.services import x\n")
    monkeypatch.setattr("tests.test_layers.ROOT", tmp_path)
    assert violations() == ["apps/rogue.py imports credentials"]


def views_imported_across_apps() -> list[str]:
    """A page that another app renders lives in a module of its own (e.g. credentials.pages),
    never in the other app's views: views are one app's request handlers."""
    found = []
    for package in LEVEL:
        for path in sorted((ROOT / package).rglob("*.py")) if (ROOT / package).is_dir() else []:
            for module in imported_modules(path):
                owner, _, rest = module.partition(".")
                if owner in LEVEL and owner != package and rest.split(".")[0] == "views":
                    found.append(f"{path.relative_to(ROOT)} imports {owner}.views")
    return sorted(set(found))


def test_no_module_imports_another_apps_views():
    assert views_imported_across_apps() == []


def test_the_check_finds_a_view_imported_from_another_app(tmp_path, monkeypatch):
    (tmp_path / "workspace").mkdir()
    (tmp_path / "workspace" / "views.py").write_text("from credentials.views import page\n")
    monkeypatch.setattr("tests.test_layers.ROOT", tmp_path)
    assert views_imported_across_apps() == ["workspace/views.py imports credentials.views"]
