"""Users, roles, API tokens and the permission check every route declares."""
