"""CT planning: CT studies on a case (uploads), pelvic resection plan jobs and their outputs."""
