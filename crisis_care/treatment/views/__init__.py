"""Home treatment views."""
