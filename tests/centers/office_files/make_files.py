#!/usr/bin/python3
"""Make the office files of tests/centers/test_import_office_files.py with LibreOffice
itself: a CSV opened and saved again as an office would, the import template filled in
by typing, a workbook with a title above the header and hidden sheets, an .xls and a
"Unicode text" file. The tests read the files this wrote (committed), so they need no
LibreOffice; run this again only to remake them.

Needs LibreOffice Calc and its Python bridge (Debian: apt-get install -y
libreoffice-calc-nogui python3-uno) and the system Python that has `uno`:

    /usr/bin/python3 tests/centers/office_files/make_files.py

source_template.xlsx is the portal's template (/centers/import/template.xlsx) as it was
downloaded; source.csv is what the portal's CSV export writes (UTF-8 with a BOM).
"""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue

HERE = Path(__file__).resolve().parent

# LibreOffice's CSV filter options: separator (44 = ","), text delimiter (34 = '"'),
# character set (76 = UTF-8, 65535 = UTF-16), first line, column formats, language
# (1033 = en-US, 1066 = vi-VN), quoted fields as text, detect special numbers (dates,
# numbers with a leading 0 ... as Excel always does when it opens a CSV).
CSV_US = "44,34,76,1,,1033,false,true"
CSV_VI = "44,34,76,1,,1066,false,true"


def prop(name, value):
    item = PropertyValue()
    item.Name, item.Value = name, value
    return item


def url(path: Path) -> str:
    return uno.systemPathToFileUrl(str(path))


class Office:
    def __init__(self):
        self.profile = tempfile.mkdtemp()
        self.process = subprocess.Popen([
            "soffice", "--headless", "--invisible", "--nologo", "--norestore",
            f"-env:UserInstallation=file://{self.profile}",
            "--accept=socket,host=127.0.0.1,port=2202;urp;",
        ])
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(60):
            try:
                context = resolver.resolve("uno:socket,host=127.0.0.1,port=2202;urp;StarOffice.ComponentContext")
                break
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.5)
        else:
            raise RuntimeError("LibreOffice did not start")
        self.context = context
        self.desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        self.dispatcher = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", context)

    def open(self, path: Path, *options):
        return self.desktop.loadComponentFromURL(url(path), "_blank", 0, (prop("Hidden", True), *options))

    def save(self, document, path: Path, filter_name: str, *options):
        document.storeToURL(url(path), (prop("FilterName", filter_name), *options))

    def close(self):
        self.desktop.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.profile, ignore_errors=True)


def type_row(office, document, sheet, row: int, values: list[str]) -> None:
    """Type each value into its cell as a person would: through Calc's input line
    (.uno:EnterString), which reads "0912345678" as a number in a General cell and keeps
    it as text in a cell formatted as text. (XCell.setFormula ignores the cell's format.)"""
    controller = document.getCurrentController()
    frame = controller.getFrame()
    for column, value in enumerate(values):
        if value:
            controller.select(sheet.getCellByPosition(column, row))
            office.dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0, (prop("StringName", value),))


def main() -> None:
    office = Office()
    try:
        # A CSV export opened by an office whose spreadsheet is set to American dates and
        # saved as a workbook: phone numbers lose their 0, 05/03/2026 becomes 3 May.
        for name, options in (("csv_saved_by_us_office.xlsx", CSV_US), ("csv_saved_by_vi_office.xlsx", CSV_VI)):
            document = office.open(HERE / "source.csv", prop("FilterName", "Text - txt - csv (StarCalc)"),
                                   prop("FilterOptions", options))
            office.save(document, HERE / name, "Calc Office Open XML")
            document.close(True)

        # The template as downloaded, filled in by typing one center below the example
        # and saved (Calc's own format, then .xlsx as people send it back).
        document = office.open(HERE / "source_template.xlsx")
        sheet = document.Sheets.getByIndex(0)
        type_row(office, document, sheet, 2, [
            "NN310", "Trung tâm Ngoại ngữ Hoa Mai", "Trung tâm ngoại ngữ", "Đang hoạt động", "Số 3 phố Huyền Quang",
            "Phường Kinh Bắc", "Tỉnh Bắc Ninh", "31/QĐ-SGDĐT", "2026-03-05", "Sở GDĐT Bắc Ninh", "", "Lê Thị Hoa",
            "0912345678", "hoamai@example.vn", "Công ty TNHH Hoa Mai",
        ])
        office.save(document, HERE / "template_filled.xlsx", "Calc Office Open XML")
        document.close(True)

        # A workbook as an office keeps it: the list with a title and a subtitle above the
        # header, a hidden lookup sheet, a notes sheet. (LibreOffice 7.4 writes a hidden
        # *first* sheet as visible in .xlsx; Excel's hidden first sheet is made by the test.)
        document = office.open(HERE / "source.csv", prop("FilterName", "Text - txt - csv (StarCalc)"),
                               prop("FilterOptions", CSV_VI))
        sheets = document.Sheets
        sheets.getByIndex(0).Name = "Trung tâm"
        sheets.insertNewByName("Danh mục", 1)
        sheets.getByName("Danh mục").getCellByPosition(0, 0).setString("Trung tâm ngoại ngữ")
        sheets.insertNewByName("Ghi chú", 2)
        sheets.getByName("Ghi chú").getCellByPosition(0, 0).setString("Số liệu đến ngày 31/12/2025")
        data = sheets.getByName("Trung tâm")
        data.getRows().insertByIndex(0, 3)
        data.getCellByPosition(0, 0).setString("DANH SÁCH TRUNG TÂM NGOẠI NGỮ, TIN HỌC")
        data.getCellByPosition(0, 1).setString("(Kèm theo Công văn số 123/SGDĐT-GDTX ngày 05/01/2026)")
        document.getCurrentController().setActiveSheet(data)
        sheets.getByName("Danh mục").IsVisible = False  # (the active sheet cannot be hidden)
        assert not sheets.getByName("Danh mục").IsVisible
        office.save(document, HERE / "title_and_hidden_sheets.xlsx", "Calc Office Open XML")
        # The same list as Excel 97-2003 and as Excel's "Unicode text" (UTF-16, tabs).
        office.save(document, HERE / "centers.xls", "MS Excel 97")
        document.close(True)
        document = office.open(HERE / "source.csv", prop("FilterName", "Text - txt - csv (StarCalc)"),
                               prop("FilterOptions", CSV_VI))
        office.save(document, HERE / "unicode_text.txt", "Text - txt - csv (StarCalc)",
                    prop("FilterOptions", "9,34,65535,1"))
        document.close(True)
    finally:
        office.close()
    for name in sorted(os.listdir(HERE)):
        print(name, (HERE / name).stat().st_size)


if __name__ == "__main__":
    main()
