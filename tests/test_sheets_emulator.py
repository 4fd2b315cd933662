"""The Sheets API emulator itself: Google's validation messages, all-or-nothing batches, value
semantics (RAW vs USER_ENTERED, trimming, serial dates), auth, injected failures, and gspread 6.2.1
talking to it. Everything runs offline on 127.0.0.1."""

from __future__ import annotations

import pytest

requests = pytest.importorskip("requests")
pytest.importorskip("googleapiclient")

from tests.sheets_emulator import SheetsEmulator, emulator_fixture  # noqa: E402
from tests.sheets_emulator.a1 import A1, format_range, parse  # noqa: E402
from tests.sheets_emulator.discovery import api  # noqa: E402
from tests.sheets_emulator.errors import ApiError  # noqa: E402
from tests.sheets_emulator.schema import SchemaError  # noqa: E402

emulator = emulator_fixture()


@pytest.fixture
def sid(emulator):
    return emulator.create_spreadsheet("Client", sheets={
        "Raw Data": [["order", "date", "amount"], ["A1", 45296, 100], ["A2", 45297, 50.5]],
        "Settings": [["lang", "fr"]],
    })


def call(emulator, verb, path, token="test-token", **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(verb, emulator.base_url + path, headers=headers, timeout=10, **kwargs)


def batch(emulator, sid, *reqs):
    return call(emulator, "POST", f"/v4/spreadsheets/{sid}:batchUpdate", json={"requests": list(reqs)})


def error_of(response) -> dict:
    return response.json()["error"]


# -- validation against the discovery document ------------------------------------------------------

def test_unknown_field_is_refused_with_googles_message_and_proto_path(emulator, sid):
    response = batch(emulator, sid, {"addSheet": {"properties": {"title": "X"}, "foo": 1}})
    assert response.status_code == 400
    error = error_of(response)
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["message"] == ("Invalid JSON payload received. Unknown name \"foo\" at "
                                "'requests[0].add_sheet': Cannot find field.")
    assert error["details"][0]["fieldViolations"][0]["field"] == "requests[0].add_sheet"


def test_wrong_enum_and_wrong_type_name_the_exact_field():
    validator = api().validators["sheets"]
    with pytest.raises(SchemaError) as wrong_enum:
        validator.validate("BatchUpdateSpreadsheetRequest", {"requests": [
            {"addSheet": {}},
            {"repeatCell": {"cell": {"userEnteredFormat": {"horizontalAlignment": "MIDDLE"}},
                            "fields": "*"}}]})
    assert wrong_enum.value.message == (
        "Invalid value at 'requests[1].repeat_cell.cell.user_entered_format.horizontal_alignment' "
        "(TYPE_ENUM), \"MIDDLE\"")
    with pytest.raises(SchemaError) as wrong_type:
        validator.validate("BatchUpdateSpreadsheetRequest", {"requests": [
            {"updateSheetProperties": {"properties": {"gridProperties": {"frozenRowCount": "one"}},
                                       "fields": "gridProperties.frozenRowCount"}}]})
    assert wrong_type.value.message == ("Invalid value at 'requests[0].update_sheet_properties."
                                        "properties.grid_properties.frozen_row_count' (TYPE_INT32), \"one\"")
    with pytest.raises(SchemaError) as not_a_list:
        validator.validate("BatchUpdateSpreadsheetRequest", {"requests": {"addSheet": {}}})
    assert "requests" in not_a_list.value.message


def test_validator_normalises_like_protojson():
    validator = api().validators["sheets"]
    body = validator.validate("BatchUpdateSpreadsheetRequest", {"requests": [
        {"add_sheet": {"properties": {"title": "T", "index": "2", "hidden": None}}}]})
    assert body == {"requests": [{"addSheet": {"properties": {"title": "T", "index": 2}}}]}
    with pytest.raises(SchemaError, match="Proto field is not repeating, cannot start list"):
        validator.validate("BatchUpdateSpreadsheetRequest", {"requests": [{"addSheet": [1]}]})


def test_query_parameters_are_validated(emulator, sid):
    wrong_enum = call(emulator, "PUT", f"/v4/spreadsheets/{sid}/values/Settings!A1",
                      params={"valueInputOption": "USER_ENTER"}, json={"values": [[1]]})
    assert wrong_enum.status_code == 400
    assert error_of(wrong_enum)["message"] == ("Invalid value at 'value_input_option' "
                                               "(type.googleapis.com/google.apps.sheets.v4."
                                               "ValueInputOption), \"USER_ENTER\"")
    unknown = call(emulator, "GET", f"/v4/spreadsheets/{sid}", params={"includeGridDatta": "true"})
    assert error_of(unknown)["message"].startswith(
        "Invalid JSON payload received. Unknown name \"includeGridDatta\": Cannot bind query parameter.")
    missing = call(emulator, "PUT", f"/v4/spreadsheets/{sid}/values/Settings!A1", json={"values": [[1]]})
    assert error_of(missing)["message"] == "'valueInputOption' is required but not specified"


def test_values_cells_cannot_be_objects(emulator, sid):
    response = call(emulator, "POST", f"/v4/spreadsheets/{sid}/values:batchUpdate", json={
        "valueInputOption": "RAW", "data": [{"range": "Settings!A1", "values": [["ok", {"a": 1}]]}]})
    assert response.status_code == 400
    assert error_of(response)["message"].startswith("Invalid values[0][1]: struct_value {")


# -- batchUpdate --------------------------------------------------------------------------------------

def test_batch_update_is_all_or_nothing(emulator, sid):
    response = batch(emulator, sid,
                     {"addSheet": {"properties": {"title": "Master"}}},
                     {"updateSheetProperties": {"properties": {"sheetId": 0, "title": "Renamed"},
                                                "fields": "title"}},
                     {"addSheet": {"properties": {"title": "settings"}}})
    assert response.status_code == 400
    assert error_of(response)["message"] == ('Invalid requests[2].addSheet: A sheet with the name '
                                             '"settings" already exists. Please enter another name.')
    assert emulator.spreadsheet(sid).titles == ["Raw Data", "Settings"]


def test_batch_update_replies_in_order(emulator, sid):
    source = {"sourceRange": {"sources": [{"sheetId": 0, "startRowIndex": 0, "endRowIndex": 3,
                                           "startColumnIndex": 0, "endColumnIndex": 1}]}}
    settings_id = _id(emulator, sid, "Settings")
    response = batch(
        emulator, sid,
        {"addSheet": {"properties": {"title": "Master", "gridProperties": {"frozenRowCount": 1}}}},
        {"updateCells": {"start": {"sheetId": 0, "rowIndex": 4, "columnIndex": 0},
                         "rows": [{"values": [{"userEnteredValue": {"stringValue": "x"}}]}],
                         "fields": "userEnteredValue"}},
        {"addChart": {"chart": {"spec": {"title": "CA", "basicChart": {
            "chartType": "COLUMN", "domains": [{"domain": source}], "series": [{"series": source}]}},
            "position": {"overlayPosition": {"anchorCell": {"sheetId": 0, "rowIndex": 1}}}}}},
        {"addProtectedRange": {"protectedRange": {"range": {"sheetId": 0}, "warningOnly": True}}},
        {"addConditionalFormatRule": {"rule": {
            "ranges": [{"sheetId": 0, "startRowIndex": 1, "endRowIndex": 3, "startColumnIndex": 2,
                        "endColumnIndex": 3}],
            "gradientRule": {"minpoint": {"color": {"red": 1}, "type": "MIN"},
                             "maxpoint": {"color": {"green": 1}, "type": "MAX"}}}}},
        {"setDataValidation": {"range": {"sheetId": settings_id, "startRowIndex": 0, "endRowIndex": 1,
                                         "startColumnIndex": 1, "endColumnIndex": 2},
                               "rule": {"condition": {"type": "ONE_OF_LIST", "values": [
                                   {"userEnteredValue": "fr"}, {"userEnteredValue": "en"}]},
                                   "strict": True, "showCustomUi": True}}},
        {"mergeCells": {"range": {"sheetId": 0, "startRowIndex": 6, "endRowIndex": 7,
                                  "startColumnIndex": 0, "endColumnIndex": 3},
                        "mergeType": "MERGE_ALL"}},
        {"updateDimensionProperties": {"range": {"sheetId": 0, "dimension": "COLUMNS",
                                                 "startIndex": 0, "endIndex": 1},
                                       "properties": {"pixelSize": 180}, "fields": "pixelSize"}})
    assert response.status_code == 200, response.text
    replies = response.json()["replies"]
    assert replies[0]["addSheet"]["properties"]["title"] == "Master"
    assert replies[0]["addSheet"]["properties"]["index"] == 2
    assert replies[1] == {}
    chart_id = replies[2]["addChart"]["chart"]["chartId"]
    assert isinstance(chart_id, int)
    assert replies[3]["addProtectedRange"]["protectedRange"]["warningOnly"] is True
    assert replies[4:] == [{}, {}, {}, {}]
    raw = emulator.sheet(sid, "Raw Data")
    assert [c["chartId"] for c in raw.charts] == [chart_id]
    assert len(raw.conditional_formats) == 1 and len(raw.protected_ranges) == 1
    assert raw.merges == [{"sheetId": 0, "startRowIndex": 6, "endRowIndex": 7,
                           "startColumnIndex": 0, "endColumnIndex": 3}]
    assert raw.column_width(0) == 180
    assert emulator.values(sid, "'Raw Data'!A5") == [["x"]]
    settings = emulator.sheet(sid, "Settings")
    assert settings.data_validations()[(0, 1)]["condition"]["type"] == "ONE_OF_LIST"
    assert emulator.sheet(sid, "Master").frozen_rows == 1


def _id(emulator, sid, title):
    return emulator.sheet(sid, title).sheet_id


def test_semantic_errors_read_like_googles(emulator, sid):
    cases = [
        ({"repeatCell": {"range": {"sheetId": 123}, "cell": {}, "fields": "*"}},
         "Invalid requests[0].repeatCell: No grid with id: 123"),
        ({"updateSheetProperties": {"properties": {"sheetId": 9, "title": "x"}, "fields": "title"}},
         "Invalid requests[0].updateSheetProperties: No sheet with id: 9"),
        ({"repeatCell": {"range": {"sheetId": 0}, "cell": {}}},
         "Invalid requests[0].repeatCell: At least one field must be listed in 'fields'. "
         "(Use '*' to indicate all fields.)"),
        ({"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS"}}},
         "Invalid requests[0].deleteDimension: You can't delete all the rows on the sheet."),
        ({}, "Invalid requests[0]: No request set."),
    ]
    for request, message in cases:
        response = batch(emulator, sid, request)
        assert (response.status_code, error_of(response)["message"]) == (400, message)
    assert error_of(batch(emulator, sid))["message"] == "Must specify at least one request."


def test_cell_limit_is_enforced():
    with SheetsEmulator(cell_limit=60_000) as small:
        sid = small.create_spreadsheet("Big")  # one 1000 x 26 sheet: 26,000 cells
        ok = batch(small, sid, {"addSheet": {"properties": {"title": "Two"}}})
        assert ok.status_code == 200
        too_many = batch(small, sid, {"appendDimension": {"sheetId": 0, "dimension": "ROWS",
                                                          "length": 500}})
        assert error_of(too_many)["message"] == (
            "Invalid requests[0].appendDimension: This action would increase the number of cells "
            "in the workbook above the limit of 60000 cells.")


# -- values -----------------------------------------------------------------------------------------

def _get(emulator, sid, range_, option="UNFORMATTED_VALUE", **params):
    response = call(emulator, "GET", f"/v4/spreadsheets/{sid}/values/{range_}",
                    params={"valueRenderOption": option, **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_raw_keeps_formula_text_and_user_entered_parses(emulator, sid):
    rows = [['=HYPERLINK("x")', "0123", "=1+2", "TRUE"]]
    for option, row in (("RAW", "Settings!A2"), ("USER_ENTERED", "Settings!A3")):
        response = call(emulator, "PUT", f"/v4/spreadsheets/{sid}/values/{row}",
                        params={"valueInputOption": option}, json={"values": rows})
        assert response.json()["updatedRange"] == f"{row}:D{row[-1]}"
    assert _get(emulator, sid, "Settings!A2:D3")["values"] == [
        ['=HYPERLINK("x")', "0123", "=1+2", "TRUE"], ["x", 123, 3, True]]
    assert _get(emulator, sid, "Settings!A2:D3", "FORMULA")["values"] == [
        ['=HYPERLINK("x")', "0123", "=1+2", "TRUE"], ['=HYPERLINK("x")', 123, "=1+2", True]]
    assert _get(emulator, sid, "Settings!A3:D3", "FORMATTED_VALUE")["values"] == [["x", "123", "3", "TRUE"]]


def test_batch_get_trims_like_google(emulator, sid):
    call(emulator, "POST", f"/v4/spreadsheets/{sid}/values:batchUpdate", json={
        "valueInputOption": "RAW",
        "data": [{"range": "Settings!A5", "values": [["", "b", None, ""]]},
                 {"range": "Settings!D7", "values": [["far"]]}]})
    response = call(emulator, "GET", f"/v4/spreadsheets/{sid}/values:batchGet", params={
        "ranges": ["Settings", "Settings!A1:C", "Settings!F20:G30"], "majorDimension": "ROWS",
        "valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"})
    whole, partial, empty = response.json()["valueRanges"]
    assert whole["range"] == "Settings!A1:Z1000"
    assert whole["values"] == [["lang", "fr"], [], [], [], ["", "b"], [], ["", "", "", "far"]]
    assert partial["values"] == [["lang", "fr"], [], [], [], ["", "b"]]
    assert empty == {"range": "Settings!F20:G30", "majorDimension": "ROWS"}
    columns = _get(emulator, sid, "Settings!A1:B5", majorDimension="COLUMNS")
    assert columns["values"] == [["lang"], ["fr", "", "", "", "b"]]


def test_dates_come_back_as_serial_numbers(emulator, sid):
    call(emulator, "PUT", f"/v4/spreadsheets/{sid}/values/Settings!A1",
         params={"valueInputOption": "USER_ENTERED"}, json={"values": [["2024-12-31", "31/12/2024"]]})
    assert _get(emulator, sid, "Settings!A1:B1", dateTimeRenderOption="SERIAL_NUMBER")["values"] == [[45657, "31/12/2024"]]
    assert _get(emulator, sid, "Settings!A1", dateTimeRenderOption="FORMATTED_STRING")["values"] == [["2024-12-31"]]
    assert _get(emulator, sid, "'Raw Data'!B2:C3")["values"] == [[45296, 100], [45297, 50.5]]
    fr = emulator.create_spreadsheet("FR", sheets={"Raw Data": []}, locale="fr_FR")
    call(emulator, "PUT", f"/v4/spreadsheets/{fr}/values/'Raw Data'!A1",
         params={"valueInputOption": "USER_ENTERED"}, json={"values": [["31/12/2024", "1 234,5"]]})
    assert emulator.values(fr, "Raw Data") == [[45657, 1234.5]]


def test_writes_do_not_grow_the_grid_but_append_does(emulator):
    sid = emulator.create_spreadsheet("Small")
    batch(emulator, sid, {"updateSheetProperties": {"properties": {
        "sheetId": 0, "gridProperties": {"rowCount": 2, "columnCount": 2}}, "fields": "gridProperties"}})
    over = call(emulator, "PUT", f"/v4/spreadsheets/{sid}/values/Sheet1!A2",
                params={"valueInputOption": "RAW"}, json={"values": [["a"], ["b"]]})
    assert error_of(over)["message"] == ("Range (Sheet1!A2:A3) exceeds grid limits. Max rows: 2, "
                                         "max columns: 2")
    narrow = call(emulator, "PUT", f"/v4/spreadsheets/{sid}/values/Sheet1!A1:B1",
                  params={"valueInputOption": "RAW"}, json={"values": [["a", "b", "c"]]})
    assert error_of(narrow)["message"] == ("Requested writing within range [Sheet1!A1:B1], but "
                                           "tried writing to column [C]")
    appended = call(emulator, "POST", f"/v4/spreadsheets/{sid}/values/Sheet1!A1:append",
                    params={"valueInputOption": "RAW"}, json={"values": [["x"], ["y"], ["z"]]})
    assert appended.json()["updates"]["updatedRange"] == "Sheet1!A1:A3"
    again = call(emulator, "POST", f"/v4/spreadsheets/{sid}/values/Sheet1!A1:append",
                 params={"valueInputOption": "RAW"}, json={"values": [["w"]]})
    assert again.json()["tableRange"] == "Sheet1!A1:A3"
    assert emulator.values(sid, "Sheet1") == [["x"], ["y"], ["z"], ["w"]]


def test_values_batch_update_is_all_or_nothing(emulator, sid):
    response = call(emulator, "POST", f"/v4/spreadsheets/{sid}/values:batchUpdate", json={
        "valueInputOption": "RAW", "data": [{"range": "Settings!A1", "values": [["changed"]]},
                                            {"range": "Nope!A1", "values": [["x"]]}]})
    assert error_of(response)["message"] == "Unable to parse range: Nope!A1"
    assert emulator.values(sid, "Settings") == [["lang", "fr"]]


def test_append_finds_the_table_from_one_cell(emulator, sid):
    response = call(emulator, "POST", f"/v4/spreadsheets/{sid}/values/'Raw Data'!A1:append",
                    params={"valueInputOption": "USER_ENTERED", "insertDataOption": "INSERT_ROWS"},
                    json={"values": [["A3", "2024-01-07", "25"]]})
    assert response.json()["tableRange"] == "'Raw Data'!A1:C3"
    assert response.json()["updates"]["updatedRange"] == "'Raw Data'!A4:C4"
    assert emulator.values(sid, "Raw Data")[-1] == ["A3", 45298, 25]
    assert emulator.sheet(sid, "Raw Data").row_count == 1001


def test_unknown_sheet_in_range(emulator, sid):
    response = call(emulator, "GET", f"/v4/spreadsheets/{sid}/values/Nope!A1")
    assert error_of(response)["message"] == "Unable to parse range: Nope!A1"


def test_a1_notation():
    assert parse("'Raw Data'!A1:Z") == A1("Raw Data", 0, None, 0, 26)
    assert (parse("Sheet1!B2:D").start_row, parse("Sheet1!B2:D").end_col) == (1, 4)
    assert parse("'It''s'!A:A").sheet == "It's"
    assert parse("'Raw Data'", ["Raw Data"]).whole_sheet
    assert (parse("2:5").start_row, parse("2:5").end_row, parse("2:5").end_col) == (1, 5, None)
    with pytest.raises(ApiError, match="Unable to parse range: Items & Stock!A2:P"):
        parse("Items & Stock!A2:P")
    assert format_range("Raw Data", 0, 1000, 0, 26) == "'Raw Data'!A1:Z1000"
    assert format_range("Sheet1", 1, 2, 1, 2) == "Sheet1!B2"


# -- spreadsheets.get ------------------------------------------------------------------------------

def test_get_with_fields_and_grid_data(emulator, sid):
    meta = call(emulator, "GET", f"/v4/spreadsheets/{sid}",
                params={"fields": "sheets(properties(sheetId,title))"}).json()
    assert meta == {"sheets": [{"properties": {"sheetId": 0, "title": "Raw Data"}},
                               {"properties": {"sheetId": _id(emulator, sid, "Settings"), "title": "Settings"}}]}
    bad = call(emulator, "GET", f"/v4/spreadsheets/{sid}", params={"fields": "properties, sheets"})
    assert error_of(bad)["message"] == "Request contains an invalid argument."
    grid = call(emulator, "GET", f"/v4/spreadsheets/{sid}",
                params={"ranges": "'Raw Data'!A2:C2", "includeGridData": "true"}).json()
    assert len(grid["sheets"]) == 1
    cell = grid["sheets"][0]["data"][0]["rowData"][0]["values"][2]
    assert cell["userEnteredValue"] == {"numberValue": 100}
    assert cell["formattedValue"] == "100"


# -- auth and failures -------------------------------------------------------------------------------

def test_auth_errors(emulator, sid):
    bad = call(emulator, "GET", f"/v4/spreadsheets/{sid}", token="expired")
    assert (bad.status_code, error_of(bad)["status"]) == (401, "UNAUTHENTICATED")
    assert call(emulator, "GET", f"/v4/spreadsheets/{sid}", token=None).status_code == 403
    assert call(emulator, "POST", f"/v4/spreadsheets/{sid}:batchUpdate", token=None,
                json={"requests": []}).status_code == 401
    emulator.add_token("robot-token", spreadsheets=[], email="robot@project.iam.gserviceaccount.com")
    denied = call(emulator, "GET", f"/v4/spreadsheets/{sid}", token="robot-token")
    assert (denied.status_code, error_of(denied)["message"]) == (403, "The caller does not have permission")
    missing = call(emulator, "GET", "/v4/spreadsheets/1doesNotExist")
    assert (missing.status_code, error_of(missing)["message"]) == (404, "Requested entity was not found.")
    call(emulator, "POST", f"/drive/v3/files/{sid}/permissions",
         json={"type": "user", "role": "writer", "emailAddress": "robot@project.iam.gserviceaccount.com"})
    assert call(emulator, "GET", f"/v4/spreadsheets/{sid}", token="robot-token").status_code == 200


def test_injected_quota_error_then_recovery(emulator, sid):
    emulator.inject(429, method="values.batchGet")
    path = f"/v4/spreadsheets/{sid}/values:batchGet"
    first = call(emulator, "GET", path, params={"ranges": "Settings"})
    assert first.status_code == 429
    error = error_of(first)
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert error["message"].startswith("Quota exceeded for quota metric 'Read requests' and limit "
                                       "'Read requests per minute per user' of service 'sheets.googleapis.com'")
    assert call(emulator, "GET", path, params={"ranges": "Settings"}).status_code == 200
    emulator.inject(503, times=2)
    assert [call(emulator, "GET", path).status_code for _ in range(3)] == [503, 503, 200]
    emulator.inject(502)
    gateway = call(emulator, "GET", path)
    assert gateway.status_code == 502 and gateway.headers["Content-Type"].startswith("text/html")


def test_faults_at_a_position_drops_and_delays(emulator, sid):
    path = f"/v4/spreadsheets/{sid}/values:batchGet"
    emulator.inject(500, skip=1)
    assert [call(emulator, "GET", path).status_code for _ in range(3)] == [200, 500, 200]
    emulator.drop(skip=1)
    assert call(emulator, "GET", path).status_code == 200
    with pytest.raises(requests.ConnectionError):
        call(emulator, "GET", path)
    # dropped after it was applied: the write took effect, only the answer is lost
    emulator.drop(applied=True)
    with pytest.raises(requests.ConnectionError):
        call(emulator, "PUT", f"/v4/spreadsheets/{sid}/values/Settings!B1",
             params={"valueInputOption": "RAW"}, json={"values": [["en"]]})
    assert emulator.values(sid, "Settings") == [["lang", "en"]]
    emulator.delay(0.5, times=1)
    with pytest.raises(requests.Timeout):
        requests.get(emulator.base_url + path, headers={"Authorization": "Bearer test-token"},
                     timeout=0.1)
    emulator.idle()
    emulator.inject(503, times=5)
    emulator.clear_faults()
    assert call(emulator, "GET", path).status_code == 200


def test_copy_paste_values_keeps_formats_and_text(emulator, sid):
    sheet_id = emulator.properties(sid)["Raw Data"]["sheetId"]
    formula = "=1+1"
    assert batch(emulator, sid, {"updateCells": {
        "range": {"sheetId": sheet_id, "startRowIndex": 5, "endRowIndex": 6,
                  "startColumnIndex": 0, "endColumnIndex": 2},
        "rows": [{"values": [{"userEnteredValue": {"stringValue": formula}},
                             {"userEnteredValue": {"formulaValue": "=2+3"}}]}],
        "fields": "userEnteredValue"}}, {"repeatCell": {
        "range": {"sheetId": sheet_id, "startRowIndex": 7, "endRowIndex": 8,
                  "startColumnIndex": 0, "endColumnIndex": 2},
        "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
        "fields": "userEnteredFormat"}}, {"copyPaste": {
        "source": {"sheetId": sheet_id, "startRowIndex": 5, "endRowIndex": 6,
                   "startColumnIndex": 0, "endColumnIndex": 2},
        "destination": {"sheetId": sheet_id, "startRowIndex": 7, "endRowIndex": 8,
                        "startColumnIndex": 0, "endColumnIndex": 2},
        "pasteType": "PASTE_VALUES"}}).status_code == 200
    cells = emulator.sheet(sid, "Raw Data").cells
    assert cells[(7, 0)]["userEnteredValue"] == {"stringValue": formula}     # text stays text
    assert cells[(7, 1)]["userEnteredValue"] == {"numberValue": 5}           # the result
    assert cells[(7, 0)]["userEnteredFormat"]["textFormat"]["bold"] is True  # formats stay


def test_counters_and_log(emulator, sid):
    call(emulator, "GET", f"/v4/spreadsheets/{sid}")
    call(emulator, "GET", f"/v4/spreadsheets/{sid}/values:batchGet", params={"ranges": "Settings"})
    call(emulator, "POST", f"/v4/spreadsheets/{sid}/values:batchClear", json={"ranges": ["Settings"]})
    call(emulator, "GET", f"/v4/spreadsheets/{sid}", token="not-a-token")
    assert (emulator.reads, emulator.writes) == (2, 1)
    assert [(r.method, r.status) for r in emulator.requests] == [
        ("spreadsheets.get", 200), ("spreadsheets.values.batchGet", 200),
        ("spreadsheets.values.batchClear", 200), ("spreadsheets.get", 401)]
    assert emulator.calls("values.batchClear")[0].body == {"ranges": ["Settings"]}
    emulator.reset_counts()
    assert (emulator.reads, emulator.writes) == (0, 0)


def test_body_size_limit():
    with SheetsEmulator(max_body_bytes=1000) as small:
        sid = small.create_spreadsheet("S")
        response = call(small, "POST", f"/v4/spreadsheets/{sid}/values:batchUpdate", json={
            "valueInputOption": "RAW", "data": [{"range": "A1", "values": [["x" * 2000]]}]})
        assert response.status_code == 413
        assert small.values(sid, "Sheet1") == []


# -- real clients -------------------------------------------------------------------------------------

def test_gspread_works_against_the_emulator(emulator, sid):
    gspread = pytest.importorskip("gspread")
    from google.oauth2.credentials import Credentials

    client = gspread.authorize(Credentials(token="test-token"), http_client=emulator.http_client_class())
    spreadsheet = client.open_by_key(sid)
    assert [ws.title for ws in spreadsheet.worksheets()] == ["Raw Data", "Settings"]
    values = spreadsheet.values_batch_get(["'Raw Data'!A1:C", "Settings"], params={
        "valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"})
    assert values["valueRanges"][0]["values"][1] == ["A1", 45296, 100]
    spreadsheet.values_batch_update({"valueInputOption": "RAW", "data": [
        {"range": "Settings!A2", "values": [['=HYPERLINK("x")', 3]]}]})
    assert emulator.values(sid, "Settings") == [["lang", "fr"], ['=HYPERLINK("x")', 3]]
    out = spreadsheet.add_worksheet("Master", rows=20, cols=5)
    reply = spreadsheet.batch_update({"requests": [{"updateSheetProperties": {
        "properties": {"sheetId": out.id, "gridProperties": {"frozenRowCount": 1}},
        "fields": "gridProperties.frozenRowCount"}}]})
    assert reply["replies"] == [{}]
    assert emulator.sheet(sid, "Master").frozen_rows == 1
    spreadsheet.share("client@example.com", perm_type="user", role="writer", notify=False)
    assert emulator.spreadsheet(sid).permissions[0]["emailAddress"] == "client@example.com"
    assert emulator.calls("drive.permissions.create")[0].ignored_fields == ["withLink"]
    with pytest.raises(gspread.SpreadsheetNotFound):
        client.open_by_key("1missing")


def test_google_api_python_client_works_against_the_emulator(emulator, sid):
    from google.oauth2.credentials import Credentials
    from googleapiclient.discovery import build

    service = build("sheets", "v4", credentials=Credentials(token="test-token"),
                    client_options={"api_endpoint": emulator.base_url}, static_discovery=True)
    result = service.spreadsheets().values().batchGet(
        spreadsheetId=sid, ranges=["'Raw Data'!A1:C2"], valueRenderOption="UNFORMATTED_VALUE").execute()
    assert result["valueRanges"][0]["values"] == [["order", "date", "amount"], ["A1", 45296, 100]]
