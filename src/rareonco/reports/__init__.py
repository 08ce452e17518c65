"""HTML and PDF documents rendered from domain results."""
