"""`motionsim serve`: a local web page over the library (compare, render, report). Nothing else imports this
package; it only calls library functions, so the page, the CLI and the report share one code path.

Needs the ``web`` extra (FastAPI, uvicorn, python-multipart, jinja2). Build the app with
`motionsim.web.app.create_app`.
"""
