"""Named EPCIS queries: SimpleEventQueries kept under a name and run on demand."""
