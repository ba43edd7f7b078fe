"""Install-wide workflow settings an admin may change (each change audited)."""
