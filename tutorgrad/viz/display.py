"""How every drawing and widget shows itself in Jupyter: its picture, and its text form beside it.

Jupyter asks an object for ``_repr_mimebundle_``: a dict of formats (or a pair: that dict and the
formats' metadata, such as the size to show a PNG at). Each of ours answers with its picture (an SVG
with a PNG beside it, or a widget's state) *and*, as ``text/plain``, a deterministic text form: nbval
compares that text (a picture changes with the Graphviz version), ``print`` shows it, and a reader
of the notebook on GitHub sees at least that.
"""


class Displayed:
    """Mixed into ``Graph`` and the widgets: ``text/plain`` is ``self._text_form()`` (by default ``repr``),
    the other formats come from ``self._picture(...)`` (by default the widget's own): a dict, or a pair
    ``(dict, metadata)``, which the bundle then is too."""

    def _repr_mimebundle_(self, **kwargs):
        picture = self._picture(**kwargs) or {}
        data, metadata = picture if isinstance(picture, tuple) else (picture, None)
        bundle = dict(data)
        bundle["text/plain"] = self._text_form()
        return bundle if metadata is None else (bundle, metadata)

    def _picture(self, **kwargs):
        return super()._repr_mimebundle_(**kwargs)

    def _text_form(self):
        return repr(self)
