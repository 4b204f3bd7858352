"""Event extraction: plant closures and partnerships, with status, companies, plant and jobs."""
