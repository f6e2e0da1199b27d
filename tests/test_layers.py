"""Imports go one way: down the layers of LAYERS, never in a circle.

Every module of ``digitapp/`` (and the top-level ``mnist_loader``) is read
with ``ast``, imports inside functions included: an import placed in a
function to dodge a cycle at load time is still a dependency.  A module may
import from its own layer or a lower one.  A new module fails the test until
it is given a layer here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "digitapp"

#: The layers, low to high, as issue 17 sets them: maths, data, reading, learning, shells.  Names are
#: relative to the package ("gui.app"); "__init__" is the package itself; "gui" and "gui.*" are the window.
LAYERS: dict[str, tuple[str, ...]] = {
    "maths": ("network", "optimizers", "network2", "activations", "blas"),
    "data": ("mnist_loader", "files", "imagefile", "ink", "strokes", "preprocess", "segment", "augment",
             "templates", "styled", "trace", "writers", "training_data"),
    "reading": ("model_io", "recognizer", "answer", "explain", "model_info", "look_inside"),
    "learning": ("samples", "learning", "personal", "trainer", "lab"),
    "shells": ("arguments", "console", "cli", "train", "curves", "gui.*", "__main__", "__init__"),
}

#: Modules outside the package that belong to the project, by file.
TOP_LEVEL = {"mnist_loader": ROOT / "mnist_loader.py"}


def layer_of(module: str) -> int | None:
    """The layer number (1 = maths) of a module named as in LAYERS, or None when it has none."""
    for number, names in enumerate(LAYERS.values(), start=1):
        for name in names:
            if module == name or name.endswith(".*") and (module == name[:-2] or module.startswith(name[:-1])):
                return number
    return None


def layer_name(module: str) -> str:
    number = layer_of(module)
    return "no layer" if number is None else f"{list(LAYERS)[number - 1]}, layer {number}"


@dataclass(frozen=True)
class Import:
    """One project import: ``importer`` imports ``imported`` at ``where`` (file:line, and the function if any)."""

    importer: str
    imported: str
    where: str

    def __str__(self):
        return f"{self.importer} ({layer_name(self.importer)}) imports {self.imported} " \
               f"({layer_name(self.imported)}) at {self.where}"


def package_modules(root: Path = ROOT, package: str = PACKAGE) -> dict[str, Path]:
    """Every module of the package by its name relative to it ("network", "gui.app", "__init__", "gui")."""
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root / package).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def resolve(name: str, modules: dict[str, Path], top_level, package: str = PACKAGE) -> str | None:
    """The project module an absolute dotted ``name`` refers to (relative to the package), or None."""
    if name in top_level:
        return name
    if name == package:
        return "__init__"
    if name.startswith(package + "."):
        relative = name[len(package) + 1:]
        while relative and relative not in modules:  # "digitapp.x.y" where y is a name in module x: x
            relative = relative.rpartition(".")[0]
        return relative or "__init__"
    return None


def home_package(module: str, modules: dict[str, Path], package: str = PACKAGE) -> list[str]:
    """The absolute name, as parts, of the package a relative import in ``module`` starts from."""
    if module == "__init__":
        return [package]
    parts = [package, *module.split(".")]
    return parts if modules[module].name == "__init__.py" else parts[:-1]


def imports_of(module: str, path: Path, modules: dict[str, Path], top_level, root: Path = ROOT,
               package: str = PACKAGE) -> list[Import]:
    """The project modules ``module`` imports anywhere in its file (in functions and classes too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    function_of = {}  # node -> the innermost function it sits in, for the message
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if inner is not node:
                    function_of[inner] = node.name  # ast.walk goes outer first: inner functions win
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                here = home_package(module, modules, package)
                base = ".".join(here[:len(here) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names = [f"{base}.{alias.name}" for alias in node.names]  # module base.name, else a name of base
        else:
            continue
        for name in names:
            imported = resolve(name, modules, top_level, package)
            if imported is not None and imported != module:
                where = f"{path.relative_to(root).as_posix()}:{node.lineno}"
                if node in function_of:
                    where += f" (inside {function_of[node]}())"
                found.append(Import(module, imported, where))
    return found


def project_imports(root: Path = ROOT, package: str = PACKAGE, top_level=None) -> list[Import]:
    """Every project import of every module of the package and of the top-level project modules."""
    modules = package_modules(root, package)
    top_level = TOP_LEVEL if top_level is None else top_level
    found = (i for module, path in {**modules, **top_level}.items()
             for i in imports_of(module, path, modules, top_level, root, package))
    return list(dict.fromkeys(found))  # "from .x import a, b" is one import of x


def cycles(imports: list[Import]) -> list[tuple[list[str], list[Import]]]:
    """Each group of modules that import each other (directly or not), sorted, with its shortest cycle
    through its first module (as imports, in order)."""
    graph: dict[str, dict[str, Import]] = {}
    for i in imports:
        graph.setdefault(i.importer, {}).setdefault(i.imported, i)
    # Tarjan's strongly connected components
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [(sorted(group), shortest_cycle(min(group), group, graph)) for group in groups]


def shortest_cycle(start: str, group: set[str], graph: dict[str, dict[str, Import]]) -> list[Import]:
    """The fewest imports that lead from ``start`` back to it within ``group`` (breadth first)."""
    paths: dict[str, list[Import]] = {start: []}
    frontier = [start]
    while frontier:
        following = []
        for v in frontier:
            for w, edge in sorted(graph.get(v, {}).items()):
                if w == start:
                    return paths[v] + [edge]
                if w in group and w not in paths:
                    paths[w] = paths[v] + [edge]
                    following.append(w)
        frontier = following
    raise AssertionError(f"{start} is in no cycle of {sorted(group)}")


# -- the rules, on digitapp ------------------------------------------------------------------------

IMPORTS = project_imports()


def test_every_module_has_a_layer():
    unknown = sorted(m for m in [*package_modules(), *TOP_LEVEL] if layer_of(m) is None)
    if unknown:
        pytest.fail(f"give these modules a layer in LAYERS (tests/test_layers.py): {', '.join(unknown)}")


def test_no_import_goes_up_a_layer():
    upward = [i for i in IMPORTS if None not in (layer_of(i.importer), layer_of(i.imported))
              and layer_of(i.imported) > layer_of(i.importer)]
    if upward:
        pytest.fail("imports that go up a layer:\n" + "\n".join(map(str, upward)))


def test_no_import_cycle():
    found = cycles(IMPORTS)
    if found:
        pytest.fail("import cycles:\n" + "\n".join(
            f"{', '.join(group)} import each other, e.g. "
            + " -> ".join([cycle[0].importer, *(i.imported for i in cycle)])
            + "".join(f"\n    {i}" for i in cycle) for group, cycle in found))


# -- the walk itself, on a made-up package ---------------------------------------------------------

def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_the_walk_sees_every_kind_of_import(tmp_path):
    root = write(tmp_path, {
        "digitapp/__init__.py": "import importlib\n",
        "digitapp/network.py": "import numpy as np\n",
        "digitapp/preprocess.py": "from .network import Network\nfrom . import __version__\n",
        "digitapp/recognizer.py": "def read():\n    from digitapp.personal import Sample\n",
        "digitapp/personal.py": "import digitapp.recognizer\nfrom digitapp import network\n",
        "digitapp/gui/__init__.py": "",
        "digitapp/gui/app.py": ("class App:\n    def go(self):\n        from ..train import run\n"
                                "        from . import inside\n"),
        "digitapp/gui/inside.py": "from ..look_inside import TileGrid\nimport mnist_loader\n",
        "digitapp/train.py": "from .gui.app import App\n",
        "digitapp/look_inside.py": "",
        "mnist_loader.py": "import gzip\n",
    })
    found = {(i.importer, i.imported): i.where for i in
             project_imports(root, top_level={"mnist_loader": root / "mnist_loader.py"})}
    assert found == {
        ("preprocess", "network"): "digitapp/preprocess.py:1",
        ("preprocess", "__init__"): "digitapp/preprocess.py:2",
        ("recognizer", "personal"): "digitapp/recognizer.py:2 (inside read())",
        ("personal", "recognizer"): "digitapp/personal.py:1",
        ("personal", "network"): "digitapp/personal.py:2",
        ("gui.app", "train"): "digitapp/gui/app.py:3 (inside go())",
        ("gui.app", "gui.inside"): "digitapp/gui/app.py:4 (inside go())",
        ("gui.inside", "look_inside"): "digitapp/gui/inside.py:1",
        ("gui.inside", "mnist_loader"): "digitapp/gui/inside.py:2",
        ("train", "gui.app"): "digitapp/train.py:1",
    }


def test_cycles_are_found_and_shown_as_a_path():
    def imp(a, b):
        return Import(a, b, f"{a}.py:1")

    imports = [imp("a", "b"), imp("b", "c"), imp("c", "a"), imp("c", "d"), imp("d", "e"), imp("e", "d"),
               imp("x", "a")]
    found = sorted((group, [i.importer for i in cycle]) for group, cycle in cycles(imports))
    assert found == [(["a", "b", "c"], ["a", "b", "c"]), (["d", "e"], ["d", "e"])]
    shortest = cycles([imp("a", "b"), imp("b", "c"), imp("c", "d"), imp("d", "a"), imp("c", "a")])
    assert [i.importer for i in shortest[0][1]] == ["a", "b", "c"]
    assert cycles([imp("a", "b"), imp("b", "c"), imp("a", "c")]) == []


@pytest.mark.parametrize("module, layer", [("network", 1), ("mnist_loader", 2), ("look_inside", 3), ("trainer", 4),
                                           ("gui", 5), ("gui.app", 5), ("__init__", 5), ("guitar", None),
                                           ("new_module", None)])
def test_layer_of(module, layer):
    assert layer_of(module) == layer
