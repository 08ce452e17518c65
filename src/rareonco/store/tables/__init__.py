"""Tables, one module per feature (the feature list in `rareonco.features` names them).

Every module uses `base.Base`; mutable records mix in `base.Versioned` (optimistic locking).
"""
