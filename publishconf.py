"""Pelican settings for publishing: absolute URLs on the public address."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("SITEURL", "https://pas-de-porte.example.fr")
RELATIVE_URLS = False
# Stale outputs are removed by the fast build's manifest (pasdeporte.fastbuild.writer); wiping
# the folder would race with the search index, which is built beside Pelican.
DELETE_OUTPUT_DIRECTORY = False
