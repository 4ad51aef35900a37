"""Files in and out, and how long movement records are kept: the edition's `data` rules
(`policy.active().data`). Exports and imports (core.filejobs, core.uploads) and the
retention round (core.retention) read them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DataRules:
    # Exports of more rows than this are written by the worker into a private file, with
    # a download link for the user who asked that works for `download_hours`.
    export_inline_rows: int = 20_000
    download_hours: int = 24
    # Uploads (CSV and XLSX): refused above these bounds, before they are read in full.
    upload_max_mb: int = 20
    upload_max_rows: int = 500_000
    upload_max_columns: int = 60
    upload_max_cells: int = 5_000_000
    # An XLSX is a zip: the sizes its members declare, uncompressed, may not add up to
    # more than this (a small file expanding to hundreds of MB is refused unopened).
    xlsx_max_expanded_mb: int = 150
    # Imports of a file larger than this run in the background, with progress.
    import_inline_kb: int = 512
    # Retention (core.retention): place-code scans and checkpoint passages are deleted,
    # and closed records anonymised (a released stay's pickup address and vehicle, a released
    # contact's note), after these many days.
    # Never below the 30 days a device may still upload a record (device_max_age_days):
    # a record purged younger would come back on a replay.
    scan_days: int = 30
    passage_days: int = 30
    closed_record_days: int = 90
