"""Official exports: one format-free builder (data) and one module per format."""
