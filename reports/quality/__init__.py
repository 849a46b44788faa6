"""Data quality: rules between figures, outliers against peers, explanations."""
