"""The rare-tumour registry: cohorts and their survival (issue 23)."""
