"""Validate JSON values against a Google discovery document, the way Google's proto JSON parser does.

Google parses a request body into a protocol buffer. Its refusals name the path in proto
(snake_case) field names, e.g. ``Invalid JSON payload received. Unknown name "foo" at
'requests[0].add_sheet': Cannot find field.`` The validator stops at the first error, raises
:class:`SchemaError` with that message and path, and otherwise returns a normalised copy:
snake_case keys renamed to their camelCase names, ``null`` members dropped, numeric strings for
int32 and double fields turned into numbers, enums given by ordinal turned into their names.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
UINT32 = (0, 2**32 - 1)
UINT64 = (0, 2**64 - 1)
_INT_RANGES = {"int32": INT32, "int64": INT64, "uint32": UINT32, "uint64": UINT64}
_TYPE_NAMES = {"int32": "TYPE_INT32", "int64": "TYPE_INT64", "uint32": "TYPE_UINT32",
               "uint64": "TYPE_UINT64", "double": "TYPE_DOUBLE", "float": "TYPE_FLOAT"}
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$")


class SchemaError(Exception):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


def snake(name: str) -> str:
    """The proto field name Google prints in paths: ``addSheet`` -> ``add_sheet``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _repr(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Validator:
    """Validates against ``doc["schemas"]``. ``package`` names proto types in messages;
    ``unknown_fields="ignore"`` accepts and drops unknown members (Drive's behaviour, see the
    report) instead of refusing them, recording each in ``self.ignored``."""

    def __init__(self, doc: dict, package: str, unknown_fields: str = "reject"):
        self.schemas = doc["schemas"]
        self.package = package
        self.unknown_fields = unknown_fields
        self.ignored: list[str] = []
        self._props: dict[str, tuple[dict, dict]] = {}

    # -- entry points -------------------------------------------------------------------------
    def validate(self, schema_name: str, value: Any, path: str = "") -> Any:
        return self._value({"$ref": schema_name}, value, path, parent=None, name=None)

    def type_name(self, schema_name: str) -> str:
        return f"type.googleapis.com/{self.package}.{schema_name}"

    # -- internals ------------------------------------------------------------------------------
    def _properties(self, ref: str) -> tuple[dict, dict]:
        """(camelCase name -> property schema, snake_case alias -> camelCase name)."""
        if ref not in self._props:
            props = self.schemas[ref].get("properties", {})
            self._props[ref] = (props, {snake(k): k for k in props})
        return self._props[ref]

    def _value(self, schema: dict, value: Any, path: str, parent: str | None,
               name: str | None) -> Any:
        if "$ref" in schema:
            return self._message(schema["$ref"], value, path, parent, name)
        kind = schema.get("type")
        if kind == "any":
            return value
        if kind == "array":
            return self._array(schema, value, path, parent, name)
        if kind == "object":
            if "additionalProperties" in schema:
                return self._map(schema, value, path)
            return self._inline_object(schema, value, path)
        return self._scalar(schema, value, path, parent, name)

    def _array(self, schema: dict, value: Any, path: str, parent: str | None,
               name: str | None) -> list:
        items = schema.get("items", {})
        if isinstance(value, list) and items.get("type") == "any":
            return value
        if (isinstance(value, list) and items.get("type") == "array"
                and (items.get("items") or {}).get("type") == "any"):
            for i, item in enumerate(value):  # ValueRange.values: a list of lists of anything
                if not isinstance(item, list):
                    raise SchemaError(f"Invalid value at '{path}[{i}]' (type.googleapis.com/"
                                      f"google.protobuf.ListValue), {_repr(item)}", f"{path}[{i}]")
            return value
        if not isinstance(value, list):
            if "$ref" in items:
                item_type = self.type_name(items["$ref"])
            elif items.get("type") == "array":
                item_type = "type.googleapis.com/google.protobuf.ListValue"
            else:
                item_type = self._scalar_type(items)
            raise SchemaError(f"Invalid value at '{path}' ({item_type}), {_repr(value)}", path)
        out = []
        for i, item in enumerate(value):
            if item is None and items.get("type") != "any":
                continue
            if isinstance(item, list) and items.get("type") != "array" and items.get("type") != "any":
                raise SchemaError(self._not_repeating(name, parent), parent or "")
            out.append(self._value(items, item, f"{path}[{i}]", parent, name))
        return out

    def _not_repeating(self, name: str | None, parent: str | None) -> str:
        where = f" at '{parent}'" if parent else ""
        return (f"Invalid JSON payload received. Unknown name \"{name}\"{where}: "
                "Proto field is not repeating, cannot start list.")

    def _message(self, ref: str, value: Any, path: str, parent: str | None,
                 name: str | None) -> Any:
        if isinstance(value, list):
            raise SchemaError(self._not_repeating(name, parent), parent or "")
        if not isinstance(value, dict):
            raise SchemaError(f"Invalid value at '{path}' ({self.type_name(ref)}), {_repr(value)}",
                              path)
        props, aliases = self._properties(ref)
        out: dict[str, Any] = {}
        for key, item in value.items():
            prop_name = key if key in props else aliases.get(key)
            if prop_name is None:
                if self.unknown_fields == "ignore":
                    self.ignored.append(f"{path}.{key}" if path else key)
                    continue
                where = f" at '{path}'" if path else ""
                raise SchemaError(f"Invalid JSON payload received. Unknown name \"{key}\"{where}: "
                                  "Cannot find field.", path)
            if item is None:
                continue
            child = f"{path}.{snake(prop_name)}" if path else snake(prop_name)
            prop = props[prop_name]
            if isinstance(item, list) and prop.get("type") not in ("array", "any"):
                raise SchemaError(self._not_repeating(key, path or None), path)
            out[prop_name] = self._value(prop, item, child, path, key)
        return out

    def _inline_object(self, schema: dict, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise SchemaError(f"Invalid value at '{path}' (TYPE_MESSAGE), {_repr(value)}", path)
        props = schema.get("properties", {})
        out = {}
        for key, item in value.items():
            if key not in props:
                if self.unknown_fields == "ignore":
                    self.ignored.append(f"{path}.{key}")
                    continue
                raise SchemaError(f"Invalid JSON payload received. Unknown name \"{key}\" at "
                                  f"'{path}': Cannot find field.", path)
            if item is not None:
                out[key] = self._value(props[key], item, f"{path}.{snake(key)}", path, key)
        return out

    def _map(self, schema: dict, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise SchemaError(f"Invalid value at '{path}' (TYPE_MESSAGE), {_repr(value)}", path)
        inner = schema["additionalProperties"]
        return {k: self._value(inner, v, f"{path}[{k}]", path, k) for k, v in value.items()}

    def _scalar(self, schema: dict, value: Any, path: str, parent: str | None,
                name: str | None) -> Any:
        kind, fmt = schema.get("type"), schema.get("format")
        if isinstance(value, dict):
            raise SchemaError(f"Invalid value at '{path}' ({self._scalar_type(schema)}), "
                              f"{_repr(value)}", path)
        if "enum" in schema:
            return self._enum(schema, value, path)
        if kind == "boolean":
            if isinstance(value, bool):
                return value
            raise SchemaError(f"Invalid value at '{path}' (TYPE_BOOL), {_repr(value)}", path)
        if kind == "integer" or (kind == "string" and fmt in _INT_RANGES):
            return self._integer(value, fmt or "int32", path, keep_string=kind == "string")
        if kind == "number":
            return self._number(value, fmt or "double", path)
        if kind == "string":
            if not isinstance(value, str):
                raise SchemaError(f"Invalid value at '{path}' (TYPE_STRING), {_repr(value)}", path)
            if fmt == "google-datetime" and not _TIMESTAMP.match(value):
                raise SchemaError(f"Invalid value at '{path}' (type.googleapis.com/google.protobuf."
                                  f"Timestamp), Field '{path}', Invalid time format: "
                                  f"Failed to parse input", path)
            return value
        return value

    def _scalar_type(self, schema: dict) -> str:
        if "enum" in schema:
            return "TYPE_ENUM"
        kind, fmt = schema.get("type"), schema.get("format")
        if kind == "boolean":
            return "TYPE_BOOL"
        if kind in ("integer", "number") or fmt in _INT_RANGES:
            return _TYPE_NAMES.get(fmt or "int32", "TYPE_INT32")
        return "TYPE_STRING"

    def _enum(self, schema: dict, value: Any, path: str) -> str:
        names = schema["enum"]
        if isinstance(value, str) and value in names:
            return value
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
            return names[value]
        raise SchemaError(f"Invalid value at '{path}' (TYPE_ENUM), {_repr(value)}", path)

    def _integer(self, value: Any, fmt: str, path: str, keep_string: bool) -> Any:
        type_name = _TYPE_NAMES.get(fmt, "TYPE_INT32")
        number: Any = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            number = int(value)
        low, high = _INT_RANGES.get(fmt, INT32)
        if number is None or not low <= number <= high:
            raise SchemaError(f"Invalid value at '{path}' ({type_name}), {_repr(value)}", path)
        return str(number) if keep_string else number

    def _number(self, value: Any, fmt: str, path: str) -> float | int:
        type_name = _TYPE_NAMES.get(fmt, "TYPE_DOUBLE")
        if isinstance(value, bool):
            raise SchemaError(f"Invalid value at '{path}' ({type_name}), {_repr(value)}", path)
        if isinstance(value, (int, float)):
            return value
        if isinstance(value, str):
            special = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
            if value in special:
                return special[value]
            try:
                return float(value)
            except ValueError:
                pass
        raise SchemaError(f"Invalid value at '{path}' ({type_name}), {_repr(value)}", path)


# -- query parameters ----------------------------------------------------------------------------

_ENUM_TYPES = {"majorDimension": "Dimension", "responseValueRenderOption": "ValueRenderOption",
               "responseDateTimeRenderOption": "DateTimeRenderOption"}


def validate_query(method_params: dict, global_params: dict, query: dict[str, list[str]],
                   package: str) -> dict[str, Any]:
    """Check a method's query parameters; return {name: value} (lists for repeated ones).

    Unknown names are refused as Google does (``Cannot bind query parameter``); enums accept
    their names in any case and their ordinals (measured on the real API by others); booleans
    accept true/false in any case."""
    out: dict[str, Any] = {}
    for name, values in query.items():
        spec = method_params.get(name) or global_params.get(name)
        if spec is None:
            raise SchemaError(f"Invalid JSON payload received. Unknown name \"{name}\": Cannot bind "
                              f"query parameter. Field '{name}' could not be found in request "
                              "message.", name)
        if spec.get("location") == "path":
            continue
        parsed = [_query_value(name, spec, v, package) for v in values]
        out[name] = parsed if spec.get("repeated") else parsed[-1]
    return out


def _query_value(name: str, spec: dict, raw: str, package: str) -> Any:
    proto = snake(name)
    kind = spec.get("type")
    if "enum" in spec:
        names = spec["enum"]
        for candidate in names:
            if candidate.lower() == raw.lower():
                return candidate
        if raw.isdigit() and int(raw) < len(names):
            return names[int(raw)]
        type_name = _ENUM_TYPES.get(name, name[:1].upper() + name[1:])
        raise SchemaError(f"Invalid value at '{proto}' (type.googleapis.com/{package}."
                          f"{type_name}), \"{raw}\"", proto)
    if kind == "boolean":
        if raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        raise SchemaError(f"Invalid value at '{proto}' (TYPE_BOOL), \"{raw}\"", proto)
    if kind == "integer":
        if re.fullmatch(r"-?\d+", raw) and INT32[0] <= int(raw) <= INT32[1]:
            return int(raw)
        raise SchemaError(f"Invalid value at '{proto}' (TYPE_INT32), \"{raw}\"", proto)
    return raw
