#!/bin/bash
# Alternate two checkouts' bench/switch-figs.ts in fresh processes: ab-checkouts.sh BASE_DIR BRANCH_DIR N [args...]
A=$1; B=$2; N=$3; shift 3
for i in $(seq $N); do
  for d in "$A" "$B"; do
    echo "== $(basename $d) $i"
    (cd $d && node_modules/.bin/node bench/switch-figs.ts "$@" 2>/dev/null)
  done
done
