"""Events: the CloudEvents envelope, its wire codec, and the versioned contracts."""
