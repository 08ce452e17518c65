"""Response assessment: imaging timepoints (RECIST 1.1) and pathological response (Huvos)."""
