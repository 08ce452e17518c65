"""The multidisciplinary tumour board: meetings, attendance, agenda with case summaries, signed
decisions and what they do to the case."""
