"""Imports: the lists offices keep (spreadsheets of subjects and products) read into the
registry."""
