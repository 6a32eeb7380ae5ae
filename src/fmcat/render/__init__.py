"""`fmcat render`: the failure-mode catalog as a runbook site built with MkDocs Material.

`site.render_site` is the entry point; docs/render.md is the user's guide.
"""
