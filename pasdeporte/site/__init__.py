"""The public site: Pelican plugin, derived facts, territory and sector pages, feeds, map."""
