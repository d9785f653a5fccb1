#!/bin/sh
# One-shot (temporalio/admin-tools image): waits until the Temporal cluster is healthy, creates
# the namespace if it is missing, then registers Pollback's search attributes, given as
# arguments in the `Name=Type` form of `temporal server start-dev --search-attribute`
# (docker-compose.yml passes exactly the names of src/contract/names.ts). Idempotent: an existing
# namespace is kept and an attribute that exists with the same type is left as it is, so it
# runs on every `docker compose up`. Exits non-zero if anything is still missing at the end.
set -eu

: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS: the Temporal frontend, host:port}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${NAMESPACE_RETENTION:-30d}"
ATTEMPTS="${INIT_MAX_ATTEMPTS:-60}"
SLEEP_SECONDS="${INIT_SLEEP_SECONDS:-2}"

if [ "$#" -eq 0 ]; then
  echo "usage: $0 Name=Type [Name=Type ...]" >&2
  exit 2
fi
for spec in "$@"; do
  case "$spec" in
    *?=?*) ;;
    *) echo "register-search-attributes: '$spec' is not Name=Type" >&2; exit 2 ;;
  esac
done

# retry DESCRIPTION COMMAND [ARG...]: runs COMMAND until it succeeds, ATTEMPTS times at most.
retry() {
  what=$1
  shift
  n=1
  until "$@"; do
    if [ "$n" -ge "$ATTEMPTS" ]; then
      echo "register-search-attributes: gave up: $what" >&2
      return 1
    fi
    echo "register-search-attributes: waiting: $what ($n/$ATTEMPTS)"
    n=$((n + 1))
    sleep "$SLEEP_SECONDS"
  done
}

ensure_namespace() {
  temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1 ||
    temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" --retention "$RETENTION"
}

register() {
  temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" --name "$1" --type "$2"
}

all_listed() {
  listed=$(temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" --output json) || return 1
  for spec in "$@"; do
    printf '%s\n' "$listed" | grep -q "\"${spec%%=*}\"" || return 1
  done
}

retry "Temporal cluster at $TEMPORAL_ADDRESS healthy" temporal operator cluster health --address "$TEMPORAL_ADDRESS"
retry "namespace $NAMESPACE" ensure_namespace
for spec in "$@"; do
  retry "search attribute ${spec%%=*} (${spec#*=})" register "${spec%%=*}" "${spec#*=}"
done
retry "search attributes listed in namespace $NAMESPACE" all_listed "$@"
echo "register-search-attributes: namespace $NAMESPACE has $*"
