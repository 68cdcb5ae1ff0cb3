"""Render a queued page from the few context entries its template reads.

Pelican hands every page a copy of its whole context (about 160 entries), which Jinja copies
again, merged with its globals (a ChainMap, read key by key in Python), and once more for every
`include` or `import ... with context`. A page of the theme reads a dozen entries: rendering
from those alone, with the globals merged once per template, costs a quarter less per page.

A template's names are those Jinja's own analysis finds undeclared in it and in every template
it extends, includes or imports, plus the environment's globals (a context entry of the same
name shadows a global). The analysis cannot see reads made by Python code given the context (a
filter or global of ours marked `pass_context`) nor follow a template name computed at run
time: such templates get the whole context, as in Pelican.
"""

from __future__ import annotations

from collections.abc import Mapping

from jinja2 import Template, meta
from jinja2.utils import _PassArg

# Pages of one template from which reading only its names pays for analysing it.
ANALYSED_FROM = 200


class PageRenderer:
    """Renders pages during one flush, while templates and globals cannot change."""

    def __init__(self):
        # Per template object: (names it reads or None for all, its globals as one dict).
        self._plans: dict[int, tuple[Template, frozenset[str] | None, dict]] = {}
        # Per (environment, template name): its own undeclared names and the templates it
        # refers to (the environment is kept, so that its id stays its own).
        self._own: dict[tuple[int, str], tuple[set[str], list, object]] = {}

    def prepare(self, counts: Mapping) -> None:
        """Plan the templates of the pages to render, from how many pages each has.

        Called before forking, to analyse once instead of once per process; only a template
        with many pages is analysed (about 4 ms each, the time to render 100 pages).
        """
        for template, count in counts.items():
            if isinstance(template, Template):
                self._plan(template, analyse=count >= ANALYSED_FROM)

    def render(self, template, localcontext: Mapping) -> str | bytes:
        """What `template.render(dict(localcontext))` returns."""
        if not isinstance(template, Template):  # a stand-in (recording.Deferred)
            return template.render(dict(localcontext))
        _template, names, merged = self._plan(template)
        values = dict(merged)
        if names is None:
            values.update(localcontext)
        else:
            # A queued page's context is a ChainMap: look into its dicts directly (its own
            # lookups are Python code), the first one holding a name winning.
            for layer in reversed(getattr(localcontext, "maps", [localcontext])):
                values.update({name: layer[name] for name in names if name in layer})
        # As Template.render, less its copy of the globals into the new context.
        context = template.new_context(values, shared=True)
        try:
            return template.environment.concat(template.root_render_func(context))
        except Exception:  # noqa: BLE001 (Jinja raises it again, as a traceback of the template)
            template.environment.handle_exception()

    def _plan(self, template: Template, analyse: bool = False) -> tuple:
        found = self._plans.get(id(template))
        if found is None or found[0] is not template:
            names = self._names_of(template) if analyse else None
            found = self._plans[id(template)] = (template, names, dict(template.globals))
        return found

    def _names_of(self, template: Template) -> frozenset[str] | None:
        """Context names a Jinja template can read, or None when they cannot be known."""
        env, name = template.environment, template.name
        if name is None or env.loader is None or _reads_context(env):
            return None
        names = self._closure(env, name, set())
        return None if names is None else frozenset(names | set(env.globals))

    def _closure(self, env, name: str, seen: set[str]) -> set[str] | None:
        """Undeclared names of template `name` and of the templates it refers to."""
        if name in seen:
            return set()
        seen.add(name)
        own = self._own.get((id(env), name))
        if own is None:  # parsed once per environment: base.html is under every page
            ast = env.parse(env.loader.get_source(env, name)[0])
            own = self._own[id(env), name] = (set(meta.find_undeclared_variables(ast)),
                                              list(meta.find_referenced_templates(ast)), env)
        names = set(own[0])
        for ref in own[1]:
            more = None if ref is None else self._closure(env, ref, seen)
            if more is None:
                return None
            names |= more
        return names


def _reads_context(env) -> bool:
    """Whether a filter, test or global of ours (not Jinja's) is given the context."""
    for table in (env.filters, env.tests, env.globals):
        for value in table.values():
            if _PassArg.from_obj(value) is _PassArg.context \
                    and not getattr(value, "__module__", "").startswith("jinja2"):
                return True
    return False
