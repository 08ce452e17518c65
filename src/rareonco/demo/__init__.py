"""Demo data: the two defining cases (`cases`) and synthetic cohorts for scale tests (`synth`)."""
