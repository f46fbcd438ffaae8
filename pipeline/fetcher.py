"""The only way WeasyPrint may read a resource: data: URLs and files inside the package's assets."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .presentation import ASSETS_DIR


class ResourceRefused(FatalURLFetchingError):
    """A template or content asked for something outside the package's own assets."""


class AssetsOnlyFetcher(URLFetcher):
    """Refuses network URLs and any file outside the allowed folder.

    WeasyPrint's default fetcher follows file:// and http:// URLs, so a hostile source
    could embed /etc/passwd or make the build call a server. Paths are resolved (links and
    '..' included) before they are compared with the allowed root.
    """

    def __init__(self, root: Path = ASSETS_DIR, **kwargs):
        super().__init__(allowed_protocols=("file", "data"), **kwargs)
        self.root = root.resolve()

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise ResourceRefused(f"refused to fetch {url!r}: only the package's assets may be read")
        path = Path(unquote(urlsplit(url).path)).resolve()
        if self.root not in path.parents or not path.is_file():
            raise ResourceRefused(f"refused to read {url!r}: it is outside {self.root}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
