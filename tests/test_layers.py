"""The generator's folders are its pipeline stages, and imports only go down the pipeline.

loading → model → checks → codegen → emit, with ``diagnostics`` (the shared vocabulary) and ``expressions``
(the parsers every stage reads expressions with) below them, ``pipeline`` (which runs the stages) and ``cli``
above, and ``runtime`` apart: it is copied into generated packages and imports nothing from the generator.
"""

from __future__ import annotations

import ast
from pathlib import Path

GENERATOR = Path(__file__).resolve().parent.parent / "generator"

# Lowest first: a module may import its own stage and the stages before it, never one after it.
STAGES = (
    "diagnostics",
    "expressions",
    "loading",
    "model",
    "checks",
    "codegen",
    "emit",
    "pipeline",
    "cli",
)
TOP_LEVEL = {"__init__", "__main__", "diagnostics", "pipeline"}


def _stage(module: str) -> str:
    """``generator.model.build`` → ``model``; ``generator`` itself (its ``__init__``) → ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(file: Path, module: str) -> list[tuple[int, str]]:
    package = module if file.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return [(line, target) for line, target in found if target.split(".")[0] == "generator"]


def _modules() -> list[tuple[Path, str]]:
    modules = []
    for file in sorted(GENERATOR.rglob("*.py")):
        parts = file.relative_to(GENERATOR.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules.append((file, name))
    return modules


def test_every_module_sits_in_a_stage_folder() -> None:
    flat = sorted(f.stem for f in GENERATOR.glob("*.py") if f.stem not in TOP_LEVEL)
    assert flat == [], f"modules outside the stage folders: {flat}"
    for folder in sorted(p for p in GENERATOR.iterdir() if p.is_dir() and p.name != "__pycache__"):
        assert folder.name in STAGES or folder.name == "runtime", folder.name
        assert (folder / "__init__.py").is_file(), f"{folder.name}/ has no __init__.py"


def test_imports_only_go_down_the_pipeline() -> None:
    wrong = []
    for file, module in _modules():
        stage = _stage(module)
        for line, target in _imports(file, module):
            where = f"{file.relative_to(GENERATOR.parent)}:{line} imports {target}"
            if stage == "runtime":
                if _stage(target) != "runtime":
                    wrong.append(f"{where} (the runtime imports nothing from the generator)")
                continue
            if _stage(target) == "runtime":
                continue  # the generator may read its runtime's names (copying it happens by file)
            if stage in STAGES and _stage(target) in STAGES:
                if STAGES.index(_stage(target)) > STAGES.index(stage):
                    wrong.append(
                        f"{where} (stage {stage!r} may not import the later {_stage(target)!r})"
                    )
            elif _stage(target) not in ("__init__",) and stage not in ("__init__", "__main__"):
                wrong.append(f"{where} (unknown stage)")
    assert wrong == []


def test_no_import_cycles_between_modules() -> None:
    """Module-level imports (not those inside functions) form no cycle."""
    graph: dict[str, set[str]] = {}
    names = {module for _, module in _modules()}
    for file, module in _modules():
        package = module if file.name == "__init__.py" else module.rpartition(".")[0]
        edges = set()
        for node in ast.parse(file.read_text(encoding="utf-8")).body:
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                targets = [target] + [f"{target}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            edges |= {t for t in targets if t in names and t != module}
        graph[module] = edges
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, path: list[str]) -> bool:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle.extend(path[path.index(nxt) :] + [node, nxt] if nxt in path else [node, nxt])
                return True
            if state.get(nxt) is None and visit(nxt, path + [node]):
                return True
        state[node] = 2
        return False

    for module in sorted(graph):
        if state.get(module) is None and visit(module, []):
            break
    assert cycle == [], " → ".join(cycle)
