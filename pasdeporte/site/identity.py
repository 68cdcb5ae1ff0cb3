"""The site's name and tagline: one source for the Pelican settings and the submission app.

Both render the same header partial (theme/templates/_header.html), which reads them.
"""

SITENAME = "Pas-de-porte"
SITESUBTITLE = "Des commerces pour nos centres-bourgs"
