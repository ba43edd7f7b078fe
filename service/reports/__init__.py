"""Assessment reports: document data -> Jinja2 HTML -> PDF through a locked-down weasyprint."""
