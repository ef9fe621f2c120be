"""healing."""
