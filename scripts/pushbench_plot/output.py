"""Saving figures: every requested format into the output directory, plus an embeddable copy for the page."""

import base64
import io
import os

from .style import plt

PNG_DPI = 120


class Writer:
    """Writes each chart as STEM.FMT for every format; remembers the paths and each chart's embeddable HTML."""

    def __init__(self, outdir, formats):
        self.outdir = outdir
        self.formats = formats
        self.written = []  # every path written, in order
        self.figures = {}  # stem -> (title, embeddable html), in creation order

    def save(self, fig, stem, title):
        for fmt in self.formats:
            path = os.path.join(self.outdir, "%s.%s" % (stem, fmt))
            fig.savefig(path, format=fmt, dpi=PNG_DPI)
            self.written.append(path)
        if "png" in self.formats:
            with open(os.path.join(self.outdir, stem + ".png"), "rb") as f:
                emb = self._img(f.read())
        elif "svg" in self.formats:
            with open(os.path.join(self.outdir, stem + ".svg"), "r", encoding="utf-8") as f:
                svg = f.read()
            i = svg.find("<svg")
            emb = '<div class="svg">%s</div>' % (svg[i:] if i >= 0 else svg)
        else:
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=PNG_DPI)
            emb = self._img(buf.getvalue())
        plt.close(fig)
        self.figures[stem] = (title, emb)

    def write_text(self, name, text):
        """Write a text file (the page) into the output directory and record it."""
        path = os.path.join(self.outdir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        self.written.append(path)

    @staticmethod
    def _img(png):
        return '<img alt="" src="data:image/png;base64,%s">' % base64.b64encode(png).decode("ascii")
