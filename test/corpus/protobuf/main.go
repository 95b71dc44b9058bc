// Copyright 2026 The Go for Xen Authors.

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
	j, _ := protojson.Marshal(s)
	fmt.Printf("%d bytes %x\n%s\n", len(b), b, j)
}
