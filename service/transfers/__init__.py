"""Transfer evaluation at the edge: the rules loaded once per app, registry facts, as_of."""
