// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

func main() {
	s, _ := structpb.NewStruct(map[string]any{"name": "xen", "n": 3})
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(s)
	var back structpb.Struct
	err := protojson.Unmarshal([]byte(`{"name":"xen","n":3}`), &back) // protojson's output is unstable on purpose: not printed
	fmt.Printf("%d bytes %x\n%v %v\n", len(b), b, back.Fields["name"].GetStringValue(), err)
}
