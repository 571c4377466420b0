"""How every drawing and widget shows itself in Jupyter: its picture, and its text form beside it.

Jupyter asks an object for ``_repr_mimebundle_``: a dict of formats. Each of ours answers with its
picture (an SVG, or a widget's state) *and*, as ``text/plain``, a deterministic text form: nbval
compares that text (a picture changes with the Graphviz version), ``print`` shows it, and a reader
of the notebook on GitHub sees at least that.
"""


class Displayed:
    """Mixed into ``Graph`` and the widgets: ``text/plain`` is ``self._text_form()`` (by default ``repr``),
    the other formats come from ``self._picture(...)`` (by default the widget's own)."""

    def _repr_mimebundle_(self, **kwargs):
        bundle = dict(self._picture(**kwargs) or {})
        bundle["text/plain"] = self._text_form()
        return bundle

    def _picture(self, **kwargs):
        return super()._repr_mimebundle_(**kwargs)

    def _text_form(self):
        return repr(self)
