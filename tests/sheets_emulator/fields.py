"""Field masks: the ``fields`` query parameter (partial responses) and the ``fields`` member of
update requests (``title,gridProperties.frozenRowCount``, ``userEnteredFormat(numberFormat)``).

Both use one grammar: comma-separated paths, ``.`` or ``/`` between names, ``a(b,c)`` for
sub-selections and ``*`` for everything. A mask is parsed to a tree ``{name: subtree or None}``.
Spaces are not trimmed: Sheets refuses ``properties, sheets.properties`` as Google does.
"""

from __future__ import annotations

import copy
from typing import Any

Tree = dict[str, Any]


class MaskError(Exception):
    def __init__(self, path: str):
        super().__init__(path)
        self.path = path


def parse(mask: str) -> Tree:
    tree, rest = _selections(mask, 0)
    if rest != len(mask):
        raise MaskError(mask)
    return tree


def _selections(text: str, pos: int) -> tuple[Tree, int]:
    tree: Tree = {}
    while True:
        pos = _selection(text, pos, tree)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        return tree, pos


def _selection(text: str, pos: int, tree: Tree) -> int:
    start = pos
    while pos < len(text) and text[pos] not in ",()":
        pos += 1
    path = text[start:pos]
    if not path:
        raise MaskError(text)
    names = path.replace("/", ".").split(".")
    if any(n == "" for n in names):
        raise MaskError(path)
    sub: Any = None
    if pos < len(text) and text[pos] == "(":
        sub, pos = _selections(text, pos + 1)
        if pos >= len(text) or text[pos] != ")":
            raise MaskError(text)
        pos += 1
    node = tree
    for name in names[:-1]:
        existing = node.get(name, {})
        if existing is None:
            return pos  # already fully selected
        node = node.setdefault(name, existing)
    last = names[-1]
    if sub is None or node.get(last, {}) is None:
        node[last] = None
    else:
        merged = node.setdefault(last, {})
        merged.update(sub)
    return pos


def check(tree: Tree, schema_name: str | None, schemas: dict, prefix: str = "") -> None:
    """Raise MaskError(path) for a name the schema does not have."""
    if schema_name is None:
        return
    props = schemas[schema_name].get("properties", {})
    for name, sub in tree.items():
        path = f"{prefix}{name}"
        if name == "*":
            continue
        if name not in props:
            raise MaskError(path)
        if sub:
            check(sub, _ref(props[name]), schemas, path + ".")


def _ref(prop: dict) -> str | None:
    if "$ref" in prop:
        return prop["$ref"]
    items = prop.get("items") or {}
    if "$ref" in items:
        return items["$ref"]
    return None


def select(value: Any, tree: Tree | None) -> Any:
    """The partial response: keep only what ``tree`` names."""
    if tree is None or "*" in (tree or {}):
        return value
    if isinstance(value, list):
        return [select(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for name, sub in tree.items():
        if name in value:
            chosen = select(value[name], sub)
            if chosen != {} or sub is None:
                out[name] = chosen
    return out


def apply(target: dict, source: dict, tree: Tree) -> dict:
    """``target`` updated from ``source`` for the masked fields; a masked field absent from
    ``source`` is cleared. Returns a new dict; neither argument is changed."""
    if "*" in tree:
        return copy.deepcopy(source)
    out = dict(target)
    for name, sub in tree.items():
        if sub is None:
            if name in source:
                out[name] = copy.deepcopy(source[name])
            else:
                out.pop(name, None)
        else:
            inner = apply(out.get(name) or {}, source.get(name) or {}, sub)
            if inner:
                out[name] = inner
            else:
                out.pop(name, None)
    return out


def update_mask(mask: str | None, schema_name: str, schemas: dict) -> Tree:
    """Parse and check an update request's ``fields``; raise ValueError with Google's sentence."""
    if not mask:
        raise ValueError("At least one field must be listed in 'fields'. "
                         "(Use '*' to indicate all fields.)")
    try:
        tree = parse(mask)
        check(tree, schema_name, schemas)
    except MaskError as error:
        raise ValueError(f"Invalid field mask: {error.path}") from None
    return tree
