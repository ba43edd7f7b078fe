"""The vendor registry: models, schemas, services, search and HTTP views."""
