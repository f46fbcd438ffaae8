"""Imported first by the build's fork server: tie its life to the build, and warm WeasyPrint.

Without die_with_parent, a build killed with SIGKILL left its fork server (and through it,
idle workers) running for good. Warming here means every worker forks with WeasyPrint
imported, the fonts configured and the leaflet stylesheets parsed, instead of each paying
for that itself.
"""

from .lifetime import die_with_parent

die_with_parent()

from .formats import pdf  # noqa: E402  (after the line above, on purpose)
from .formats import epub  # noqa: E402,F401

from .presentation import environment  # noqa: E402

pdf.PdfFormat().warm_up()
for template in ("page.html.j2", "_content.html.j2", "guide.html.j2"):
    environment().get_template(template)
