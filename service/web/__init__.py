"""The server-rendered web UI: pages over the same service functions as the API."""
