"""batchUpdate requests for the objects a sheet carries: charts, conditional formats, data
validation, protected ranges, banding, basic filters, named ranges and developer metadata."""

from __future__ import annotations

from typing import Any, Iterator

from . import fields as masks
from .batch_update import Batch, handler, _bounds, _overlaps
from .errors import RequestError
from .state import Sheet, new_sheet

# How many ConditionValues a condition type takes: (min, max); None = unbounded.
_ARITY = {
    "NUMBER_GREATER": (1, 1), "NUMBER_GREATER_THAN_EQ": (1, 1), "NUMBER_LESS": (1, 1),
    "NUMBER_LESS_THAN_EQ": (1, 1), "NUMBER_EQ": (1, 1), "NUMBER_NOT_EQ": (1, 1),
    "NUMBER_BETWEEN": (2, 2), "NUMBER_NOT_BETWEEN": (2, 2), "TEXT_CONTAINS": (1, 1),
    "TEXT_NOT_CONTAINS": (1, 1), "TEXT_STARTS_WITH": (1, 1), "TEXT_ENDS_WITH": (1, 1),
    "TEXT_EQ": (1, 1), "TEXT_IS_EMAIL": (0, 0), "TEXT_IS_URL": (0, 0), "DATE_EQ": (1, 1),
    "DATE_BEFORE": (1, 1), "DATE_AFTER": (1, 1), "DATE_ON_OR_BEFORE": (1, 1),
    "DATE_ON_OR_AFTER": (1, 1), "DATE_BETWEEN": (2, 2), "DATE_NOT_BETWEEN": (2, 2),
    "DATE_IS_VALID": (0, 0), "ONE_OF_RANGE": (1, 1), "ONE_OF_LIST": (1, None), "BLANK": (0, 0),
    "NOT_BLANK": (0, 0), "CUSTOM_FORMULA": (1, 1), "BOOLEAN": (0, 2), "TEXT_NOT_EQ": (1, 1),
}


def _check_condition(condition: dict | None, what: str) -> None:
    if not condition or "type" not in condition:
        raise RequestError(f"{what} must have a condition type.")
    kind, count = condition["type"], len(condition.get("values") or [])
    low, high = _ARITY.get(kind, (0, None))
    if count < low or (high is not None and count > high):
        wanted = f"exactly {low}" if low == high else f"at least {low}" if high is None else f"between {low} and {high}"
        raise RequestError(f"Invalid {what}: condition {kind} requires {wanted} "
                           f"ConditionValue{'s' if high != 1 else ''}, but {count} supplied.")


def _grid_ranges(value: Any) -> Iterator[dict]:
    """Every GridRange inside a chart spec (``sources`` lists and ``range`` members)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "sources" and isinstance(item, list):
                yield from item
            else:
                yield from _grid_ranges(item)
    elif isinstance(value, list):
        for item in value:
            yield from _grid_ranges(item)


def find_chart(b: Batch, chart_id: int) -> tuple[Sheet, dict] | None:
    for sheet in b.ss.sheets:
        for chart in sheet.charts:
            if chart["chartId"] == chart_id:
                return sheet, chart
    return None


# -- charts ---------------------------------------------------------------------------------------

@handler("addChart")
def add_chart(b: Batch, req: dict) -> dict:
    chart = dict(req.get("chart") or {})
    spec = chart.get("spec") or {}
    for gr in _grid_ranges(spec):
        b.grid_range(gr)
    taken = b.object_ids()
    if "chartId" in chart:
        if chart["chartId"] in taken:
            raise RequestError(f"An object with id {chart['chartId']} already exists.")
    else:
        chart["chartId"] = b.new_id(taken)
    position = dict(chart.get("position") or {"newSheet": True})
    if position.get("newSheet"):
        sheet_id = b.new_id(taken | {chart["chartId"]})
        n = 1
        while b.ss.sheet_by_title(f"Chart{n}") is not None:
            n += 1
        host = new_sheet(sheet_id, f"Chart{n}", len(b.ss.sheets))
        host.properties["sheetType"] = "OBJECT"
        del host.properties["gridProperties"]
        b.ss.sheets.append(host)
        position = {"sheetId": sheet_id}
    elif "sheetId" in position:
        host = b.sheet(position["sheetId"], noun="sheet")
    else:
        overlay = dict(position.get("overlayPosition") or {})
        anchor = overlay.get("anchorCell") or {}
        host = b.sheet(anchor.get("sheetId"))
        overlay.setdefault("widthPixels", 600)
        overlay.setdefault("heightPixels", 371)
        position["overlayPosition"] = overlay
    chart["position"] = position
    host.charts.append(chart)
    return {"chart": chart}


@handler("updateChartSpec")
def update_chart_spec(b: Batch, req: dict) -> None:
    found = find_chart(b, req.get("chartId", 0))
    if found is None:
        raise RequestError(f"No chart with id: {req.get('chartId', 0)}")
    for gr in _grid_ranges(req.get("spec") or {}):
        b.grid_range(gr)
    found[1]["spec"] = req.get("spec") or {}


@handler("deleteEmbeddedObject")
def delete_embedded_object(b: Batch, req: dict) -> None:
    object_id = req.get("objectId", 0)
    found = find_chart(b, object_id)
    if found is None:
        raise RequestError(f"No object with id: {object_id}")
    sheet, chart = found
    sheet.charts.remove(chart)
    if not sheet.is_grid and not sheet.charts:
        b.ss.sheets.remove(sheet)
        b.ss.reindex()


# -- conditional formats and data validation ------------------------------------------------------

@handler("addConditionalFormatRule")
def add_conditional_format_rule(b: Batch, req: dict) -> None:
    rule = req.get("rule") or {}
    ranges = rule.get("ranges") or []
    if not ranges:
        raise RequestError("A conditional format rule must have at least one range.")
    sheets = {b.grid_range(gr)[0].sheet_id for gr in ranges}
    if len(sheets) > 1:
        raise RequestError("All ranges of a conditional format rule must be on the same sheet.")
    if ("booleanRule" in rule) == ("gradientRule" in rule):
        raise RequestError("A conditional format rule must have exactly one of booleanRule or "
                           "gradientRule.")
    if "booleanRule" in rule:
        _check_condition(rule["booleanRule"].get("condition"), "BooleanRule")
    sheet = b.sheet(ranges[0].get("sheetId"))
    index = req.get("index", 0)
    if not 0 <= index <= len(sheet.conditional_formats):
        raise RequestError(f"index {index} is out of range (0-{len(sheet.conditional_formats)}).")
    sheet.conditional_formats.insert(index, rule)


@handler("deleteConditionalFormatRule")
def delete_conditional_format_rule(b: Batch, req: dict) -> dict:
    sheet = b.sheet(req.get("sheetId"))
    index = req.get("index", 0)
    if not 0 <= index < len(sheet.conditional_formats):
        raise RequestError(f"No conditional format on sheet: {sheet.sheet_id} at index: {index}")
    return {"rule": sheet.conditional_formats.pop(index)}


@handler("setDataValidation")
def set_data_validation(b: Batch, req: dict) -> None:
    sheet, r0, r1, c0, c1 = b.grid_range(req.get("range"))
    rule = req.get("rule")
    if rule is not None:
        _check_condition(rule.get("condition"), "DataValidationRule")
    for r in range(r0, r1):
        for c in range(c0, c1):
            cell = dict(sheet.cell(r, c) or {})
            if rule is None:
                cell.pop("dataValidation", None)
            else:
                cell["dataValidation"] = rule
            sheet.set_cell(r, c, cell or None)


# -- protection, banding, filters, named ranges --------------------------------------------------

def _protected(b: Batch) -> Iterator[tuple[Sheet, dict]]:
    for sheet in b.ss.sheets:
        for pr in sheet.protected_ranges:
            yield sheet, pr


@handler("addProtectedRange")
def add_protected_range(b: Batch, req: dict) -> dict:
    pr = dict(req.get("protectedRange") or {})
    if sum(key in pr for key in ("range", "namedRangeId", "tableId")) > 1:
        raise RequestError("Only one of range, namedRangeId or tableId may be set.")
    if "tableId" in pr:
        raise RequestError("Tables are not supported by the emulator.")
    if "namedRangeId" in pr:
        named = next((n for n in b.ss.named_ranges if n["namedRangeId"] == pr["namedRangeId"]), None)
        if named is None:
            raise RequestError(f"No named range with id: {pr['namedRangeId']}")
        sheet = b.sheet(named["range"].get("sheetId"))
    else:
        pr.setdefault("range", {})
        sheet = b.grid_range(pr["range"])[0]
        pr["range"] = {"sheetId": sheet.sheet_id, **pr["range"]}
    if pr.get("warningOnly") and pr.get("editors"):
        raise RequestError("Cannot set editors on a warning-only protected range.")
    taken = {p["protectedRangeId"] for _, p in _protected(b)}
    pr.setdefault("protectedRangeId", b.new_id(taken))
    if not pr.get("warningOnly"):
        pr.setdefault("editors", {"users": [b.owner_email]})
    pr["requestingUserCanEdit"] = True
    sheet.protected_ranges.append(pr)
    return {"protectedRange": pr}


@handler("deleteProtectedRange")
def delete_protected_range(b: Batch, req: dict) -> None:
    target = req.get("protectedRangeId", 0)
    for sheet, pr in _protected(b):
        if pr["protectedRangeId"] == target:
            sheet.protected_ranges.remove(pr)
            return
    raise RequestError(f"No protected range with id: {target}")


@handler("addBanding")
def add_banding(b: Batch, req: dict) -> dict:
    banded = dict(req.get("bandedRange") or {})
    sheet, r0, r1, c0, c1 = b.grid_range(banded.get("range"))
    for existing in sheet.banded_ranges:
        gr = existing["range"]
        other = (gr.get("startRowIndex", 0), gr.get("endRowIndex", sheet.row_count),
                 gr.get("startColumnIndex", 0), gr.get("endColumnIndex", sheet.column_count))
        if _overlaps(other, (r0, r1, c0, c1)):
            raise RequestError("You cannot add alternating background colors to a range that "
                               "already has alternating background colors.")
    taken = {br["bandedRangeId"] for s in b.ss.sheets for br in s.banded_ranges}
    banded.setdefault("bandedRangeId", b.new_id(taken))
    banded["range"] = {"sheetId": sheet.sheet_id, **banded["range"]}
    sheet.banded_ranges.append(banded)
    return {"bandedRange": banded}


@handler("deleteBanding")
def delete_banding(b: Batch, req: dict) -> None:
    for sheet in b.ss.sheets:
        for banded in sheet.banded_ranges:
            if banded["bandedRangeId"] == req.get("bandedRangeId", 0):
                sheet.banded_ranges.remove(banded)
                return
    raise RequestError(f"No banded range with id: {req.get('bandedRangeId', 0)}")


@handler("setBasicFilter")
def set_basic_filter(b: Batch, req: dict) -> None:
    basic = dict(req.get("filter") or {})
    sheet = b.grid_range(basic.get("range"))[0]
    basic["range"] = {"sheetId": sheet.sheet_id, **(basic.get("range") or {})}
    sheet.basic_filter = basic


@handler("clearBasicFilter")
def clear_basic_filter(b: Batch, req: dict) -> None:
    b.sheet(req.get("sheetId")).basic_filter = None


@handler("addNamedRange")
def add_named_range(b: Batch, req: dict) -> dict:
    named = dict(req.get("namedRange") or {})
    name = named.get("name", "")
    import re
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) or re.fullmatch(r"(?i)[A-Z]{1,3}\d+|R\d*C\d*", name):
        raise RequestError(f"Invalid name: {name}")
    if any(n["name"].lower() == name.lower() for n in b.ss.named_ranges):
        raise RequestError(f"A named range with the name \"{name}\" already exists.")
    sheet = b.grid_range(named.get("range"))[0]
    named["range"] = {"sheetId": sheet.sheet_id, **(named.get("range") or {})}
    named.setdefault("namedRangeId", "".join(b.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                                             for _ in range(12)))
    b.ss.named_ranges.append(named)
    return {"namedRange": named}


@handler("deleteNamedRange")
def delete_named_range(b: Batch, req: dict) -> None:
    before = len(b.ss.named_ranges)
    b.ss.named_ranges = [n for n in b.ss.named_ranges if n["namedRangeId"] != req.get("namedRangeId")]
    if len(b.ss.named_ranges) == before:
        raise RequestError(f"No named range with id: {req.get('namedRangeId')}", code=404)


# -- developer metadata ---------------------------------------------------------------------------

def _all_metadata(b: Batch) -> Iterator[tuple[list, dict]]:
    for md in b.ss.developer_metadata:
        yield b.ss.developer_metadata, md
    for sheet in b.ss.sheets:
        for md in sheet.developer_metadata:
            yield sheet.developer_metadata, md


def _matches(md: dict, lookup: dict) -> bool:
    for key in ("metadataId", "metadataKey", "metadataValue", "visibility"):
        if key in lookup and md.get(key) != lookup[key]:
            return False
    if "locationType" in lookup and md["location"].get("locationType") != lookup["locationType"]:
        return False
    location = lookup.get("metadataLocation")
    if location:
        mine = md["location"]
        if "sheetId" in location and mine.get("sheetId") != location["sheetId"]:
            return False
        if location.get("spreadsheet") and not mine.get("spreadsheet"):
            return False
    return True


def _lookup(data_filter: dict) -> dict:
    lookup = data_filter.get("developerMetadataLookup")
    if lookup is None:
        raise RequestError("Only developerMetadataLookup data filters are supported by the emulator.")
    return lookup


@handler("createDeveloperMetadata")
def create_developer_metadata(b: Batch, req: dict) -> dict:
    md = dict(req.get("developerMetadata") or {})
    if "visibility" not in md:
        raise RequestError("Developer metadata visibility must be specified.")
    location = dict(md.get("location") or {})
    taken = {m["metadataId"] for _, m in _all_metadata(b)}
    if md.get("metadataId") in taken:
        raise RequestError(f"Developer metadata with id {md['metadataId']} already exists.")
    md.setdefault("metadataId", b.new_id(taken))
    if location.get("spreadsheet"):
        location["locationType"], target = "SPREADSHEET", b.ss.developer_metadata
    elif "sheetId" in location:
        location["locationType"] = "SHEET"
        target = b.sheet(location["sheetId"], noun="sheet").developer_metadata
    elif "dimensionRange" in location:
        dr = location["dimensionRange"]
        sheet = b.sheet(dr.get("sheetId"))
        location["locationType"] = "ROW" if dr.get("dimension") == "ROWS" else "COLUMN"
        target = sheet.developer_metadata
    else:
        raise RequestError("Developer metadata must have a location.")
    md["location"] = location
    target.append(md)
    return {"developerMetadata": md}


@handler("updateDeveloperMetadata")
def update_developer_metadata(b: Batch, req: dict) -> dict:
    tree = b.mask(req.get("fields"), "DeveloperMetadata")
    filters = req.get("dataFilters") or []
    if not filters:
        raise RequestError("Must specify at least one dataFilter.")
    updated = []
    for container, md in list(_all_metadata(b)):
        if any(_matches(md, _lookup(f)) for f in filters):
            new = masks.apply(md, req.get("developerMetadata") or {}, tree)
            new["metadataId"], new["location"] = md["metadataId"], new.get("location", md["location"])
            container[container.index(md)] = new
            updated.append(new)
    return {"developerMetadata": updated}


@handler("deleteDeveloperMetadata")
def delete_developer_metadata(b: Batch, req: dict) -> dict:
    lookup = _lookup(req.get("dataFilter") or {})
    deleted = []
    for container, md in list(_all_metadata(b)):
        if _matches(md, lookup):
            container.remove(md)
            deleted.append(md)
    return {"deletedDeveloperMetadata": deleted}


__all__ = ["find_chart", "_bounds"]
