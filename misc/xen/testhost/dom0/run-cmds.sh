#!/bin/bash
# xth-run-cmds PHASE: run a case's host commands of PHASE ("during" or
# "after") one after another, each with bash and a time limit, recording
# their output, exit status and times. Run by agent.sh, with XTH_DIR (the
# case's directory), XTH_OUT (its results directory), DOMNAME,
# CMD_TIMEOUT_S and SHUTDOWN_AFTER in the environment.
phase=$1
export PATH=$XTH_DIR/bin:$PATH # the case's HostTools
k=1
while [ -e "$XTH_DIR/$phase-$k.sh" ]; do
	f=$XTH_OUT/$phase-$k
	t0=${EPOCHREALTIME/./}
	timeout -k 5 "$CMD_TIMEOUT_S" bash "$XTH_DIR/$phase-$k.sh" >"$f.out" 2>"$f.err" </dev/null
	rc=$?
	t1=${EPOCHREALTIME/./}
	echo "$rc" >"$f.rc"
	echo "$t0 $t1" >"$f.time"
	k=$((k + 1))
done
if [ "$phase" = during ] && [ "$SHUTDOWN_AFTER" = 1 ]; then
	xl shutdown "$DOMNAME" >"$XTH_OUT/shutdown.log" 2>&1
fi
exit 0
