// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Locks and notes on Xen, where there is one M (singleThreaded).
//
// A lock is never contended: finding one held is a self-deadlock. A note that a
// goroutine sleeps on (notetsleepg) parks the goroutine; notewakeup readies it.
// Sleeping on a note on g0 would stop the only M, so it is a fatal error.

package runtime

import "unsafe"

const (
	mutex_unlocked = 0
	mutex_locked   = 1

	active_spin     = 4
	active_spin_cnt = 30
)

type mWaitList struct{}

func lockVerifyMSize() {}

func mutexContended(l *mutex) bool {
	return false
}

func lock(l *mutex) {
	lockWithRank(l, getLockRank(l))
}

func lock2(l *mutex) {
	if l.key == mutex_locked {
		throw("self deadlock")
	}
	gp := getg()
	if gp.m.locks < 0 {
		throw("lock count")
	}
	gp.m.locks++
	l.key = mutex_locked
}

func unlock(l *mutex) {
	unlockWithRank(l)
}

func unlock2(l *mutex) {
	if l.key == mutex_unlocked {
		throw("unlock of unlocked lock")
	}
	gp := getg()
	gp.m.locks--
	if gp.m.locks < 0 {
		throw("lock count")
	}
	l.key = mutex_unlocked
}

// note.key: 0 while clear, noteWoken once woken, otherwise the guintptr of the
// goroutine sleeping on it.
const noteWoken = 1

func noteclear(n *note) {
	n.key = 0
}

func notewakeup(n *note) {
	old := n.key
	if old == noteWoken {
		throw("notewakeup - double wakeup")
	}
	n.key = noteWoken
	if old != 0 {
		goready(guintptr(old).ptr(), 1)
	}
}

func notesleep(n *note) {
	throw("notesleep: xen has one M, which cannot sleep")
}

func notetsleep(n *note, ns int64) bool {
	throw("notetsleep: xen has one M, which cannot sleep")
	return false
}

// notetsleepg parks the calling goroutine until the note is woken. Only an
// unbounded wait (ns < 0) is supported; the runtime uses no other on xen
// (signal_recv, profBuf.read).
func notetsleepg(n *note, ns int64) bool {
	gp := getg()
	if gp == gp.m.g0 {
		throw("notetsleepg on g0")
	}
	if ns >= 0 {
		throw("notetsleepg: timeouts are not supported on xen")
	}
	if n.key == noteWoken {
		return true
	}
	if n.key != 0 {
		throw("notetsleepg: two sleepers")
	}
	n.key = uintptr(unsafe.Pointer(gp))
	gopark(nil, nil, waitReasonSleep, traceBlockSleep, 1)
	return n.key == noteWoken
}

func beforeIdle(int64, int64) (*g, bool) {
	return nil, false
}

func checkTimeouts() {}
