"""Read-only reference data: countries, vendor categories and the data taxonomy."""
