"""Impact assessments and checklists over HTTP: versions, workflow, reports (PDF/HTML)."""
