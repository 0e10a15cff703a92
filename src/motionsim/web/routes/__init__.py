"""HTTP routes: `api` (JSON, mirrors the CLI) and `pages` (the HTML page, static files, offline API docs)."""
