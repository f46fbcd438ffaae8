"""Imported first by the build's fork server: tie its life to the build, keep its temporary
files in the build's private folder, and warm WeasyPrint.

Without die_with_parent, a build killed with SIGKILL left its fork server (and through it,
idle workers) running for good. Without the private folder, every fork server left a
`weasyprint-*` folder (its copies of the fonts) in $TMPDIR when it was killed. Warming here
means every worker forks with WeasyPrint imported, the fonts configured and the leaflet
stylesheets parsed, instead of each paying for that itself.
"""

import os
import tempfile

from .lifetime import die_with_parent, private_folder_of

die_with_parent()
# The build made this folder before starting the server, and removes it when it ends; a
# killed build's folder is removed by the next build.
if private_folder_of(os.getppid()).is_dir():
    tempfile.tempdir = str(private_folder_of(os.getppid()))

from .formats import pdf  # noqa: E402  (after the lines above, on purpose)
from .formats import epub  # noqa: E402,F401

from .presentation import environment  # noqa: E402

pdf.PdfFormat().warm_up()
for template in ("page.html.j2", "_content.html.j2", "guide.html.j2"):
    environment().get_template(template)
