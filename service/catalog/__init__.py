"""Loading the shipped catalog into the registry and keeping it up to date."""
