"""Patient handouts about pain behind the knee: YAML sources in, HTML, PDF, EPUB and SMS out."""

__version__ = "0.1.0"
