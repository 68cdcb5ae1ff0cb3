"""Pelican settings of the Pas-de-porte site (development: relative URLs)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pasdeporte import markdown_safe as _markdown_safe  # noqa: E402
from pasdeporte.site import jinja as _jinja  # noqa: E402
from pasdeporte.site.identity import SITENAME, SITESUBTITLE  # noqa: E402, F401

AUTHOR = "Pas-de-porte"
SITEURL = ""
RELATIVE_URLS = False
PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"
TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "fr"
LOCALE = ("C.UTF-8",)
DEFAULT_DATE_FORMAT = "%d/%m/%Y"

ARTICLE_PATHS = ["opportunites", "projets"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
USE_FOLDER_AS_CATEGORY = False
# The folder (opportunites or projets) becomes the `section` of a listing and its URL prefix.
PATH_METADATA = r"(?P<section>opportunites|projets)/.*"
SLUGIFY_SOURCE = "basename"
ARTICLE_URL = "{section}/{slug}/"
ARTICLE_SAVE_AS = "{section}/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
DRAFT_SAVE_AS = ""
DRAFT_URL = ""
ARTICLE_LANG_SAVE_AS = ""
PAGE_LANG_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "search", "404"]
# The search page (issue 4): theme/templates/search.html, its index built by pasdeporte.search.
SEARCH_SAVE_AS = "recherche/index.html"
SEARCH_URL = "recherche/"
DEFAULT_PAGINATION = False
# One language: no translation grouping (Pelican's grouping is quadratic in the listing count).
ARTICLE_TRANSLATION_ID = None
PAGE_TRANSLATION_ID = None
DELETE_OUTPUT_DIRECTORY = False

# Every listing value comes from the public: escape by default in the theme.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}
JINJA_FILTERS = _jinja.FILTERS
JINJA_GLOBALS = _jinja.GLOBALS

# Derived facts, territory/sector pages, matching, feeds, map, open data, sitemap.
PLUGINS = ["pasdeporte.site.plugin"]
# Date used to decide which listings have expired (None: the day of the build).
PASDEPORTE_TODAY = None
# Public text, made safe (raw HTML shown as text, safe links only): see pasdeporte.markdown_safe.
MARKDOWN = _markdown_safe.site_markdown()
TYPOGRIFY = False

FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
