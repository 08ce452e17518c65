"""The web layer: FastAPI app factory, JSON API under /api/v1 and Jinja2 + htmx pages."""
