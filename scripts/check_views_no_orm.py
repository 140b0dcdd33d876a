"""Fail when a view queries the ORM directly: views call selectors and services instead.

Checks crisis_care/*/views.py (and crisis_care/*/views/*.py packages). Flags:

- any attribute access `.objects` (`Person.objects.filter(...)`, `models.Person.objects`);
- a call to `.filter(...)` or `.get(...)` on a name imported from a models module
  (`from .models import Person` then `Person.get(...)`-style manager shortcuts).

Importing model classes for type hints, or TextChoices for form choices, is fine.

Usage: python scripts/check_views_no_orm.py [FILE ...]
Exit status 1 (with file:line for each finding) when anything is flagged.
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERY_METHODS = frozenset({"filter", "get"})


def is_models_module(module: str) -> bool:
    """True for `models`, `.models`, `crisis_care.people.models`, `...models.contact`."""
    return "models" in module.split(".")


def names_from_models(tree: ast.Module) -> set[str]:
    """Local names bound by `from <...models...> import X [as Y]`."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and is_models_module(node.module or ""):
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def findings(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    model_names = names_from_models(tree)
    try:
        shown = path.relative_to(ROOT)
    except ValueError:
        shown = path
    found: set[tuple[int, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.add((node.lineno, "`.objects` in a view"))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in QUERY_METHODS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in model_names
        ):
            call = f"{node.func.value.id}.{node.func.attr}("
            found.add((node.lineno, f"`{call}` on a model in a view"))
    return [
        f"{shown}:{line}: {what}; call a selector or service instead"
        for line, what in sorted(found)
    ]


def view_files() -> list[Path]:
    apps = ROOT / "crisis_care"
    return sorted([*apps.glob("*/views.py"), *apps.glob("*/views/**/*.py")])


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] if argv else view_files()
    problems = [line for path in paths for line in findings(path)]
    if problems:
        print("\n".join(problems))
        print(f"views: {len(problems)} ORM quer{'y' if len(problems) == 1 else 'ies'} found")
        return 1
    print("views: no ORM queries")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
