"""The compliance lifecycle: re-assessment when facts, rules or dates change; tasks; deadlines."""
