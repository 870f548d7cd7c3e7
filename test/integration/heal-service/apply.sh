#!/bin/sh
# The managed system of the heal-service test, run by the `command` actuator (argv, no shell string):
#   apply.sh <ledger dir> <action id> <fencing token> <strategy> <target>
# Like a real system behind an idempotency key and a fencing check: under a lock it records every
# delivery, refuses a token older than the newest it has seen (exit 3), and applies an action id once.
dir="$1"; id="$2"; token="$3"; strategy="$4"; target="$5"
exec 9>"$dir/lock"
flock 9
echo "$id $token $strategy $target" >> "$dir/deliveries"
newest=$(cat "$dir/newest" 2>/dev/null || echo 0)
if [ "$token" -lt "$newest" ]; then
  echo "stale fencing token $token < $newest" >&2
  exit 3
fi
echo "$token" > "$dir/newest"
if grep -q "^$id " "$dir/applied" 2>/dev/null; then
  echo "duplicate $id"
  exit 0
fi
echo "$id $token $strategy $target" >> "$dir/applied"
echo "applied $id"
