// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenstore

import (
	"errors"
	"internal/byteorder"
	"internal/strconv"
	"io"
	"io/fs"
)

// Protocol limits (xs_wire.h).
const (
	HeaderSize = 16   // sizeof(struct xsd_sockmsg)
	PayloadMax = 4096 // XENSTORE_PAYLOAD_MAX, in both directions
)

// MsgType is the type field of a message header (enum xsd_sockmsg_type).
type MsgType uint32

const (
	TypeControl            MsgType = 0
	TypeDirectory          MsgType = 1
	TypeRead               MsgType = 2
	TypeGetPerms           MsgType = 3
	TypeWatch              MsgType = 4
	TypeUnwatch            MsgType = 5
	TypeTransactionStart   MsgType = 6
	TypeTransactionEnd     MsgType = 7
	TypeIntroduce          MsgType = 8
	TypeRelease            MsgType = 9
	TypeGetDomainPath      MsgType = 10
	TypeWrite              MsgType = 11
	TypeMkdir              MsgType = 12
	TypeRm                 MsgType = 13
	TypeSetPerms           MsgType = 14
	TypeWatchEvent         MsgType = 15 // server to client only, req_id 0
	TypeError              MsgType = 16 // server to client only
	TypeIsDomainIntroduced MsgType = 17
	TypeResume             MsgType = 18
	TypeSetTarget          MsgType = 19
	TypeResetWatches       MsgType = 21 // 20 (RESTRICT) was removed
	TypeDirectoryPart      MsgType = 22
	TypeGetFeature         MsgType = 23
	TypeSetFeature         MsgType = 24
	TypeGetQuota           MsgType = 25
	TypeSetQuota           MsgType = 26
	TypeInvalid            MsgType = 0xffff
)

var typeNames = [...]string{
	"CONTROL", "DIRECTORY", "READ", "GET_PERMS", "WATCH", "UNWATCH",
	"TRANSACTION_START", "TRANSACTION_END", "INTRODUCE", "RELEASE",
	"GET_DOMAIN_PATH", "WRITE", "MKDIR", "RM", "SET_PERMS", "WATCH_EVENT",
	"ERROR", "IS_DOMAIN_INTRODUCED", "RESUME", "SET_TARGET", "",
	"RESET_WATCHES", "DIRECTORY_PART", "GET_FEATURE", "SET_FEATURE",
	"GET_QUOTA", "SET_QUOTA",
}

func (t MsgType) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return "type " + strconv.FormatUint(uint64(t), 10)
}

// A Message is one xenstore message: a header and its payload.
type Message struct {
	Type    MsgType
	ReqID   uint32 // echoed in the reply
	TxID    uint32 // transaction, 0 for none
	Payload []byte // at most PayloadMax bytes
}

// Append appends the wire form of m (header, then payload) to b.
func (m *Message) Append(b []byte) ([]byte, error) {
	if len(m.Payload) > PayloadMax {
		return b, E2BIG
	}
	b = byteorder.LEAppendUint32(b, uint32(m.Type))
	b = byteorder.LEAppendUint32(b, m.ReqID)
	b = byteorder.LEAppendUint32(b, m.TxID)
	b = byteorder.LEAppendUint32(b, uint32(len(m.Payload)))
	return append(b, m.Payload...), nil
}

// ReadMessage reads one message from r. A header announcing more than
// PayloadMax bytes is a protocol error, reported without reading the payload:
// the byte stream cannot be resynchronised after it.
func ReadMessage(r io.Reader) (*Message, error) {
	var h [HeaderSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, err
	}
	n := byteorder.LEUint32(h[12:])
	if n > PayloadMax {
		return nil, protocolError("payload length " + strconv.FormatUint(uint64(n), 10) + " exceeds 4096")
	}
	m := &Message{
		Type:    MsgType(byteorder.LEUint32(h[0:])),
		ReqID:   byteorder.LEUint32(h[4:]),
		TxID:    byteorder.LEUint32(h[8:]),
		Payload: make([]byte, n),
	}
	if _, err := io.ReadFull(r, m.Payload); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return m, nil
}

// Error is an error reply from xenstored: the errno name it sent, such as
// "ENOENT". The names of xs_wire.h are constants below; others are kept as
// sent. Errors match the io/fs sentinels the way syscall.Errno does:
// errors.Is(err, fs.ErrNotExist) for ENOENT, fs.ErrPermission for EACCES and
// EPERM, fs.ErrExist for EEXIST and ENOTEMPTY, errors.ErrUnsupported for
// ENOSYS.
type Error string

const (
	EINVAL    Error = "EINVAL"
	EACCES    Error = "EACCES"
	EEXIST    Error = "EEXIST"
	EISDIR    Error = "EISDIR"
	ENOENT    Error = "ENOENT"
	ENOMEM    Error = "ENOMEM"
	ENOSPC    Error = "ENOSPC"
	EIO       Error = "EIO"
	ENOTEMPTY Error = "ENOTEMPTY"
	ENOSYS    Error = "ENOSYS"
	EROFS     Error = "EROFS"
	EBUSY     Error = "EBUSY"
	EAGAIN    Error = "EAGAIN" // transaction conflict: start it again
	EISCONN   Error = "EISCONN"
	E2BIG     Error = "E2BIG"
	EPERM     Error = "EPERM"
	EQUOTA    Error = "EQUOTA" // not in xs_wire.h, sent by oxenstored
)

func (e Error) Error() string { return string(e) }

func (e Error) Is(target error) bool {
	switch target {
	case fs.ErrNotExist:
		return e == ENOENT
	case fs.ErrPermission:
		return e == EACCES || e == EPERM
	case fs.ErrExist:
		return e == EEXIST || e == ENOTEMPTY
	case errors.ErrUnsupported:
		return e == ENOSYS
	}
	return false
}

// OpError is the error of a Client or Tx operation.
type OpError struct {
	Op   string // "read", "write", "transaction end", ...
	Path string // may be empty
	Err  error  // an Error, ErrProtocol, ErrClosed, a context error, ...
}

func (e *OpError) Error() string {
	s := "xenstore " + e.Op
	if e.Path != "" {
		s += " " + e.Path
	}
	return s + ": " + e.Err.Error()
}

func (e *OpError) Unwrap() error { return e.Err }

var (
	// ErrProtocol is matched (errors.Is) by every error about a malformed
	// message from the other side.
	ErrProtocol = errors.New("xenstore: protocol error")

	// ErrClosed is matched by the errors of requests on a closed client,
	// and of requests on a client whose connection failed.
	ErrClosed = errors.New("xenstore: client closed")
)

type protocolError string

func (e protocolError) Error() string        { return "xenstore protocol error: " + string(e) }
func (e protocolError) Is(target error) bool { return target == ErrProtocol }

// brokenError is the error of a client whose connection failed.
type brokenError struct{ err error }

func (e *brokenError) Error() string        { return "connection failed: " + e.err.Error() }
func (e *brokenError) Unwrap() error        { return e.err }
func (e *brokenError) Is(target error) bool { return target == ErrClosed }

// Reply parsing. Every function here accepts any payload without panicking.

// checkReply returns the error a reply to a request of type want carries:
// the Error of an ERROR reply, or a protocol error for a reply of another type.
func checkReply(m *Message, want MsgType) error {
	if m.Type == TypeError {
		s, err := oneString(m.Payload)
		if err != nil {
			return err
		}
		if s == "" {
			return protocolError("empty error reply")
		}
		return Error(s)
	}
	if m.Type != want {
		return protocolError("reply " + m.Type.String() + " to " + want.String())
	}
	return nil
}

// oneString parses a payload "<s>|"; the final NUL may be missing.
func oneString(p []byte) (string, error) {
	if len(p) > 0 && p[len(p)-1] == 0 {
		p = p[:len(p)-1]
	}
	for _, c := range p {
		if c == 0 {
			return "", protocolError("NUL inside string")
		}
	}
	return string(p), nil
}

// stringList parses a payload "<s>|*": zero or more non-empty NUL-terminated
// strings.
func stringList(p []byte) ([]string, error) {
	var ss []string
	for len(p) > 0 {
		i := 0
		for i < len(p) && p[i] != 0 {
			i++
		}
		if i == len(p) {
			return nil, protocolError("missing NUL after string")
		}
		if i == 0 {
			return nil, protocolError("empty string in list")
		}
		ss = append(ss, string(p[:i]))
		p = p[i+1:]
	}
	return ss, nil
}

// parseTxID parses the reply to TRANSACTION_START: "<transid>|".
func parseTxID(p []byte) (uint32, error) {
	s, err := oneString(p)
	if err != nil {
		return 0, err
	}
	id, err := strconv.ParseUint(s, 10, 32)
	if err != nil || id == 0 {
		return 0, protocolError("bad transaction id \"" + s + "\"")
	}
	return uint32(id), nil
}

// parseWatchEvent parses a WATCH_EVENT payload "<epath>|<token>|", allowing
// further strings after the two.
func parseWatchEvent(p []byte) (path, token string, ok bool) {
	var s [2]string
	for i := range s {
		j := 0
		for j < len(p) && p[j] != 0 {
			j++
		}
		if j == len(p) {
			return "", "", false
		}
		s[i], p = string(p[:j]), p[j+1:]
	}
	return s[0], s[1], s[0] != ""
}
