"""Cases (tumour episodes): the case record, its diagnosis, timeline and pathway (state machine)."""
