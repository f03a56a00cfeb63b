"""The producers' workspace (web front): pages for phones, served from the services' APIs."""
