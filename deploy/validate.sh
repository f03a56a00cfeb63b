#!/usr/bin/env bash
# Validates the distributed deployment's files without a Docker engine:
# docker-compose.yml fully parsed and interpolated by Compose itself (Debian's docker-compose
# 1.29, which implements the version-less Compose Specification). Installs docker-compose with apt when missing (CI runs as root on Debian).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker-compose >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing docker-compose (Debian package) to validate docker-compose.yml"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  else
    echo "docker-compose is needed to validate docker-compose.yml: install it (apt-get install docker-compose)" >&2
    exit 1
  fi
fi

# Placeholder secrets, for interpolation only.
export OCOP_S3_ACCESS_KEY=validate OCOP_S3_SECRET_KEY=validate OCOP_POSTGRES_PASSWORD=validate \
  OCOP_AUTH_PRIVATE_KEY=validate OCOP_AUTH_PUBLIC_KEY=validate
docker-compose -f docker-compose.yml config --quiet
echo "docker-compose.yml: valid ($(docker-compose -f docker-compose.yml config --services | wc -l) services)"
# The MongoDB alternative: the same file with deploy/compose.mongo.yml over it.
mongo=(-f docker-compose.yml -f deploy/compose.mongo.yml)
docker-compose "${mongo[@]}" config --quiet
grep -q "OCOP_STORE_URL: mongodb://" <<<"$(docker-compose "${mongo[@]}" config)" \
  || { echo "deploy/compose.mongo.yml: the services' store is not MongoDB" >&2; exit 1; }
echo "docker-compose.yml + deploy/compose.mongo.yml: valid"

# The Kubernetes manifests are checked against the Kubernetes schemas by the test suite
# (tests/unit/test_deploy_files.py), and the other YAML files parsed there.
