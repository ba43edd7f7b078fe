"""Notifications: an outbox written with the change, delivered by email and webhooks."""
