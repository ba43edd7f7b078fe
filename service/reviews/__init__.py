"""Vendor reviews: a stored transfer to a vendor, its lifecycle and its evaluation history."""
