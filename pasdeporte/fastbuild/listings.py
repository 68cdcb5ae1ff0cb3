"""What a build learns from each listing while its Markdown is converted, to read it only once.

A cold build (no Markdown cache) converts every file before the search index starts: the
reader's workers then also check each listing (`validate.own_result`) and make its search
record from the HTML they have just produced, so that neither the validation nor the index
reads, parses and converts all the files again. Warm builds convert few files and keep the
usual order (index first, see `incremental.build`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date

from pasdeporte import metadata, search_records, validate
from pasdeporte.fastbuild.readcache import Extra


def reader_extra(listing_files: Iterable[os.PathLike | str], check_day: date,
                 index_day: date) -> Extra:
    """The reader's `extra`: (own validation result, search record) of each listing file."""
    listings = {os.fspath(path) for path in listing_files}

    def learn(path: str, text: str, content: str) -> tuple | None:
        if path not in listings:
            return None  # a page, not a listing
        doc = metadata.loads(text)
        return (validate.own_result(doc, path, check_day),
                search_records.document_record(doc, path, index_day, content))

    return learn


def split(extras: dict[str, tuple[str, object]], check_day: date
          ) -> tuple[validate.Checked, dict[str, tuple]]:
    """The reader's extras as validation results and search records, by listing key."""
    checks, records = {}, {}
    for path, (digest, found) in extras.items():
        if found is not None:
            key = validate.listing_key(path)
            checks[key] = (digest, found[0])
            records[key] = (digest, found[1])
    return validate.Checked(check_day, checks), records
