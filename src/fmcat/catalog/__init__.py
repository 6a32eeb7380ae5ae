"""The failure-mode catalog: its model, its loader and its principle checks."""
