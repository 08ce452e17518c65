"""The follow-up clinic: surveillance and late-effect visits after treatment (issue 23)."""
