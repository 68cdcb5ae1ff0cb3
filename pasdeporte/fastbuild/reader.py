"""Pelican's Markdown reader, served from the build's cache of converted files (readcache).

It converts a file the way `MarkdownReader.read` does, reusing its Markdown instances, taking
the shortcut of `markdown_safe.convert` for plain prose and reading ISO days without dateutil;
during a build it answers from `readcache`, which converted every file up front.
"""

from __future__ import annotations

import os
import re

import markdown
from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, METADATA_PROCESSORS, MarkdownReader
from pelican.utils import SafeDatetime

from pasdeporte import markdown_safe
from pasdeporte.fastbuild import readcache

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_PELICAN_DATE = METADATA_PROCESSORS["date"]


class FastMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, fed from the pre-rendered cache, one Markdown per process."""

    def __init__(self, settings: dict, use_cache: bool = True):
        super().__init__(settings)
        self.use_cache = use_cache
        self._store: readcache._Store | None = None
        self._body_md = None
        self._meta_md = None
        self._prose = False

    def _converters(self):
        if self._body_md is None:
            # The site's settings allow the shortcut for plain prose (markdown_safe.convert).
            self._prose = markdown_safe.prose_ready(self.settings["MARKDOWN"])
            self._body_md = markdown.Markdown(**self.settings["MARKDOWN"])
            # Formatted fields (Summary) must not be parsed for metadata: a second instance.
            self._meta_md = markdown.Markdown(**self.settings["MARKDOWN"])
            self._meta_md.preprocessors.deregister("meta")
        return self._body_md, self._meta_md

    def render(self, source_path: str) -> tuple:
        """Convert one file, the way MarkdownReader.read does, reusing the instances."""
        return self.convert(source_path)[0]

    def convert(self, source_path: str) -> tuple[tuple, str]:
        """(`render`'s result, the file's text)."""
        body_md, meta_md = self._converters()
        self._source_path = source_path
        with open(source_path, encoding="utf-8") as fh:
            text = fh.read()
        source = text.removeprefix("\ufeff")
        content = (markdown_safe.convert(body_md, source) if self._prose
                   else body_md.reset().convert(source))
        # MarkdownReader._parse_metadata deregisters "meta" from self._md, which breaks reuse:
        # formatted fields go through the copy that already lacks it (same rules otherwise).
        meta_md.reset()
        self._md = meta_md
        return (content, self._metadata(getattr(body_md, "Meta", {}))), text

    def _metadata(self, meta: dict) -> dict:
        formatted_fields = self.settings["FORMATTED_FIELDS"]
        output = {}
        for name, value in meta.items():
            name = name.lower()
            if name in formatted_fields:
                self._md.reset()
                output[name] = self.process_metadata(name, self._md.convert("\n".join(value)))
            elif not DUPLICATES_DEFINITIONS_ALLOWED.get(name, True) or len(value) == 1:
                output[name] = self.process_metadata(name, value[0])
            else:
                output[name] = self.process_metadata(name, value)
        return output

    def process_metadata(self, name: str, value):
        """Pelican's processing of one metadata value; ISO days without dateutil."""
        # Pelican parses each date with dateutil (a third of reading a listing): an ISO day
        # gives the same SafeDatetime at midnight.
        if METADATA_PROCESSORS.get(name) is _PELICAN_DATE and ISO_DAY.fullmatch(value):
            try:
                return SafeDatetime(int(value[:4]), int(value[5:7]), int(value[8:10]))
            except ValueError:
                pass  # not a real day: Pelican's own error
        return super().process_metadata(name, value)

    def read(self, source_path: str) -> tuple:
        """Content and metadata of one file: from the cache when it holds this exact file."""
        if not self.use_cache:
            return self.render(source_path)
        if self._store is None or not self._store.prepared:
            self._store = readcache.store_for(self.settings)
        found = self._store.get(os.fspath(source_path))
        return found if found is not None else self.render(source_path)


def readers_init(readers) -> None:
    """Signal receiver: serve Markdown files with FastMarkdownReader."""
    for ext in MarkdownReader.file_extensions:
        if readers.reader_classes.get(ext) is MarkdownReader:
            readers.reader_classes[ext] = FastMarkdownReader
