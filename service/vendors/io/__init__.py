"""Bulk vendor import and export in CSV, JSON and YAML; a file is validated whole first.

Import runs `parsing.parse_file` (bytes -> raw rows) -> `validation.validate_rows` (every row
through the vendor create schema, the reference ids and slug/alias uniqueness; every bad row
reported with row number, field and message; nothing written if any is bad) ->
`upsert.import_records` (by slug: existing vendors through update_vendor, new ones through
the bulk create path) in the caller's transaction; `upsert.import_file` runs all three.
`export` writes every non-archived vendor in the create schema's canonical shape, so that
export -> import into an empty registry -> export gives the same file. `formats` holds what
they share: the formats, the columns, and how a problem is reported.
"""
