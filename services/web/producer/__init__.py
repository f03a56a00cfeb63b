"""The producer's pages (chủ thể): products, dossier, batches, origin records, labels."""
