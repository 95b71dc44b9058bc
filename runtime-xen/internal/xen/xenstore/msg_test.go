// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// These are host tests of the protocol against a fake xenstored. On xen,
// package os imports this package (it watches control/shutdown), so tests
// in the package could not import testing there.

//go:build !xen

package xenstore

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"reflect"
	"strings"
	"testing"
)

func TestMessageRoundTrip(t *testing.T) {
	m := &Message{Type: TypeWrite, ReqID: 0x01020304, TxID: 7, Payload: []byte("a/b\x00value")}
	b, err := m.Append([]byte("junk"))
	if err != nil {
		t.Fatal(err)
	}
	want := "junk\x0b\x00\x00\x00\x04\x03\x02\x01\x07\x00\x00\x00\x09\x00\x00\x00a/b\x00value"
	if string(b) != want {
		t.Fatalf("Append = %q, want %q", b, want)
	}
	got, err := ReadMessage(bytes.NewReader(b[4:]))
	if err != nil || !reflect.DeepEqual(got, m) {
		t.Fatalf("ReadMessage = %+v, %v", got, err)
	}
	if _, err := (&Message{Payload: make([]byte, PayloadMax+1)}).Append(nil); err != E2BIG {
		t.Errorf("Append of 4097 bytes: %v", err)
	}
	if _, err := (&Message{Payload: make([]byte, PayloadMax)}).Append(nil); err != nil {
		t.Errorf("Append of 4096 bytes: %v", err)
	}
}

func TestReadMessageErrors(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want error
	}{
		{nil, io.EOF},
		{raw(TypeRead, 1, 0, "")[:10], io.ErrUnexpectedEOF},
		{raw(TypeRead, 1, 0, "abc")[:18], io.ErrUnexpectedEOF},
		{append(raw(TypeRead, 1, 0, "")[:12], 0x01, 0x10, 0, 0), ErrProtocol}, // len 4097
		{append(raw(TypeRead, 1, 0, "")[:12], 0xff, 0xff, 0xff, 0xff), ErrProtocol},
	} {
		if _, err := ReadMessage(bytes.NewReader(tc.in)); !errors.Is(err, tc.want) {
			t.Errorf("ReadMessage(%q) = %v, want %v", tc.in, err, tc.want)
		}
	}
}

func TestMsgTypeString(t *testing.T) {
	for typ, want := range map[MsgType]string{TypeDirectory: "DIRECTORY", TypeError: "ERROR",
		TypeSetQuota: "SET_QUOTA", 20: "type 20", TypeInvalid: "type 65535"} {
		if got := typ.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", uint32(typ), got, want)
		}
	}
}

func TestParsers(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string // nil: error
	}{
		{"", []string{}},
		{"a\x00", []string{"a"}},
		{"a\x00bc\x00", []string{"a", "bc"}},
		{"a", nil},
		{"a\x00b", nil},
		{"\x00", nil},
		{"a\x00\x00", nil},
	} {
		got, err := stringList([]byte(tc.in))
		if tc.want == nil {
			if err == nil || !errors.Is(err, ErrProtocol) {
				t.Errorf("stringList(%q) = %q, %v, want protocol error", tc.in, got, err)
			}
		} else if err != nil || len(got) != len(tc.want) || (len(got) > 0 && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("stringList(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
		}
	}

	for in, want := range map[string]string{"": "", "abc": "abc", "abc\x00": "abc", "\x00": ""} {
		if got, err := oneString([]byte(in)); got != want || err != nil {
			t.Errorf("oneString(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"a\x00b", "a\x00\x00", "\x00\x00"} {
		if _, err := oneString([]byte(in)); !errors.Is(err, ErrProtocol) {
			t.Errorf("oneString(%q): %v, want protocol error", in, err)
		}
	}

	for in, want := range map[string]uint32{"1\x00": 1, "4294967295\x00": 0xffffffff, "17": 17,
		"0\x00": 0, "-1\x00": 0, "4294967296\x00": 0, "\x00": 0, "x\x00": 0, " 1\x00": 0} {
		got, err := parseTxID([]byte(in))
		if want == 0 && !errors.Is(err, ErrProtocol) || want != 0 && (got != want || err != nil) {
			t.Errorf("parseTxID(%q) = %d, %v", in, got, err)
		}
	}

	for _, tc := range []struct {
		in          string
		path, token string
		ok          bool
	}{
		{"/a\x00tok\x00", "/a", "tok", true},
		{"a/b\x00\x00", "a/b", "", true},
		{"/a\x00tok\x00extra\x00", "/a", "tok", true},
		{"/a\x00tok", "", "", false},
		{"/a", "", "", false},
		{"\x00tok\x00", "", "", false},
		{"", "", "", false},
	} {
		path, token, ok := parseWatchEvent([]byte(tc.in))
		if ok != tc.ok || ok && (path != tc.path || token != tc.token) {
			t.Errorf("parseWatchEvent(%q) = %q, %q, %v", tc.in, path, token, ok)
		}
	}
}

func TestCheckReply(t *testing.T) {
	for _, tc := range []struct {
		m    *Message
		want error
	}{
		{&Message{Type: TypeRead, Payload: []byte("x")}, nil},
		{&Message{Type: TypeError, Payload: []byte("ENOENT\x00")}, ENOENT},
		{&Message{Type: TypeError, Payload: []byte("EWHATEVER")}, Error("EWHATEVER")},
		{&Message{Type: TypeError, Payload: []byte("\x00")}, ErrProtocol},
		{&Message{Type: TypeError, Payload: []byte("EIO\x00x")}, ErrProtocol},
		{&Message{Type: TypeWrite}, ErrProtocol},
		{&Message{Type: 12345}, ErrProtocol},
	} {
		err := checkReply(tc.m, TypeRead)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("checkReply(%v %q) = %v, want %v", tc.m.Type, tc.m.Payload, err, tc.want)
		}
	}
}

func TestErrorIs(t *testing.T) {
	for _, tc := range []struct {
		err    Error
		target error
		want   bool
	}{
		{ENOENT, fs.ErrNotExist, true},
		{EACCES, fs.ErrPermission, true},
		{EPERM, fs.ErrPermission, true},
		{EEXIST, fs.ErrExist, true},
		{ENOTEMPTY, fs.ErrExist, true},
		{ENOSYS, errors.ErrUnsupported, true},
		{EAGAIN, EAGAIN, true},
		{Error("EAGAIN"), EAGAIN, true},
		{ENOENT, fs.ErrExist, false},
		{EINVAL, fs.ErrNotExist, false},
		{EAGAIN, EBUSY, false},
	} {
		err := error(&OpError{"read", "/x", tc.err})
		if got := errors.Is(err, tc.target); got != tc.want {
			t.Errorf("errors.Is(%v, %v) = %v", err, tc.target, got)
		}
	}
	var e Error
	err := error(&OpError{"rm", "a/b", EQUOTA})
	if !errors.As(err, &e) || e != "EQUOTA" {
		t.Errorf("errors.As(%v) = %q", err, e)
	}
	if got := err.Error(); got != "xenstore rm a/b: EQUOTA" {
		t.Errorf("Error() = %q", got)
	}
}

// FuzzReadMessage reads a stream of messages and parses each as the reply
// to every kind of request.
func FuzzReadMessage(f *testing.F) {
	f.Add(raw(TypeRead, 1, 0, "value"))
	f.Add(raw(TypeDirectory, 2, 0, "a\x00b\x00"))
	f.Add(append(raw(TypeWatchEvent, 0, 0, "/a\x00tok\x00"), raw(TypeError, 3, 0, "ENOENT\x00")...))
	f.Add(raw(TypeTransactionStart, 4, 0, "17\x00"))
	f.Add(raw(TypeError, 5, 0, "")[:14])
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		for {
			before := r.Len()
			m, err := ReadMessage(r)
			if err != nil {
				break
			}
			if len(m.Payload) > PayloadMax {
				t.Fatalf("payload of %d bytes", len(m.Payload))
			}
			enc, err := m.Append(nil)
			if err != nil || !bytes.Equal(enc, b[len(b)-before:len(b)-r.Len()]) {
				t.Fatalf("re-encoding differs: %v", err)
			}
			for _, typ := range []MsgType{TypeRead, TypeDirectory, TypeTransactionStart, TypeGetDomainPath, TypeWrite} {
				if err := checkReply(m, typ); err != nil {
					if _, ok := err.(Error); !ok && !errors.Is(err, ErrProtocol) {
						t.Fatalf("checkReply: %v", err)
					}
				}
			}
			if names, err := stringList(m.Payload); err == nil {
				if got := strings.Join(names, "\x00"); len(names) > 0 && got+"\x00" != string(m.Payload) {
					t.Fatalf("stringList(%q) = %q", m.Payload, names)
				}
			}
			oneString(m.Payload)
			parseTxID(m.Payload)
			parseWatchEvent(m.Payload)
		}
	})
}
