"""The registry service — chủ thể (producers), their products and dossiers, users and roles."""
