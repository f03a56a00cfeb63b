"""Dossiers (hồ sơ): a product's documents with the checklist of what is missing, and its
path through the annual cycle (idea → plan → dossier)."""
