"""The task inbox: what each role has to do next, gathered from every feature's provider."""
