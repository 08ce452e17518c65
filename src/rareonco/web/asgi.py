"""ASGI entry point for uvicorn: `rareonco.web.asgi:app`."""

from rareonco.web.app import create_app

app = create_app()
