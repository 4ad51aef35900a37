"""Person files for the import tests: valid rows by number, written as real CSV and XLSX."""

import csv
from datetime import date, timedelta

import openpyxl

from epicommand.core.idnumbers import make_id_number
from epicommand.people.imports import COLUMNS, import_persons

XGZ = "130109104201"  # 小果庄村, Gaocheng
JIANBEI = "130102001001"  # 建北社区, Chang'an


def person_row(n: int, region_code: str = XGZ, **changes) -> dict:
    """The n-th of a run of distinct, valid persons; `changes` overrides columns."""
    born = date(1940, 1, 1) + timedelta(days=n % 29000)
    sex = "M" if n % 2 else "F"
    row = {
        "name": f"居民{n}",
        "id_number": make_id_number(region_code[:6], born, n // 29000, sex),
        "passport_number": "",
        "nationality": "CHN",
        "sex": sex,
        "birth_date": born.isoformat(),
        "phone": f"138{n:08d}",
        "region_code": region_code,
        "address": f"幸福路 {n} 号",
        "household": "",
    }
    row.update(changes)
    return row


def write_csv(path, rows, header=COLUMNS, *, bom: bool = False):
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows([row.get(column, "") for column in header] for row in rows)
    return path


def write_xlsx(path, rows, header=COLUMNS):
    """Rows are written as Excel users leave them: dates as date cells, phones as numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append([_excel_value(column, row.get(column, "")) for column in header])
    book.save(path)
    return path


def _excel_value(column, value):
    if column == "birth_date" and value:
        return date.fromisoformat(value)
    if column == "phone" and value.isdigit():
        return int(value)
    return value or None


def import_file(path, actor):
    """Import a file from disk as the given user, the way the upload endpoint does."""
    with open(path, "rb") as f:
        return import_persons(actor, f, path.name)
