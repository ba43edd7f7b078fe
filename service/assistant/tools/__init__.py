"""The assistant's read-only tools: base (context, result, citations), vendors, transfers,
reviews, lifecycle (overdue work, verdict changes), and registry (the table, argument checks,
run by name)."""
