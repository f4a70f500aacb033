"""Paper-specific models and procedures: one module per paper, named after it."""
