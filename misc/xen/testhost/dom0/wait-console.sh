#!/bin/bash
# xth-wait-console TEXT [SECONDS]: wait until the guest console ($CONSOLE)
# contains TEXT, for at most SECONDS (default 60). For host commands that
# must wait for the guest, e.g. until a server in it listens.
text=${1:?usage: xth-wait-console TEXT [SECONDS]}
limit=${2:-60}
end=$((SECONDS + limit))
while [ "$SECONDS" -lt "$end" ]; do
	grep -qF -- "$text" "$CONSOLE" 2>/dev/null && exit 0
	sleep 0.1
done
echo "xth-wait-console: \"$text\" did not appear on the console in $limit s" >&2
exit 1
